// The S3 cache of built artifacts: <prefix>/hail/<key>/{manifest.json, hail-all-spark.jar,
// pyspark_hail.tar.gz}. A lookup is one GET of the manifest and two HEADs; a store uploads both
// files and writes the manifest last, so a half-finished store is never a hit.

import type { S3Client } from '@aws-sdk/client-s3';
import { deniedWriteError, isAccessDenied } from '../aws/errors.js';
import { getObjectText, headIfVisible, putObjectText, uploadFile } from '../aws/s3-objects.js';
import { formatS3Uri, joinKey, type S3Location } from '../aws/s3-uri.js';
import { sha256File } from '../util/hash.js';
import {
  ENV_ARCHIVE_NAME,
  isManifestMiss,
  JAR_NAME,
  MANIFEST_NAME,
  MANIFEST_SCHEMA,
  parseManifest,
  serializeManifest,
  type Manifest,
} from './manifest.js';

export const CACHE_AREA = 'hail';

export interface CacheLocations {
  dir: S3Location;
  manifest: S3Location;
  jar: S3Location;
  envArchive: S3Location;
}

/** Where an entry lives; the file names are the manifest's (defaults for a store). */
export function cacheLocations(
  prefix: S3Location,
  key: string,
  names: { jar: string; envArchive: string } = { jar: JAR_NAME, envArchive: ENV_ARCHIVE_NAME },
): CacheLocations {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`"${key}" is not an artifact key (64 hex digits)`);
  const dir: S3Location = { bucket: prefix.bucket, key: joinKey(prefix.key, CACHE_AREA, key) };
  const at = (name: string): S3Location => ({ bucket: dir.bucket, key: joinKey(dir.key, name) });
  return { dir, manifest: at(MANIFEST_NAME), jar: at(names.jar), envArchive: at(names.envArchive) };
}

export type CacheLookup =
  { hit: true; manifest: Manifest; jarUri: string; envArchiveUri: string } | { hit: false; reason: string };

/**
 * Looks an entry up: GET manifest.json, check it, then HEAD both files and compare sizes.
 * Anything missing (404, or 403: S3's answer for a missing key to a caller without s3:ListBucket),
 * corrupt or of the wrong size is a miss with a reason; other S3 errors (network, 5xx) are thrown.
 */
export async function lookupCachedArtifacts(
  s3: S3Client,
  cachePrefix: S3Location,
  key: string,
): Promise<CacheLookup> {
  const where = cacheLocations(cachePrefix, key);
  const text = await getObjectText(s3, where.manifest).catch((err: unknown) => {
    // Without s3:ListBucket a missing manifest answers 403: not known to be there, so a miss; the
    // store that follows decides (and names the permission if it is denied too).
    if (isAccessDenied(err)) return null;
    throw err;
  });
  if (text === null)
    return { hit: false, reason: `${formatS3Uri(where.manifest)} is missing or not readable (403)` };
  if (text === undefined) return { hit: false, reason: `no ${formatS3Uri(where.manifest)}` };
  const manifest = parseManifest(text, key);
  if (isManifestMiss(manifest))
    return { hit: false, reason: `${formatS3Uri(where.manifest)}: ${manifest.miss}` };

  const files = cacheLocations(cachePrefix, key, {
    jar: manifest.files.jar.name,
    envArchive: manifest.files.envArchive.name,
  });
  const [jarHead, envHead] = await Promise.all([
    headIfVisible(s3, files.jar),
    headIfVisible(s3, files.envArchive),
  ]);
  const checks = [
    { loc: files.jar, head: jarHead, expected: manifest.files.jar.size },
    { loc: files.envArchive, head: envHead, expected: manifest.files.envArchive.size },
  ];
  for (const { loc, head, expected } of checks) {
    if (!head) return { hit: false, reason: `${formatS3Uri(loc)} is missing (manifest lists it)` };
    if (head.size !== expected) {
      return {
        hit: false,
        reason: `${formatS3Uri(loc)} is ${head.size} bytes; the manifest says ${expected}`,
      };
    }
  }
  return {
    hit: true,
    manifest,
    jarUri: formatS3Uri(files.jar),
    envArchiveUri: formatS3Uri(files.envArchive),
  };
}

/** Manifest fields the caller knows; schema, key and files are filled in by storeArtifacts. */
export type ManifestFields = Omit<Manifest, 'schema' | 'key' | 'files' | 'builtAt'> & { builtAt?: string };

export interface StoredArtifacts {
  jarUri: string;
  envArchiveUri: string;
  manifest: Manifest;
  /** Bytes of artifact files sent (the manifest not counted). */
  uploadedBytes: number;
}

/**
 * Uploads both files (hashed first, sha256 also put in object metadata), then writes manifest.json.
 * Overwriting an existing entry is harmless: the key is content-addressed.
 */
export async function storeArtifacts(
  s3: S3Client,
  cachePrefix: S3Location,
  key: string,
  paths: { jarPath: string; envArchivePath: string },
  fields: ManifestFields,
  signal?: AbortSignal,
): Promise<StoredArtifacts> {
  const where = cacheLocations(cachePrefix, key);
  const [jar, env] = await Promise.all([sha256File(paths.jarPath), sha256File(paths.envArchivePath)]);
  if (jar.size === 0 || env.size === 0) throw new Error('refusing to cache an empty Hail artifact');
  const explained = (what: string) => (err: unknown) => {
    throw deniedWriteError(err, what) ?? err;
  };
  await Promise.all([
    uploadFile(s3, paths.jarPath, where.jar, {
      contentType: 'application/java-archive',
      metadata: { sha256: jar.sha256 },
      signal,
    }).catch(explained('Caching the Hail jar')),
    uploadFile(s3, paths.envArchivePath, where.envArchive, {
      contentType: 'application/gzip',
      metadata: { sha256: env.sha256 },
      signal,
    }).catch(explained('Caching the Hail environment archive')),
  ]);
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    key,
    ...fields,
    builtAt: fields.builtAt ?? new Date().toISOString(),
    files: {
      jar: { name: JAR_NAME, sha256: jar.sha256, size: jar.size },
      envArchive: { name: ENV_ARCHIVE_NAME, sha256: env.sha256, size: env.size },
    },
  };
  // Last: only now is the entry complete.
  await putObjectText(s3, where.manifest, serializeManifest(manifest)).catch(
    explained('Writing the artifact cache manifest'),
  );
  return {
    jarUri: formatS3Uri(where.jar),
    envArchiveUri: formatS3Uri(where.envArchive),
    manifest,
    uploadedBytes: jar.size + env.size,
  };
}
