import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { S3Client } from '@aws-sdk/client-s3';
import { BufferPool } from '../../../src/aws/buffer-pool.js';
import { crc32OfRange, PartBody } from '../../../src/aws/part-body.js';
import { DEFAULT_PARTS_IN_FLIGHT, DEFAULT_PART_SIZE, uploadFile } from '../../../src/aws/file-upload.js';
import { planUpload, S3_LIMITS } from '../../../src/aws/part-plan.js';

const MiB = 1024 * 1024;

describe('planUpload', () => {
  it('sends a file that fits in one part (empty included) as one PutObject', () => {
    expect(planUpload(0, 8 * MiB)).toEqual({ kind: 'single', size: 0 });
    expect(planUpload(8 * MiB, 8 * MiB)).toEqual({ kind: 'single', size: 8 * MiB });
  });

  it('splits a larger file into contiguous parts numbered from 1, the last one shorter', () => {
    const size = 20 * MiB + 3;
    const plan = planUpload(size, 8 * MiB);
    if (plan.kind !== 'multipart') throw new Error('expected multipart');
    expect(plan.parts.map((p) => [p.number, p.offset, p.length])).toEqual([
      [1, 0, 8 * MiB],
      [2, 8 * MiB, 8 * MiB],
      [3, 16 * MiB, 4 * MiB + 3],
    ]);
  });

  it('grows the part size in whole MiB only when the file would need more than 10,000 parts', () => {
    const size = S3_LIMITS.maxParts * 5 * MiB + 1;
    const plan = planUpload(size, 5 * MiB);
    if (plan.kind !== 'multipart') throw new Error('expected multipart');
    expect(plan.partSize).toBe(6 * MiB);
    expect(plan.parts.length).toBeLessThanOrEqual(S3_LIMITS.maxParts);
    expect(plan.parts.at(-1)!.offset + plan.parts.at(-1)!.length).toBe(size);
  });

  it('refuses part sizes S3 does not accept and files too large for 10,000 parts', () => {
    expect(() => planUpload(100 * MiB, 4 * MiB)).toThrow(/5 MiB to 5 GiB/);
    expect(() => planUpload(S3_LIMITS.maxParts * S3_LIMITS.maxPartSize + 1, 8 * MiB)).toThrow(/10000 parts/);
  });
});

describe('BufferPool', () => {
  it('never makes more than its capacity; a released buffer goes to the next waiter', async () => {
    const pool = new BufferPool(16, 2);
    const a = await pool.acquire();
    const b = await pool.acquire();
    let third: Buffer | undefined;
    const waiting = pool.acquire().then((buf) => (third = buf));
    await new Promise((r) => setImmediate(r));
    expect(third).toBeUndefined();
    expect(pool.allocated).toBe(2);
    pool.release(a);
    await waiting;
    expect(third).toBe(a);
    expect(pool.inUse).toBe(2);
    pool.release(b);
    pool.release(third!);
    expect(pool.inUse).toBe(0);
    expect(pool.allocated).toBe(2);
    pool.trim();
    expect(pool.allocated).toBe(0);
  });

  it('stops waiting when the signal aborts, and the abandoned wait takes no buffer', async () => {
    const pool = new BufferPool(16, 1);
    const held = await pool.acquire();
    const ctl = new AbortController();
    const waiting = pool.acquire(ctl.signal);
    ctl.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    pool.release(held);
    expect(pool.inUse).toBe(0);
    await expect(pool.acquire(ctl.signal)).rejects.toThrow('cancelled');
  });

  it('refuses a buffer of another size', () => {
    expect(() => new BufferPool(16, 1).release(Buffer.alloc(8))).toThrow(/does not belong/);
  });
});

// --- uploadFile through a real S3Client whose HTTP handler is a recording fake S3 ---------------

interface Seen {
  op: string;
  headers: Record<string, string>;
  body: Buffer;
  query: Record<string, unknown>;
}

/** The parts of the SDK's HttpRequest the fake reads. */
interface FakeRequest {
  method: string;
  headers: Record<string, string>;
  query?: Record<string, unknown>;
  body?: Uint8Array | Readable;
}

type Reply = { status: number; headers?: Record<string, string>; body?: string };

/**
 * The body's bytes, taken the way the SDK's Node handler takes a stream body (`body.pipe(request)`),
 * into a sink that holds each chunk a little while, as a socket does, and copies it: the uploader
 * reuses its buffers, and must not before the sink is done with them.
 */
async function receive(body: FakeRequest['body']): Promise<Buffer> {
  if (!(body instanceof Readable)) return body ? Buffer.from(body) : Buffer.alloc(0);
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      setTimeout(() => {
        chunks.push(Buffer.from(chunk));
        done();
      }, 1);
    },
  });
  await new Promise<void>((resolve, reject) => {
    sink.on('finish', resolve).on('error', reject);
    body.pipe(sink);
  });
  return Buffer.concat(chunks);
}

