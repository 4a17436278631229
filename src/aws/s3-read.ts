import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
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
    // pipeline forwards a body error (reset connection) to the gunzip stream the caller reads.
    const gunzip = createGunzip();
    pipeline(body, gunzip, () => undefined);
    return gunzip;
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
