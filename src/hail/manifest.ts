// manifest.json of a cached artifact build: what was built from what. Written last, so its
// presence means both files were complete; read defensively, so a bad one is a cache miss.

import { keyOfInputs } from './artifact-key.js';
import type { BuildKind } from './compat.js';

export const MANIFEST_SCHEMA = 1;
export const MANIFEST_NAME = 'manifest.json';
export const JAR_NAME = 'hail-all-spark.jar';
export const ENV_ARCHIVE_NAME = 'pyspark_hail.tar.gz';

export interface ManifestFile {
  name: string;
  sha256: string;
  size: number;
}

export interface Manifest {
  schema: typeof MANIFEST_SCHEMA;
  key: string;
  /** The canonical inputs the key is the sha256 of. */
  inputs: Record<string, unknown>;
  files: { jar: ManifestFile; envArchive: ManifestFile };
  hail: string;
  /** The Spark the jar is compiled for. */
  spark: string;
  scala: string;
  python: string;
  java: string;
  releaseLabel: string;
  buildKind: BuildKind;
  /** ISO 8601. */
  builtAt: string;
  /** Who built it, e.g. "hail-emr-serverless in https://github.com/o/r/actions/runs/1". */
  builder: string;
}

export interface ManifestMiss {
  miss: string;
}

export function isManifestMiss(value: Manifest | ManifestMiss): value is ManifestMiss {
  return 'miss' in value;
}

export function serializeManifest(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2) + '\n';
}

const SHA256 = /^[0-9a-f]{64}$/;
// A plain file name: the cache reads <dir>/<name>, so no separators or dot-dot.
const FILE_NAME = /^(?!\.\.?$)[A-Za-z0-9._-]+$/;
const STRING_FIELDS = [
  'hail',
  'spark',
  'scala',
  'python',
  'java',
  'releaseLabel',
  'builtAt',
  'builder',
] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fileProblem(label: string, v: unknown): string | undefined {
  if (!isObject(v)) return `files.${label} is missing`;
  if (typeof v.name !== 'string' || !FILE_NAME.test(v.name))
    return `files.${label}.name is not a plain file name`;
  if (typeof v.sha256 !== 'string' || !SHA256.test(v.sha256))
    return `files.${label}.sha256 is not a sha256 hex`;
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size <= 0) {
    return `files.${label}.size is not a positive integer`;
  }
  return undefined;
}

/**
 * Parses and checks a manifest. Never throws: corrupt JSON, another schema, another key, inputs
 * that do not hash to the key, or a missing/ill-formed field all give `{ miss: reason }`.
 */
export function parseManifest(text: string, expectedKey: string): Manifest | ManifestMiss {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { miss: `manifest is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!isObject(data)) return { miss: 'manifest is not a JSON object' };
  if (data.schema !== MANIFEST_SCHEMA) {
    return { miss: `manifest schema is ${JSON.stringify(data.schema)}, expected ${MANIFEST_SCHEMA}` };
  }
  if (data.key !== expectedKey)
    return { miss: `manifest is for key ${JSON.stringify(data.key)}, expected ${expectedKey}` };
  if (!isObject(data.inputs)) return { miss: 'manifest has no inputs object' };
  if (keyOfInputs(data.inputs) !== expectedKey) return { miss: 'manifest inputs do not hash to its key' };
  if (!isObject(data.files)) return { miss: 'manifest has no files object' };
  const problem = fileProblem('jar', data.files.jar) ?? fileProblem('envArchive', data.files.envArchive);
  if (problem) return { miss: `manifest ${problem}` };
  for (const field of STRING_FIELDS) {
    if (typeof data[field] !== 'string' || data[field] === '')
      return { miss: `manifest field ${field} is missing` };
  }
  if (Number.isNaN(Date.parse(data.builtAt as string))) return { miss: 'manifest builtAt is not a date' };
  if (data.buildKind !== 'pypi' && data.buildKind !== 'source')
    return { miss: 'manifest buildKind is not pypi or source' };
  return data as unknown as Manifest;
}