const crcB64 = (b: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out.toString('base64');
};

function fakeS3(
  o: {
    onPart?: (partNumber: number, signal?: AbortSignal) => Promise<Reply | void>;
    maxAttempts?: number;
  } = {},
) {
  const seen: Seen[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const handler = {
    handle: async (req: FakeRequest, opts?: { abortSignal?: AbortSignal }) => {
      const q = req.query ?? {};
      const op =
        req.method === 'POST' && 'uploads' in q
          ? 'Create'
          : req.method === 'POST'
            ? 'Complete'
            : req.method === 'DELETE'
              ? 'Abort'
              : 'partNumber' in q
                ? 'UploadPart'
                : 'PutObject';
      const body = await receive(req.body);
      seen.push({ op, headers: req.headers, body, query: q });
      let reply: Reply = { status: 200, headers: { etag: `"etag-${seen.length}"` } };
      // As S3 does: the declared length and CRC32 must be the body's.
      const declared = Object.entries(req.headers).find(([k]) => k.toLowerCase() === 'x-amz-checksum-crc32');
      const length = Object.entries(req.headers).find(([k]) => k.toLowerCase() === 'content-length');
      if ((declared && declared[1] !== crcB64(body)) || (length && Number(length[1]) !== body.length))
        reply = {
          status: 400,
          body: '<Error><Code>BadDigest</Code><Message>checksum mismatch</Message></Error>',
        };
      if (op === 'Create')
        reply.body = `<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>`;
      if (op === 'Complete')
        reply.body = `<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>"x-2"</ETag></CompleteMultipartUploadResult>`;
      if (op === 'Abort') reply = { status: 204 };
      if (op === 'UploadPart') {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          const custom = await o.onPart?.(Number(q.partNumber), opts?.abortSignal);
          if (custom && reply.status === 200) reply = custom;
        } finally {
          inFlight--;
        }
      }
      return {
        response: {
          statusCode: reply.status,
          headers: { ...(reply.body ? { 'content-type': 'application/xml' } : {}), ...reply.headers },
          body: Readable.from(reply.body ? [Buffer.from(reply.body)] : []),
        },
      };
    },
  };
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://s3.test',
    forcePathStyle: true,
    maxAttempts: o.maxAttempts ?? 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: handler as never,
  });
  return { s3, seen, maxInFlight: () => maxInFlight };
}

/**
 * Holds every part until none has arrived for `ms`: by then all the parts the uploader lets into
 * flight have arrived, so the highest count in flight is the uploader's bound (not a timing accident).
 */
function whenQuiet(ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const held: (() => void)[] = [];
  return () =>
    new Promise<void>((resolve) => {
      held.push(resolve);
      clearTimeout(timer);
      timer = setTimeout(() => held.splice(0).forEach((r) => r()), ms);
    });
}

function tempFile(bytes: number): { path: string; data: Buffer } {
  const data = randomBytes(bytes);
  const path = join(mkdtempSync(join(tmpdir(), 'hes-upload-')), 'f.bin');
  writeFileSync(path, data);
  return { path, data };
}

const dest = { bucket: 'b', key: 'k' };
const header = (s: Seen, name: string) =>
  Object.entries(s.headers).find(([k]) => k.toLowerCase() === name)?.[1];

