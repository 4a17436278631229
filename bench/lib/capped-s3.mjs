// A local S3 target that behaves like real S3 where it matters for uploads, unlike moto: many
// connections are fine, but each connection is limited (real S3 gives one TCP stream a few tens of
// MiB/s, and aggregate throughput comes from parallel connections), and every request pays a
// round trip. It speaks enough S3 for the action (HEAD, PutObject, the multipart calls,
// ListObjectsV2, DeleteObject) and for `aws s3 cp`, throws bodies away, but keeps each object's
// size, metadata and checksums, and validates what S3 validates on the way in: Content-Length,
// Content-MD5, x-amz-content-sha256 (a hex payload hash), x-amz-checksum-crc32/sha256/sha1,
// part sizes (>= 5 MiB but the last), part order and ETags, and part checksums on completion.
// What it does not check: signatures (moto does not either), CRC32C/CRC64NVME (refused: 501).
//
//   const s3 = await startCappedS3({ bytesPerSecond: 40 * 2 ** 20, latencyMs: 20 });
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { crc32 } from 'node:zlib';

const MIN_PART = 5 * 1024 * 1024;
const xmlEscape = (s) =>
  String(s).replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c],
  );

class S3Error extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const crcBase64 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString('base64');
};

/**
 * @param {{ bytesPerSecond?: number, latencyMs?: number, host?: string }} [o]
 */
