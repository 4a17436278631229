import { Readable, Transform, pipeline } from 'node:stream';
import { constants, createGunzip } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { explainS3Error, isNotFound } from './errors.js';
import type { S3Location } from './s3-uri.js';

export interface ListedObject {
  key: string;
  size: number;
  lastModified?: Date;
  etag?: string;
}

/** Lists objects under a prefix, up to `limit` (a Hail table can hold thousands of part files). */
export async function listObjects(
  s3: S3Client,
  prefix: S3Location,
  limit = 10_000,
): Promise<{ objects: ListedObject[]; truncated: boolean }> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    const out = await s3
      .send(
        new ListObjectsV2Command({
          Bucket: prefix.bucket,
          Prefix: prefix.key,
          ContinuationToken: token,
          MaxKeys: Math.min(1000, limit - objects.length),
        }),
      )
      .catch(async (err: unknown) => Promise.reject(await explainS3Error(s3, err, 'ListObjectsV2', prefix)));
    for (const o of out.Contents ?? []) {
      objects.push({ key: o.Key ?? '', size: o.Size ?? 0, lastModified: o.LastModified, etag: o.ETag });
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token && objects.length < limit);
  return { objects, truncated: token !== undefined };
}

/**
 * One level of a listing: the objects directly under `prefix` and the sub-"folders" (common
 * prefixes up to the next `/`). At most `maxPages` requests, so a caller's cost stays bounded.
 */
export async function listLevel(
  s3: S3Client,
  prefix: S3Location,
  maxPages = 1,
): Promise<{ objects: ListedObject[]; prefixes: string[]; truncated: boolean }> {
  const objects: ListedObject[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({
        Bucket: prefix.bucket,
        Prefix: prefix.key,
        Delimiter: '/',
        ContinuationToken: token,
      }),
    );
    pages++;
    for (const o of out.Contents ?? []) {
      objects.push({ key: o.Key ?? '', size: o.Size ?? 0, lastModified: o.LastModified });
    }
    for (const p of out.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token && pages < maxPages);
  return { objects, prefixes, truncated: token !== undefined };
}

/**
 * Streams an object's bytes, gunzipped when the key ends in .gz; undefined when it does not exist.
 * Nothing is buffered whole, so a gigabyte of driver log costs a few chunks of memory.
 */
export async function openObjectStream(
  s3: S3Client,
  loc: S3Location,
  abortSignal?: AbortSignal,
): Promise<AsyncIterable<Buffer> | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }), { abortSignal });
    const body = out.Body as Readable | undefined;
    if (!body) return undefined;
    if (!loc.key.endsWith('.gz')) return body;
    return gunzipKeepingWhatDecompresses(body);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw await explainS3Error(s3, err, 'GetObject', loc);
  }
}

/** An S3 object as a random-access source (ranged GETs), for reading a few entries of a big zip. */
export async function openS3Access(
  s3: S3Client,
  loc: S3Location,
): Promise<{ size: number; read(offset: number, length: number): Promise<Buffer> } | undefined> {
  let size: number;
  try {
    size = (await s3.send(new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key }))).ContentLength ?? 0;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  return {
    size,
    async read(offset, length) {
      if (length <= 0) return Buffer.alloc(0);
      const out = await s3.send(
        new GetObjectCommand({
          Bucket: loc.bucket,
          Key: loc.key,
          Range: `bytes=${offset}-${Math.min(size, offset + length) - 1}`,
        }),
      );
      return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
    },
  };
}

// gzip's trailer: CRC-32 and length (mod 2^32) of the uncompressed data, checked after the last byte.
const GZIP_TRAILER = 8;
const MAX_WRITE = 64 * 1024;

/**
 * Gunzips a body so that a damaged log still yields what decompressed before the damage (with a
 * driver log, the traceback is often all of its worth), then fails with the reason:
 * - a cut-short object decompresses to its last byte (finishFlush Z_SYNC_FLUSH), and is then told
 *   apart from a whole one by its trailer: the length recorded there does not match. (EMR Serverless
 *   writes each log as one gzip member; for several, only the last one's length would be checked.)
 * - inflate loses the output of the write that fails: writes of at most 64 KiB bound that loss,
 *   and the trailer goes in a write of its own, so a bad checksum loses no text at all.
 * A body error (reset connection) reaches the reader through pipeline, as an error after the text.
 */
export function gunzipKeepingWhatDecompresses(body: Readable | AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  let held = Buffer.alloc(0);
  const writes = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const all = Buffer.concat([held, chunk]);
      const cut = Math.max(0, all.length - GZIP_TRAILER);
      for (let i = 0; i < cut; i += MAX_WRITE) this.push(all.subarray(i, Math.min(cut, i + MAX_WRITE)));
      held = all.subarray(cut);
      done();
    },
    flush(done) {
      if (held.length) this.push(held);
      done();
    },
  });
  const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
  pipeline(body instanceof Readable ? body : Readable.from(body), writes, gunzip, () => undefined);
  return (async function* () {
    let total = 0;
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      yield chunk;
    }
    if (held.length < GZIP_TRAILER || held.readUInt32LE(4) !== total % 2 ** 32)
      throw new Error('the gzip data was cut short');
  })();
}