describe('uploadFile', () => {
  it('sends a large file as CRC32-checked, unsigned parts, at most queueSize at a time, then completes in order', async () => {
    const { path, data } = tempFile(21 * MiB + 5);
    const fake = fakeS3({ onPart: whenQuiet(300) });
    await uploadFile(fake.s3, path, dest, { partSize: 5 * MiB, queueSize: 2, metadata: { sha256: 'abc' } });

    const ops = fake.seen.map((s) => s.op);
    expect(ops[0]).toBe('Create');
    expect(ops.at(-1)).toBe('Complete');
    const create = fake.seen[0];
    expect(header(create, 'x-amz-checksum-algorithm')).toBe('CRC32');
    expect(header(create, 'x-amz-meta-sha256')).toBe('abc');

    const parts = fake.seen.filter((s) => s.op === 'UploadPart');
    expect(parts).toHaveLength(5);
    expect(fake.maxInFlight()).toBe(2);
    const byNumber = [...parts].sort((a, b) => Number(a.query.partNumber) - Number(b.query.partNumber));
    expect(Buffer.concat(byNumber.map((p) => p.body)).equals(data)).toBe(true);
    for (const p of parts) {
      expect(header(p, 'x-amz-checksum-crc32')).toBe(crcB64(p.body));
      expect(header(p, 'x-amz-content-sha256')).toBe('UNSIGNED-PAYLOAD');
      expect(header(p, 'expect')).toBeUndefined();
      expect(p.query.uploadId).toBe('up-1');
    }
    const xml = fake.seen.at(-1)!.body.toString();
    const listed = [...xml.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
    expect(listed).toEqual([1, 2, 3, 4, 5]);
    for (const p of byNumber) expect(xml).toContain(`<ChecksumCRC32>${crcB64(p.body)}</ChecksumCRC32>`);
  });

  it('sends a small file, and an empty one, as one PutObject with its CRC32 and an unsigned payload', async () => {
    for (const bytes of [3 * MiB, 0]) {
      const { path, data } = tempFile(bytes);
      const fake = fakeS3();
      await uploadFile(fake.s3, path, dest, { contentType: 'text/x-python' });
      expect(fake.seen.map((s) => s.op)).toEqual(['PutObject']);
      const put = fake.seen[0];
      expect(put.body.equals(data)).toBe(true);
      expect(header(put, 'x-amz-checksum-crc32')).toBe(crcB64(data));
      expect(header(put, 'x-amz-content-sha256')).toBe('UNSIGNED-PAYLOAD');
      expect(header(put, 'content-type')).toBe('text/x-python');
    }
  });

  it('a cancelled upload cuts its parts short, sends no Complete, and aborts the multipart upload after the parts ended', async () => {
    const { path } = tempFile(30 * MiB);
    const ctl = new AbortController();
    const ended: string[] = [];
    const fake = fakeS3({
      onPart: (n, signal) =>
        new Promise((_resolve, reject) => {
          if (n === 2) setTimeout(() => ctl.abort(new Error('the workflow was cancelled')), 20);
          signal?.addEventListener('abort', () => {
            ended.push(`part ${n}`);
            reject(new Error('request aborted'));
          });
        }),
    });
    await expect(
      uploadFile(fake.s3, path, dest, { partSize: 5 * MiB, queueSize: 3, signal: ctl.signal }),
    ).rejects.toThrow('the workflow was cancelled');
    const ops = fake.seen.map((s) => s.op);
    expect(ops).not.toContain('Complete');
    expect(ops.at(-1)).toBe('Abort');
    expect(fake.seen.at(-1)!.query.uploadId).toBe('up-1');
    expect(ended).toHaveLength(ops.filter((o) => o === 'UploadPart').length);
    expect(ops.filter((o) => o === 'UploadPart').length).toBeLessThanOrEqual(3);
  });

  it('a part S3 refuses fails the upload and aborts it; no Complete', async () => {
    const { path } = tempFile(16 * MiB);
    const fake = fakeS3({
      onPart: async (n) =>
        n === 2
          ? { status: 400, body: '<Error><Code>BadDigest</Code><Message>checksum mismatch</Message></Error>' }
          : undefined,
    });
    await expect(uploadFile(fake.s3, path, dest, { partSize: 5 * MiB, queueSize: 2 })).rejects.toThrow(
      /checksum mismatch|BadDigest/,
    );
    const ops = fake.seen.map((s) => s.op);
    expect(ops).not.toContain('Complete');
    expect(ops.at(-1)).toBe('Abort');
  });

  it('uploads running side by side share one pool: never more than the default parts in flight in all', async () => {
    const half = DEFAULT_PARTS_IN_FLIGHT / 2;
    const a = tempFile(half * DEFAULT_PART_SIZE + 1);
    const b = tempFile(half * DEFAULT_PART_SIZE + 1);
    // Two pools of their own would let all the parts (two more than the default) into flight.
    const fake = fakeS3({ onPart: whenQuiet(300) });
    await Promise.all([
      uploadFile(fake.s3, a.path, dest),
      uploadFile(fake.s3, b.path, { bucket: 'b', key: 'k2' }),
    ]);
    expect(fake.seen.filter((s) => s.op === 'UploadPart')).toHaveLength(2 * (half + 1));
    expect(fake.maxInFlight()).toBe(DEFAULT_PARTS_IN_FLIGHT);
  });

  it('a part the SDK retries is sent whole again, from the file, on the next attempt', async () => {
    const { path, data } = tempFile(12 * MiB);
    let failed = 0;
    const fake = fakeS3({
      maxAttempts: 3,
      onPart: async (n) => {
        if (n !== 2 || failed++ > 0) return undefined;
        return { status: 500, body: '<Error><Code>InternalError</Code><Message>try again</Message></Error>' };
      },
    });
    await uploadFile(fake.s3, path, dest, { partSize: 5 * MiB, queueSize: 2 });
    const second = fake.seen.filter((s) => s.op === 'UploadPart' && s.query.partNumber === '2');
    expect(second).toHaveLength(2);
    for (const attempt of second) expect(attempt.body.equals(data.subarray(5 * MiB, 10 * MiB))).toBe(true);
    expect(fake.seen.at(-1)!.op).toBe('Complete');
  });

  it('a file cut short while its parts go fails the upload, naming the file, and aborts it', async () => {
    const { path } = tempFile(16 * MiB);
    const fake = fakeS3({
      onPart: async (n) => {
        if (n === 1) truncateSync(path, 6 * MiB);
      },
    });
    await expect(uploadFile(fake.s3, path, dest, { partSize: 5 * MiB, queueSize: 1 })).rejects.toThrow(
      `${path} got shorter while it was being uploaded`,
    );
    const ops = fake.seen.map((s) => s.op);
    expect(ops).not.toContain('Complete');
    expect(ops.at(-1)).toBe('Abort');
  });
});

describe('uploadFile against a server that answers before the body is in', () => {
  /**
   * Answers every request with a 403 as soon as its headers are in, then neither reads the body nor
   * closes the connection: the bytes still to send can never leave, so only giving up on them ends it.
   */
  async function earlyAnswer(o: { status: string; code: string; maxAttempts: number }) {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      let head = '';
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        socket.pause();
        const body = `<Error><Code>${o.code}</Code><Message>${o.code} here</Message></Error>`;
        socket.write(
          `HTTP/1.1 ${o.status}\r\nContent-Type: application/xml\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`,
        );
      };
      socket.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      maxAttempts: o.maxAttempts,
      retryMode: 'standard',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const close = () => {
      s3.destroy();
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    };
    return { s3, close };
  }

  it.each([
    ['a refusal', { status: '403 Forbidden', code: 'AccessDenied', maxAttempts: 1 }],
    ['a refusal the SDK retries', { status: '503 Slow Down', code: 'SlowDown', maxAttempts: 2 }],
  ])('fails with %s and lets go of the part, though the rest can never be sent', async (_name, o) => {
    const { path } = tempFile(64 * MiB); // more than the socket buffers hold
    const server = await earlyAnswer(o);
    try {
      await expect(uploadFile(server.s3, path, dest, { partSize: 64 * MiB, queueSize: 1 })).rejects.toThrow(
        `${o.code} here`,
      );
    } finally {
      await server.close();
    }
  });
});

