import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from './errors.js';
import type { S3Location } from './s3-uri.js';

export interface ObjectHead {
  size: number;
  etag?: string;
  metadata: Record<string, string>;
}

/** HEAD an object; undefined when it does not exist. */
export async function headObject(s3: S3Client, loc: S3Location): Promise<ObjectHead | undefined> {
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    return { size: out.ContentLength ?? 0, etag: out.ETag, metadata: out.Metadata ?? {} };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Reads a small text object; undefined when it does not exist; refuses objects over maxBytes. */
export async function getObjectText(
  s3: S3Client,
  loc: S3Location,
  maxBytes = 1 << 20,
): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    if ((out.ContentLength ?? 0) > maxBytes) {
      out.Body?.transformToWebStream()
        .cancel()
        .catch(() => undefined);
      throw new Error(`s3://${loc.bucket}/${loc.key} is larger than ${maxBytes} bytes`);
    }
    return (await out.Body?.transformToString('utf8')) ?? '';
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function putObjectText(
  s3: S3Client,
  loc: S3Location,
  text: string,
  contentType = 'application/json',
): Promise<void> {
  await s3.send(
    new PutObjectCommand({ Bucket: loc.bucket, Key: loc.key, Body: text, ContentType: contentType }),
  );
}

// The uploader has its own module (part planning, buffer pool, multipart); callers import it from here.
export { uploadFile, type UploadOptions } from './file-upload.js';
