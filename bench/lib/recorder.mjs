// A transparent HTTP proxy in front of the local S3 server that records every request it forwards:
// method, path, request body bytes, status, and start/end times. The action (or the AWS CLI) is
// pointed at it instead of at moto, so what crossed the wire can be counted.
import http from 'node:http';

/** @param {string} target e.g. http://127.0.0.1:5000 */
export async function startRecorder(target) {
  const t = new URL(target);
  /** @type {{method: string, path: string, bytes: number, status?: number, start: number, end?: number}[]} */
  const requests = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const rec = { method: req.method ?? '', path: req.url ?? '', bytes: 0, start: Date.now() };
    requests.push(rec);
    const up = http.request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers, agent },
      (ur) => {
        rec.status = ur.statusCode;
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
        ur.on('end', () => (rec.end = Date.now()));
      },
    );
    up.on('error', () => res.destroy());
    req.on('data', (d) => (rec.bytes += d.length));
    req.pipe(up);
  });
  server.keepAliveTimeout = 5000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections?.();
        agent.destroy();
      }),
  };
}

/** "GET" for an object read, "LIST" for a ListObjectsV2 (GET ?list-type=2), else the method. */
export function kind(q) {
  return q.method === 'GET' && /[?&]list-type=2(&|$)/.test(q.path) ? 'LIST' : q.method;
}

/** Request counts by kind (see kind()), and the body bytes of PUT and POST requests. */
export function summarize(requests) {
  const byMethod = {};
  let uploadBytes = 0;
  for (const q of requests) {
    byMethod[kind(q)] = (byMethod[kind(q)] ?? 0) + 1;
    if (q.method === 'PUT' || q.method === 'POST') uploadBytes += q.bytes;
  }
  return { total: requests.length, byMethod, uploadBytes };
}
