import type { S3Client } from '@aws-sdk/client-s3';
import { placeFile, planPlacement } from './aws/content-addressed.js';
import type { S3Location } from './aws/s3-uri.js';
import type { ArtifactInput } from './inputs.js';
import type { ArtifactsSource } from './report/model.js';

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

const AREA = 'artifacts';

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
      ? await placeFile(s3, a.file.path, prefix, AREA, signal)
      : await planPlacement(a.file.path, prefix, AREA);
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
