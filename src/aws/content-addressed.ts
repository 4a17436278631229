import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { sha256File } from '../util/hash.js';
import { deniedWriteError } from './errors.js';
import { headIfVisible, uploadFile } from './s3-objects.js';
import { formatS3Uri, joinKey, type S3Location } from './s3-uri.js';

export interface PlacedFile {
  uri: string;
  sha256: string;
  size: number;
  /** Bytes sent; 0 when an object with the same content hash was already there. */
  uploadedBytes: number;
}

/** `<prefix>/<area>/<sha256>/<file name>`: runs from different commits never share a key unless the bytes match. */
export function contentAddressedLocation(
  prefix: S3Location,
  area: string,
  sha256: string,
  fileName: string,
): S3Location {
  return { bucket: prefix.bucket, key: joinKey(prefix.key, area, sha256, fileName) };
}

// A SHA-256 stand-in: same length and alphabet as a real content hash.
const STAND_IN_SHA256 = '0'.repeat(64);

/**
 * Where a local file will live, shaped exactly like its real key but with a stand-in hash: enough
 * to check a request against the service's constraints without waiting for the file's hash.
 */
export function placementShape(localPath: string, prefix: S3Location, area: string): string {
  return formatS3Uri(contentAddressedLocation(prefix, area, STAND_IN_SHA256, basename(localPath)));
}

/** Where a local file will live, without touching S3 (dry runs). */
export async function planPlacement(
  localPath: string,
  prefix: S3Location,
  area: string,
): Promise<PlacedFile> {
  const { sha256, size } = await sha256File(localPath);
  const uri = formatS3Uri(contentAddressedLocation(prefix, area, sha256, basename(localPath)));
  return { uri, sha256, size, uploadedBytes: 0 };
}

/**
 * Uploads a local file under its content hash, unless an object of the same size is already there
 * (the key is the hash, so same key and size means same bytes). The hash is also stored as metadata.
 * A 403 on the HEAD is "not known to be there": the upload decides, and a denied upload says which
 * permission is missing.
 */
export async function placeFile(
  s3: S3Client,
  localPath: string,
  prefix: S3Location,
  area: string,
  signal?: AbortSignal,
): Promise<PlacedFile> {
  const plan = await planPlacement(localPath, prefix, area);
  const loc = contentAddressedLocation(prefix, area, plan.sha256, basename(localPath));
  const existing = await headIfVisible(s3, loc);
  if (existing && existing.size === plan.size) return plan;
  await uploadFile(s3, localPath, loc, { metadata: { sha256: plan.sha256 }, signal }).catch(
    (err: unknown) => {
      throw deniedWriteError(err, `Uploading ${basename(localPath)}`) ?? err;
    },
  );
  return { ...plan, uploadedBytes: plan.size };
}
