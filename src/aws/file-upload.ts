import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { BufferPool } from './buffer-pool.js';
import { planUpload, type Part, type UploadPlan } from './part-plan.js';
import type { S3Location } from './s3-uri.js';

export interface UploadOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Multipart part size (also the largest file sent in one PutObject); parts go up `queueSize` at a time. */
  partSize?: number;
  queueSize?: number;
  /** Aborting stops the upload and aborts the multipart upload (the workflow was cancelled). */
  signal?: AbortSignal;
}

// 5 MiB parts (S3's smallest), 8 in flight: 40 MiB of buffers, shared by every upload of the process.
// Against S3, which limits each connection, throughput grows with parts in flight far more than with
// part size, so parts are as small as S3 allows. The count is set by memory: Node and the bundle take
// about 100 MiB, and bench figure 6 measured the whole step at 161 MiB peak RSS with 10 in flight
// (1 GiB jar) and 163 MiB with 8 MiB x 8; 8 x 5 MiB keeps it near the 150 MiB target.
export const DEFAULT_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PARTS_IN_FLIGHT = 8;

let shared: BufferPool | undefined;

/** The pool an upload draws from: the process-wide one, unless the caller or the file needs another. */
function poolFor(plan: UploadPlan, opts: UploadOptions): BufferPool {
  const partSize = plan.kind === 'multipart' ? plan.partSize : (opts.partSize ?? DEFAULT_PART_SIZE);
  if (opts.partSize !== undefined || opts.queueSize !== undefined)
    return new BufferPool(partSize, opts.queueSize ?? DEFAULT_PARTS_IN_FLIGHT);
  if (partSize === DEFAULT_PART_SIZE)
    return (shared ??= new BufferPool(DEFAULT_PART_SIZE, DEFAULT_PARTS_IN_FLIGHT));
  // Parts grown for a file of more than 10,000 default parts: fewer in flight, same memory budget.
  const budget = DEFAULT_PART_SIZE * DEFAULT_PARTS_IN_FLIGHT;
  return new BufferPool(partSize, Math.max(1, Math.floor(budget / partSize)));
}

/**
 * Uploads a local file. Small files go in one PutObject, large ones as a multipart upload whose
 * parts are read positionally into pooled buffers (memory = parts in flight x part size) and sent
 * in parallel, each with a CRC32 that S3 checks and an unsigned payload (the bytes are hashed once,
 * by CRC32, not again by SigV4). Either way the object appears under its key only when complete; a
 * failed multipart upload is aborted (no half object, no orphaned parts left billing), as is one
 * cut short by `signal`.
 */
export async function uploadFile(
  s3: S3Client,
  localPath: string,
  dest: S3Location,
  opts: UploadOptions = {},
): Promise<void> {
  opts.signal?.throwIfAborted();
  const fh = await open(localPath, 'r');
  let pool: BufferPool | undefined;
  try {
    const before = await fh.stat();
    const plan = planUpload(before.size, opts.partSize ?? DEFAULT_PART_SIZE);
    pool = poolFor(plan, opts);
    const target = {
      Bucket: dest.bucket,
      Key: dest.key,
      ContentType: opts.contentType ?? 'application/octet-stream',
      Metadata: opts.metadata,
    };
    const file: SourceFile = { fh, path: localPath, mtimeMs: before.mtimeMs, size: before.size };
    if (plan.kind === 'single') await putWhole(s3, file, target, pool, opts.signal);
    else await putInParts(s3, file, plan.parts, target, pool, opts.signal);
  } finally {
    await fh.close();
    if (pool?.inUse === 0) pool.trim();
  }
}

interface SourceFile {
  fh: FileHandle;
  path: string;
  mtimeMs: number;
  size: number;
}

interface Target {
  Bucket: string;
  Key: string;
  ContentType: string;
  Metadata?: Record<string, string>;
}

async function putWhole(
  s3: S3Client,
  file: SourceFile,
  target: Target,
  pool: BufferPool,
  signal?: AbortSignal,
): Promise<void> {
  const buf = await pool.acquire(signal);
  try {
    const body = await readPart(file, buf, { number: 1, offset: 0, length: file.size });
    await assertUnchanged(file);
    const put = new PutObjectCommand({
      ...target,
      Body: body,
      ContentLength: body.length,
      ChecksumCRC32: crc32Base64(body),
    });
    await s3.send(unsignedPayload(put), { abortSignal: signal });
  } finally {
    pool.release(buf);
  }
}

