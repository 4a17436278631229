// A stub S3 endpoint that accepts uploads and throws the bytes away: PutObject, and the three
// multipart calls (CreateMultipartUpload, UploadPart, CompleteMultipartUpload) with minimal valid
// answers. Uploading to it measures the client alone (reading, checksums, HTTP), which shows how
// much of an upload to moto is moto's own time. It stores nothing; nothing else is answered usefully.
import http from 'node:http';

const xml = (res, body) => {
  res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

export async function startSinkS3() {
  let bytes = 0;
  let uploads = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = rest.join('/');
    req.on('data', (d) => (bytes += d.length));
    req.on('end', () => {
      if (req.method === 'POST' && url.searchParams.has('uploads')) {
        uploads++;
        return xml(
          res,
          `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>sink-${uploads}</UploadId></InitiateMultipartUploadResult>`,
        );
      }
      if (req.method === 'POST' && url.searchParams.has('uploadId')) {
        return xml(
          res,
          `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"sink-multipart"</ETag></CompleteMultipartUploadResult>`,
        );
      }
      res.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"', 'content-length': 0 });
      res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    bytes: () => bytes,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections?.();
      }),
  };
}
