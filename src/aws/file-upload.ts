import { open, type FileHandle } from 'node:fs/promises';
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
import { crc32OfRange, PartBody, type FileRange } from './part-body.js';
import { planUpload, type Part } from './part-plan.js';
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

// 5 MiB parts (S3's smallest), 16 in flight. Against S3, which limits each connection, throughput
// grows with parts in flight far more than with part size, so parts are as small as S3 allows. Parts
// are streamed from the file, so memory does not grow with part size: a part in flight holds one
// 1 MiB buffer (its checksum pass, then its two send halves), 16 MiB in all, shared by every upload.
// Measured with bench/tune-upload.mjs (256 MiB, capped target): 8 in flight 1.28 s, 12 0.98 s,
// 16 0.88 s; on moto all three take 1.8-1.9 s. Buffers of 0.5 to 4 MiB made no difference beyond noise.
export const DEFAULT_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PARTS_IN_FLIGHT = 16;
export const PART_BUFFER_SIZE = 1024 * 1024;

let shared: BufferPool | undefined;

/** The pool an upload draws from: the process-wide one, unless the caller sets its own concurrency. */
function poolFor(opts: UploadOptions): BufferPool {
  if (opts.queueSize !== undefined) return new BufferPool(PART_BUFFER_SIZE, opts.queueSize);
  return (shared ??= new BufferPool(PART_BUFFER_SIZE, DEFAULT_PARTS_IN_FLIGHT));
}

/**
 * Uploads a local file. Small files go in one PutObject, large ones as a multipart upload whose
 * parts are sent in parallel, each streamed positionally from the file through a pooled buffer
 * (memory = parts in flight x 1 MiB, whatever the part size), with a CRC32 that S3 checks and an
 * unsigned payload (the bytes are hashed once, by CRC32, not again by SigV4). Either way the object
 * appears under its key only when complete; a failed multipart upload is aborted (no half object, no
 * orphaned parts left billing), as is one cut short by `signal`.
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
    pool = poolFor(opts);
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
  await sendRange(s3, rangeOf(file, 0, file.size), pool, signal, async (checksum) => {
    await assertUnchanged(file);
    return new PutObjectCommand({ ...target, ContentLength: file.size, ChecksumCRC32: checksum });
  });
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
  // Created while the first parts are checksummed. Not cut short by `stop`: an upload created on the
  // server but not known here could not be aborted.
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
      const range = rangeOf(file, part.offset, part.length);
      const { etag, checksum } = await sendRange(s3, range, pool, stop.signal, async (ChecksumCRC32) => {
        const UploadId = await created;
        stop.signal.throwIfAborted();
        return new UploadPartCommand({
          Bucket,
          Key,
          UploadId,
          PartNumber: part.number,
          ContentLength: part.length,
          ChecksumCRC32,
        });
      });
      completed.push({ PartNumber: part.number, ETag: etag, ChecksumCRC32: checksum });
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

/**
 * Sends one range of the file as the body of the command `make` returns (given the range's CRC32):
 * checksummed through a pooled buffer, then streamed from the file through the same buffer.
 */
async function sendRange(
  s3: S3Client,
  range: FileRange,
  pool: BufferPool,
  signal: AbortSignal | undefined,
  make: (checksumCrc32: string) => Promise<PutObjectCommand | UploadPartCommand>,
): Promise<{ etag?: string; checksum: string }> {
  const buf = await pool.acquire(signal);
  let bodies: { settled(): Promise<void> } | undefined;
  try {
    const checksum = crc32Base64(await crc32OfRange(range, buf));
    signal?.throwIfAborted();
    const command = unsignedPayload(await make(checksum));
    bodies = bodyPerAttempt(command, range, buf);
    // Either command's output has the ETag; send's overloads want one command type.
    const output = await s3.send(command as UploadPartCommand, { abortSignal: signal });
    return { etag: output.ETag, checksum };
  } finally {
    await bodies?.settled();
    pool.release(buf);
  }
}

/**
 * Gives each attempt of `cmd` (the SDK retries) a body of its own over `range`, made once the one
 * before has let go of `buf`. `settled()` gives up a send still going (its answer is in) and resolves
 * once no body can read into `buf` any more. Added at the deserialize step: inside the retry loop.
 */
function bodyPerAttempt(cmd: PutObjectCommand | UploadPartCommand, range: FileRange, buf: Buffer) {
  let body: PartBody | undefined;
  const settled = async () => {
    body?.abandon();
    await body?.released();
  };
  stackOf(cmd).add(
    (next) => async (args) => {
      await settled(); // the attempt before has its answer
      body = new PartBody(range, buf);
      (args.request as { body?: unknown }).body = body;
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'fileRangeBodyPerAttempt' },
  );
  return { settled };
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

const rangeOf = (file: SourceFile, offset: number, length: number): FileRange => ({
  fh: file.fh,
  path: file.path,
  offset,
  length,
});

/** The object must be the file that was hashed and planned: refuse one rewritten meanwhile. */
async function assertUnchanged(file: SourceFile): Promise<void> {
  const now = await file.fh.stat();
  if (now.size !== file.size || now.mtimeMs !== file.mtimeMs)
    throw new Error(`${file.path} changed while it was being uploaded`);
}

function crc32Base64(crc: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc);
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
  stackOf(cmd).add(
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

/** The one shape of the SDK's middleware stack used here: a middleware over the HTTP request. */
interface RequestStack {
  add(
    middleware: (
      next: (args: { request: unknown }) => Promise<unknown>,
    ) => (args: { request: unknown }) => Promise<unknown>,
    options: { step: 'build' | 'deserialize'; priority: 'low'; name: string },
  ): void;
}

const stackOf = (cmd: PutObjectCommand | UploadPartCommand) => cmd.middlewareStack as unknown as RequestStack;