export async function startCappedS3(o = {}) {
  const rate = o.bytesPerSecond ?? 40 * 2 ** 20;
  const latencyMs = o.latencyMs ?? 20;
  const buckets = new Set();
  /** @type {Map<string, {size: number, etag: string, metadata: Record<string,string>, contentType: string, lastModified: Date, checksum?: {name: string, value: string}}>} */
  const objects = new Map();
  /** @type {Map<string, {bucket: string, key: string, metadata: Record<string,string>, contentType: string, algorithm?: string, parts: Map<number, {size: number, etag: string, crc32?: string}>}>} */
  const uploads = new Map();
  const stats = { requests: 0, bodyBytes: 0, byOperation: {}, connections: 0, maxConcurrentConnections: 0 };
  let open = 0;

  const server = http.createServer((req, res) => {
    stats.requests++;
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://s3.local');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const q = url.searchParams;
    let refused;
    let body = bodyChecker({ headers: {} });
    try {
      body = bodyChecker(req);
    } catch (err) {
      refused = err; // answered once the body has been drained, as S3 does
    }
    // The per-connection cap: a request's body may arrive no faster than `rate` from its start
    // (requests on one keep-alive connection are sequential, so this caps the connection).
    let received = 0;
    req.on('data', (chunk) => {
      received += chunk.length;
      stats.bodyBytes += chunk.length;
      body.update(chunk);
      const wait = started + (received / rate) * 1000 - Date.now();
      if (wait > 1) {
        req.pause();
        setTimeout(() => req.resume(), wait);
      }
    });
    req.on('end', () => {
      let reply;
      try {
        if (refused) throw refused;
        const op = operation(req.method, key, q);
        stats.byOperation[op] = (stats.byOperation[op] ?? 0) + 1;
        reply = handle(op, { req, bucket, key, q, body: body.finish(received) });
      } catch (err) {
        reply =
          err instanceof S3Error
            ? errorReply(err, req.method)
            : errorReply(new S3Error(500, 'InternalError', String(err)), req.method);
      }
      // The round trip a real S3 request pays, after the body (time to first byte of the answer).
      setTimeout(() => send(res, reply), latencyMs);
    });
  });
  // Expect: 100-continue costs a round trip before the body goes, as on S3.
  server.on('checkContinue', (req, res) =>
    setTimeout(() => {
      res.writeContinue();
      server.emit('request', req, res);
    }, latencyMs),
  );
  server.on('connection', (socket) => {
    stats.connections++;
    open++;
    stats.maxConcurrentConnections = Math.max(stats.maxConcurrentConnections, open);
    socket.on('close', () => open--);
  });
  server.keepAliveTimeout = 5000;

  function operation(method, key, query) {
    const q = new URLSearchParams([...query].filter(([k]) => k !== 'x-id')); // the SDK's operation hint
    if (!key) {
      if (method === 'PUT') return 'CreateBucket';
      if (method === 'GET' && q.get('list-type') === '2') return 'ListObjectsV2';
      if (method === 'HEAD') return 'HeadBucket';
    } else {
      if (method === 'HEAD') return 'HeadObject';
      if (method === 'PUT' && q.has('partNumber') && q.has('uploadId')) return 'UploadPart';
      if (method === 'PUT' && !q.has('uploadId') && ![...q.keys()].length) return 'PutObject';
      if (method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
      if (method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
      if (method === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload';
      if (method === 'DELETE' && ![...q.keys()].length) return 'DeleteObject';
    }
    throw new S3Error(
      501,
      'NotImplemented',
      `the capped S3 bench target does not implement ${method} ${[...q.keys()].join('&')}`,
    );
  }

  function requireBucket(bucket) {
    if (!buckets.has(bucket)) throw new S3Error(404, 'NoSuchBucket', `no bucket ${bucket}`);
  }

  function handle(op, { req, bucket, key, q, body }) {
    if (op === 'CreateBucket') {
      buckets.add(bucket);
      return { status: 200, headers: { location: `/${bucket}` } };
    }
    requireBucket(bucket);
    const id = `${bucket}/${key}`;
    switch (op) {
      case 'HeadBucket':
        return { status: 200 };
      case 'ListObjectsV2':
        return listObjects(bucket, q);
      case 'HeadObject': {
        const obj = objects.get(id);
        if (!obj) throw new S3Error(404, 'NoSuchKey', 'not found');
        return { status: 200, headers: objectHeaders(obj) };
      }
      case 'DeleteObject':
        objects.delete(id);
        return { status: 204 };
      case 'PutObject': {
        if (body.size > 5 * 2 ** 30)
          throw new S3Error(400, 'EntityTooLarge', 'PutObject is limited to 5 GiB');
        const obj = {
          size: body.size,
          etag: `"${randomBytes(16).toString('hex')}"`,
          metadata: metadataOf(req),
          contentType: req.headers['content-type'] ?? 'binary/octet-stream',
          lastModified: new Date(),
          checksum: body.checksum,
        };
        objects.set(id, obj);
        return { status: 200, headers: { etag: obj.etag, ...checksumHeader(obj.checksum) } };
      }
      case 'CreateMultipartUpload': {
        const uploadId = randomBytes(12).toString('hex');
        const algorithm = req.headers['x-amz-checksum-algorithm']?.toUpperCase();
        if (algorithm && algorithm !== 'CRC32' && algorithm !== 'SHA256' && algorithm !== 'SHA1')
          throw new S3Error(501, 'NotImplemented', `checksum algorithm ${algorithm} is not implemented here`);
        uploads.set(uploadId, {
          bucket,
          key,
          metadata: metadataOf(req),
          contentType: req.headers['content-type'] ?? 'binary/octet-stream',
          algorithm,
          parts: new Map(),
        });
        return xml(
          `<InitiateMultipartUploadResult><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
          algorithm ? { 'x-amz-checksum-algorithm': algorithm } : {},
        );
      }
      case 'UploadPart': {
        const up = uploadFor(q.get('uploadId'), bucket, key);
        const n = Number(q.get('partNumber'));
        if (!Number.isInteger(n) || n < 1 || n > 10_000)
          throw new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000');
        if (up.algorithm && body.checksum?.name !== up.algorithm)
          throw new S3Error(
            400,
            'InvalidRequest',
            `the upload was created with ${up.algorithm}: each part needs x-amz-checksum-${up.algorithm.toLowerCase()}`,
          );
        const etag = `"${randomBytes(16).toString('hex')}"`;
        up.parts.set(n, { size: body.size, etag, checksum: body.checksum?.value });
        return { status: 200, headers: { etag, ...checksumHeader(body.checksum) } };
      }
      case 'AbortMultipartUpload':
        if (!uploads.delete(q.get('uploadId') ?? ''))
          throw new S3Error(404, 'NoSuchUpload', 'no such upload');
        return { status: 204 };
      case 'CompleteMultipartUpload':
        return complete(uploadFor(q.get('uploadId'), bucket, key), q.get('uploadId'), id, body.text);
    }
    throw new S3Error(501, 'NotImplemented', op);
  }

  function uploadFor(uploadId, bucket, key) {
    const up = uploads.get(uploadId ?? '');
    if (!up || up.bucket !== bucket || up.key !== key)
      throw new S3Error(404, 'NoSuchUpload', 'no such upload');
    return up;
  }

  function complete(up, uploadId, id, text) {
    const listed = [...text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, p]) => ({
      n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(p)?.[1]),
      etag: /<ETag>(.*?)<\/ETag>/.exec(p)?.[1]?.replace(/&quot;/g, '"'),
      checksum: /<Checksum(?:CRC32|SHA256|SHA1)>(.*?)<\/Checksum/.exec(p)?.[1],
    }));
    if (!listed.length) throw new S3Error(400, 'MalformedXML', 'no parts listed');
    let size = 0;
    const raw = [];
    listed.forEach((p, i) => {
      if (i > 0 && p.n <= listed[i - 1].n)
        throw new S3Error(400, 'InvalidPartOrder', 'parts must be in ascending order');
      const part = up.parts.get(p.n);
      if (!part || part.etag !== p.etag)
        throw new S3Error(400, 'InvalidPart', `part ${p.n} was not uploaded or its ETag does not match`);
      if (i < listed.length - 1 && part.size < MIN_PART)
        throw new S3Error(400, 'EntityTooSmall', `part ${p.n} is smaller than 5 MiB and not the last`);
      if (up.algorithm && p.checksum !== part.checksum)
        throw new S3Error(
          400,
          'InvalidPart',
          `part ${p.n}: the listed checksum does not match the uploaded part's`,
        );
      if (part.checksum) raw.push(Buffer.from(part.checksum, 'base64'));
      size += part.size;
    });
    uploads.delete(uploadId);
    const etag = `"${randomBytes(16).toString('hex')}-${listed.length}"`;
    // A composite checksum: the checksum of the parts' checksums, "-<parts>".
    const checksum = up.algorithm
      ? { name: up.algorithm, value: `${compositeOf(up.algorithm, Buffer.concat(raw))}-${listed.length}` }
      : undefined;
    objects.set(id, {
      size,
      etag,
      metadata: up.metadata,
      contentType: up.contentType,
      lastModified: new Date(),
      checksum,
    });
    return xml(
      `<CompleteMultipartUploadResult><Bucket>${xmlEscape(up.bucket)}</Bucket><Key>${xmlEscape(up.key)}</Key><ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`,
    );
  }

  function listObjects(bucket, q) {
    const prefix = q.get('prefix') ?? '';
    const max = Math.min(Number(q.get('max-keys') ?? 1000), 1000);
    const after = q.get('continuation-token')
      ? Buffer.from(q.get('continuation-token'), 'base64url').toString()
      : (q.get('start-after') ?? '');
    const keys = [...objects.keys()]
      .filter((id) => id.startsWith(`${bucket}/`))
      .map((id) => id.slice(bucket.length + 1))
      .filter((k) => k.startsWith(prefix) && k > after)
      .sort();
    const page = keys.slice(0, max);
    const truncated = keys.length > max;
    const contents = page
      .map((k) => {
        const o = objects.get(`${bucket}/${k}`);
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const next = truncated
      ? `<NextContinuationToken>${Buffer.from(page.at(-1)).toString('base64url')}</NextContinuationToken>`
      : '';
    return xml(
      `<ListBucketResult><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`,
    );
  }

  await new Promise((r) => server.listen(0, o.host ?? '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    objects,
    openUploads: () => uploads.size,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections?.();
      }),
  };
}

function compositeOf(algorithm, raw) {
  if (algorithm === 'CRC32') return crcBase64(crc32(raw));
  return createHash(algorithm === 'SHA256' ? 'sha256' : 'sha1')
    .update(raw)
    .digest('base64');
}

function metadataOf(req) {
  const out = {};
  for (const [h, v] of Object.entries(req.headers))
    if (h.startsWith('x-amz-meta-')) out[h.slice(11)] = String(v);
  return out;
}

function objectHeaders(obj) {
  const h = {
    'content-length': obj.size,
    'content-type': obj.contentType,
    etag: obj.etag,
    'last-modified': obj.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
  for (const [k, v] of Object.entries(obj.metadata)) h[`x-amz-meta-${k}`] = v;
  return h;
}

const checksumHeader = (c) => (c ? { [`x-amz-checksum-${c.name.toLowerCase()}`]: c.value } : {});

/**
 * What S3 checks of a request body: its length against Content-Length, and each digest the
 * client declared (Content-MD5, a hex x-amz-content-sha256, x-amz-checksum-*). Bodies are hashed as
 * they stream by and dropped; small ones (the CompleteMultipartUpload XML) are kept as text.
 */
function bodyChecker(req) {
  const h = req.headers;
  if (/aws-chunked/.test(h['content-encoding'] ?? ''))
    throw new S3Error(
      501,
      'NotImplemented',
      'aws-chunked bodies are not implemented by the capped S3 bench target',
    );
  const contentSha = h['x-amz-content-sha256'];
  const hexPayloadHash = contentSha && /^[0-9a-f]{64}$/.test(contentSha) ? contentSha : undefined;
  if (contentSha && !hexPayloadHash && contentSha !== 'UNSIGNED-PAYLOAD')
    throw new S3Error(400, 'InvalidArgument', `x-amz-content-sha256 ${contentSha} needs a chunked body`);
  for (const name of ['crc32c', 'crc64nvme'])
    if (h[`x-amz-checksum-${name}`])
      throw new S3Error(501, 'NotImplemented', `${name} is not implemented here`);
  const declared = ['crc32', 'sha256', 'sha1'].filter((n) => h[`x-amz-checksum-${n}`]);
  if (declared.length > 1) throw new S3Error(400, 'InvalidRequest', 'more than one checksum header');
  const md5 = h['content-md5'] ? createHash('md5') : undefined;
  const payloadSha = hexPayloadHash ? createHash('sha256') : undefined;
  const which = declared[0];
  const digest = which && which !== 'crc32' ? createHash(which) : undefined;
  let crc = 0;
  const text = [];
  let textBytes = 0;
  return {
    update(chunk) {
      md5?.update(chunk);
      payloadSha?.update(chunk);
      digest?.update(chunk);
      if (which === 'crc32') crc = crc32(chunk, crc);
      if (textBytes < 1 << 20) {
        text.push(chunk);
        textBytes += chunk.length;
      }
    },
    finish(size) {
      const length = h['content-length'];
      if (length === undefined && h['transfer-encoding'] !== 'chunked' && size > 0)
        throw new S3Error(411, 'MissingContentLength', 'you must provide the Content-Length HTTP header');
      if (length !== undefined && Number(length) !== size)
        throw new S3Error(400, 'IncompleteBody', `Content-Length ${length} but ${size} bytes arrived`);
      if (md5 && md5.digest('base64') !== h['content-md5'])
        throw new S3Error(400, 'BadDigest', 'the Content-MD5 you specified did not match what we received');
      if (payloadSha && payloadSha.digest('hex') !== hexPayloadHash)
        throw new S3Error(
          400,
          'XAmzContentSHA256Mismatch',
          "the provided 'x-amz-content-sha256' header does not match what was computed",
        );
      let checksum;
      if (which) {
        const value = which === 'crc32' ? crcBase64(crc) : digest.digest('base64');
        if (value !== h[`x-amz-checksum-${which}`])
          throw new S3Error(
            400,
            'BadDigest',
            `the ${which.toUpperCase()} you specified did not match the calculated checksum`,
          );
        checksum = { name: which.toUpperCase(), value };
      }
      return { size, checksum, text: textBytes < 1 << 20 ? Buffer.concat(text).toString('utf8') : '' };
    },
  };
}

function xml(inner, headers = {}) {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${inner}`,
  };
}

function errorReply(err, method) {
  return {
    status: err.status,
    headers: { 'content-type': 'application/xml' },
    body:
      method === 'HEAD'
        ? undefined
        : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message></Error>`,
  };
}

function send(res, reply) {
  const headers = { 'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(), ...reply.headers };
  if (reply.body !== undefined) headers['content-length'] = Buffer.byteLength(reply.body);
  else if (headers['content-length'] === undefined) headers['content-length'] = 0;
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}