async function putInParts(
  s3: S3Client,
  file: SourceFile,
  parts: Part[],
  target: Target,
  pool: BufferPool,
  signal?: AbortSignal,
): Promise<void> {
  // One controller stops everything: the caller's signal, or the first part that fails.
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
    stop.abort(err);
  };
  // Created while the first parts are read. Not cut short by `stop`: an upload created on the server
  // but not known here could not be aborted.
  const created = s3
    .send(new CreateMultipartUploadCommand({ ...target, ChecksumAlgorithm: 'CRC32' }))
    .then((out) => {
      if (!out.UploadId) throw new Error(`S3 returned no upload id for s3://${target.Bucket}/${target.Key}`);
      return out.UploadId;
    });
  created.catch(fail);
  const { Bucket, Key } = target;
  const completed: CompletedPart[] = [];
  let next = 0;
  const worker = async () => {
    while (next < parts.length && !stop.signal.aborted) {
      const part = parts[next++];
      const buf = await pool.acquire(stop.signal);
      try {
        const body = await readPart(file, buf, part);
        const checksum = crc32Base64(body);
        const UploadId = await created;
        stop.signal.throwIfAborted();
        const cmd = new UploadPartCommand({
          Bucket,
          Key,
          UploadId,
          PartNumber: part.number,
          Body: body,
          ContentLength: body.length,
          ChecksumCRC32: checksum,
        });
        const out = await s3.send(unsignedPayload(cmd), { abortSignal: stop.signal });
        completed.push({ PartNumber: part.number, ETag: out.ETag, ChecksumCRC32: checksum });
      } finally {
        pool.release(buf);
      }
    }
  };
  const workers = Math.min(pool.capacity, parts.length);
  await Promise.all(Array.from({ length: workers }, () => worker().catch(fail)));
  const uploadId = await created.catch(() => undefined);
  try {
    if (signal?.aborted) throw signal.reason ?? new Error('upload cancelled');
    if (failure !== undefined) throw failure;
    await assertUnchanged(file);
    completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        MultipartUpload: { Parts: completed },
      }),
    );
  } catch (err) {
    // Every part request has ended (sent or cut off), so the abort frees all the parts' storage.
    if (uploadId) await abortUpload(s3, Bucket, Key, uploadId, err);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function abortUpload(s3: S3Client, Bucket: string, Key: string, UploadId: string, cause: unknown) {
  try {
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  } catch (abortErr) {
    const why = abortErr instanceof Error ? abortErr.message : String(abortErr);
    if (cause instanceof Error)
      cause.message += ` (and aborting multipart upload ${UploadId} of s3://${Bucket}/${Key} failed: ${why})`;
  }
}

/** Fills the buffer with the part's bytes, read at its offset; fails if the file is now shorter. */
async function readPart(file: SourceFile, buf: Buffer, part: Part): Promise<Buffer> {
  let done = 0;
  while (done < part.length) {
    const { bytesRead } = await file.fh.read(buf, done, part.length - done, part.offset + done);
    if (bytesRead === 0) throw new Error(`${file.path} got shorter while it was being uploaded`);
    done += bytesRead;
  }
  return buf.subarray(0, part.length);
}

/** The object must be the file that was hashed and planned: refuse one rewritten meanwhile. */
async function assertUnchanged(file: SourceFile): Promise<void> {
  const now = await file.fh.stat();
  if (now.size !== file.size || now.mtimeMs !== file.mtimeMs)
    throw new Error(`${file.path} changed while it was being uploaded`);
}

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString('base64');
}

/**
 * Sends the body with `x-amz-content-sha256: UNSIGNED-PAYLOAD` (S3 checks the CRC32 header instead,
 * as the SDK's own streaming uploads do) and without `Expect: 100-continue`, which would cost one
 * round trip per part before its bytes go (a refused part wastes at most one part's bytes).
 * Added at the end of the build step: after the SDK's checksum and expect-continue middlewares,
 * before signing (finalizeRequest).
 */
function unsignedPayload<C extends PutObjectCommand | UploadPartCommand>(cmd: C): C {
  (cmd.middlewareStack as unknown as BuildStack).add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers;
      if (headers) {
        headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
        delete headers.Expect;
        delete headers.expect;
      }
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'unsignedPayloadWithChecksum' },
  );
  return cmd;
}

/** The one shape of the SDK's middleware stack used here (a build-step middleware). */
interface BuildStack {
  add(
    middleware: (
      next: (args: { request: unknown }) => Promise<unknown>,
    ) => (args: { request: unknown }) => Promise<unknown>,
    options: { step: 'build'; priority: 'low'; name: string },
  ): void;
}
