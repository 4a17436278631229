import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { explainS3Error, isAccessDenied, isNotFound } from './errors.js';
import { uploadFile as uploadInParts, type UploadOptions } from './file-upload.js';
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
    throw await explainS3Error(s3, err, 'HeadObject', loc);
  }
}

/**
 * HEAD an object whose absence is not an error: undefined when it is absent or when S3 will not say
 * (403: a missing key looks like that to a caller without s3:ListBucket). Before a write, the
 * write then decides; a real lack of s3:GetObject shows up there or when the object is used.
 */
export async function headIfVisible(s3: S3Client, loc: S3Location): Promise<ObjectHead | undefined> {
  try {
    return await headObject(s3, loc);
  } catch (err) {
    if (isAccessDenied(err)) return undefined;
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
    throw await explainS3Error(s3, err, 'GetObject', loc);
  }
}

export async function putObjectText(
  s3: S3Client,
  loc: S3Location,
  text: string,
  contentType = 'application/json',
): Promise<void> {
  await s3
    .send(new PutObjectCommand({ Bucket: loc.bucket, Key: loc.key, Body: text, ContentType: contentType }))
    .catch(async (err: unknown) => Promise.reject(await explainS3Error(s3, err, 'PutObject', loc)));
}

export type { UploadOptions };

/**
 * Uploads a local file (src/aws/file-upload.ts: one PUT, or parts streamed from the file through a
 * bounded pool of buffers), its S3 errors worded with the call, the object, the permission and the region.
 */
export async function uploadFile(
  s3: S3Client,
  localPath: string,
  dest: S3Location,
  opts: UploadOptions = {},
): Promise<void> {
  try {
    await uploadInParts(s3, localPath, dest, opts);
  } catch (err) {
    throw await explainS3Error(s3, err, 'PutObject', dest); // multipart parts need s3:PutObject too
  }
}
