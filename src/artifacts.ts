import type { S3Client } from '@aws-sdk/client-s3';
import { placeFile, planPlacement } from './aws/content-addressed.js';
import { openS3Access } from './aws/s3-read.js';
import { parseS3Uri, type S3Location } from './aws/s3-uri.js';
import { Input } from './constants.js';
import { unlistedHailMessage } from './hail/compat.js';
import { JAR_BUILD_ENTRIES, jarBuildFrom, type GivenJar, type JarBuild } from './hail/jar-build.js';
import { isListedHailVersion } from './hail/versions.js';
import type { ArtifactInput } from './inputs.js';
import type { ArtifactsSource } from './report/model.js';
import { InputError } from './util/errors.js';
import { openFileAccess, readZipEntries, ZipError } from './util/zip-read.js';

export interface HailArtifacts {
  jarUri: string;
  envArchiveUri: string;
  source: ArtifactsSource;
  cacheKey?: string;
  /** Artifact bytes sent to S3 by this run. */
  uploadedBytes: number;
  /** Content hashes, where the action knows them (it hashed the files, or a cache manifest says). */
  jarSha256?: string;
  envArchiveSha256?: string;
}

/** Where prebuilt artifacts from the workspace are placed, under their content hash. */
export const PREBUILT_AREA = 'artifacts';

/**
 * Prebuilt artifacts: an s3:// URI is used as is; a workspace file is uploaded under its content
 * hash (skipped when already there). Source is `prebuilt` when nothing needed uploading.
 */
export async function placePrebuiltArtifacts(
  s3: S3Client | undefined,
  prefix: S3Location,
  jar: ArtifactInput,
  envArchive: ArtifactInput,
  signal?: AbortSignal,
): Promise<HailArtifacts> {
  const place = async (a: ArtifactInput) => {
    if (a.kind === 's3') return { uri: a.uri, uploadedBytes: 0, local: false, sha256: undefined };
    const placed = s3
      ? await placeFile(s3, a.file.path, prefix, PREBUILT_AREA, signal)
      : await planPlacement(a.file.path, prefix, PREBUILT_AREA);
    return { uri: placed.uri, uploadedBytes: placed.uploadedBytes, local: true, sha256: placed.sha256 };
  };
  // Both in parallel: the jar and the archive are the two largest uploads of a run.
  const [j, e] = await Promise.all([place(jar), place(envArchive)]);
  const uploadedBytes = j.uploadedBytes + e.uploadedBytes;
  return {
    jarUri: j.uri,
    envArchiveUri: e.uri,
    source: uploadedBytes > 0 ? 'uploaded' : 'prebuilt',
    uploadedBytes,
    jarSha256: j.sha256,
    envArchiveSha256: e.sha256,
  };
}

/**
 * What a prebuilt hail-jar says about its build (the Spark it was compiled for): read from the
 * workspace file, or with a few ranged GETs from S3. Nothing is uploaded.
 */
export async function readJarBuild(s3: S3Client | undefined, jar: ArtifactInput): Promise<JarBuild> {
  const wanted = (name: string) => JAR_BUILD_ENTRIES.includes(name);
  try {
    if (jar.kind === 'local') {
      const file = await openFileAccess(jar.file.path);
      try {
        return jarBuildFrom(await readZipEntries(file, wanted));
      } finally {
        await file.close();
      }
    }
    if (!s3) {
      throw new InputError(
        Input.HailJar,
        `${jar.uri} is in S3, which a dry run does not read; give hail-jar as a workspace file to check ` +
          `a Hail version newer than the table`,
      );
    }
    const source = await openS3Access(s3, parseS3Uri(jar.uri));
    if (!source) throw new InputError(Input.HailJar, `${jar.uri} does not exist`);
    return jarBuildFrom(await readZipEntries(source, wanted));
  } catch (err) {
    if (err instanceof ZipError) {
      const name = jar.kind === 'local' ? jar.file.relPath : jar.uri;
      throw new InputError(Input.HailJar, `${name} is not a readable jar: ${err.message}`);
    }
    throw err;
  }
}

/**
 * For a Hail version newer than the table: the facts of the hail-jar given with it (read before
 * any upload). Undefined for a listed version; refused (naming hail-version) without a hail-jar.
 */
export async function readGivenJar(
  s3: S3Client | undefined,
  config: { hailVersion: string; hailJar?: ArtifactInput; hailEnvArchive?: ArtifactInput },
): Promise<GivenJar | undefined> {
  if (isListedHailVersion(config.hailVersion)) return undefined;
  if (!config.hailJar || !config.hailEnvArchive) {
    throw new InputError(Input.HailVersion, unlistedHailMessage(config.hailVersion));
  }
  const jar = config.hailJar;
  const name = jar.kind === 'local' ? jar.file.relPath : jar.uri;
  return { build: await readJarBuild(s3, jar), name };
}