describe('PartBody', () => {
  const range = async (bytes: number, offset: number, length: number) => {
    const { path, data } = tempFile(bytes);
    return { range: { fh: await open(path, 'r'), path, offset, length }, data };
  };

  it('piped, sends the range through its buffer and lets go of it once the last write is taken', async () => {
    const { range: r, data } = await range(3 * MiB + 7, 1000, 2 * MiB + 5);
    const buf = Buffer.alloc(256 * 1024);
    const body = new PartBody(r, buf);
    const got = await receive(body);
    await body.released();
    expect(got.equals(data.subarray(1000, 1000 + 2 * MiB + 5))).toBe(true);
    await r.fh.close();
  });

  it('read any other way, yields the range in fresh chunks and never touches the buffer', async () => {
    const { range: r, data } = await range(MiB, 10, MiB - 20);
    const buf = Buffer.alloc(64 * 1024, 0xab);
    const chunks: Buffer[] = [];
    for await (const chunk of new PartBody(r, buf)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(data.subarray(10, MiB - 10))).toBe(true);
    expect(buf.every((b) => b === 0xab)).toBe(true);
    await r.fh.close();
  });

  it('fails the request it is piped into when the file is shorter than the range, naming the file', async () => {
    const { range: r } = await range(MiB, 0, 2 * MiB);
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const failed = new Promise<Error>((resolve) => sink.on('error', resolve));
    const body = new PartBody(r, Buffer.alloc(128 * 1024));
    body.pipe(sink);
    expect((await failed).message).toBe(`${r.path} got shorter while it was being uploaded`);
    await body.released();
    await r.fh.close();
  });

  it('stops reading into its buffer once the request is gone', async () => {
    const { range: r } = await range(4 * MiB, 0, 4 * MiB);
    let writes = 0;
    const sink = new Writable({
      write: (_c, _e, done) => {
        if (++writes === 2) sink.destroy();
        else setImmediate(done);
      },
    });
    const body = new PartBody(r, Buffer.alloc(128 * 1024));
    body.pipe(sink);
    await body.released();
    expect(writes).toBe(2);
    await r.fh.close();
  });

  it('checksums a range as S3 would: the CRC32 of its bytes', async () => {
    const { range: r, data } = await range(3 * MiB, MiB, MiB + 3);
    expect(await crc32OfRange(r, Buffer.alloc(100_000))).toBe(crc32(data.subarray(MiB, 2 * MiB + 3)));
    await r.fh.close();
  });
});
