// Builders for the pastes a fix offers: `spark-conf` lines, action inputs, the IAM statement the job
// runtime role lacks. Pure: everything comes from the match and the run's context.

import { parseS3Uri } from '../../aws/s3-uri.js';
import { hailSparkPresets } from '../../hail/spark-submit.js';
import { EMR_RELEASES, HAIL_RANGES, compareLabels, compareVersions } from '../../hail/versions.js';
import { chooseReleaseLabel } from '../../hail/compat.js';
import type { DiagnosisContext, Fix, Paste } from './model.js';

/** action.yml's default `hail-version`, offered when a fix needs a Hail version. */
export const DEFAULT_HAIL = '0.2.134';

/** Lines to add under the action's `spark-conf` input. */
export function sparkConfPaste(lines: readonly string[]): Paste {
  return {
    target: "the action's `with:`",
    language: 'yaml',
    text: ['spark-conf: |', ...lines.map((l) => `  ${l}`)].join('\n'),
  };
}

/** Action inputs to set. */
export function inputsPaste(values: Readonly<Record<string, string>>): Paste {
  const text = Object.entries(values)
    .map(([k, v]) => `${k}: ${/^[\w./-]+$/.test(v) && !/^\d/.test(v) ? v : JSON.stringify(v)}`)
    .join('\n');
  return { target: "the action's `with:`", language: 'yaml', text };
}

/** The newest release whose Spark has this major.minor, e.g. "3.5" -> emr-7.13.0. */
export function newestReleaseForSpark(sparkMinor: string): string | undefined {
  const labels = EMR_RELEASES.filter((r) => r.sparkMinor === sparkMinor).map((r) => r.label);
  return labels.sort(compareLabels).at(-1);
}

/** The newest Hail patch release whose python_requires the given Python meets. */
export function newestHailForPython(python: string): string | undefined {
  const fits = HAIL_RANGES.filter((r) => compareVersions(r.pythonMin, python) <= 0);
  const last = fits.at(-1);
  return last ? `0.2.${last.last}` : undefined;
}

/** The role's name from its ARN ("arn:aws:iam::1:role/path/name" -> "name"). */
export function roleName(arn: string | undefined): string | undefined {
  return arn ? arn.slice(arn.lastIndexOf('/') + 1) : undefined;
}

/** Trims a URI to the folder the grant should cover: the configured prefix it lies under, else its parent. */
export function grantPrefix(uri: string, ctx: DiagnosisContext): { bucket: string; key: string } {
  const loc = parseS3Uri(uri);
  for (const base of [ctx.outputUri, ctx.s3Prefix ? `${ctx.s3Prefix}/tmp` : undefined, ctx.s3Prefix]) {
    if (!base) continue;
    const b = parseS3Uri(base);
    const key = b.key.replace(/\/+$/, '');
    if (b.bucket === loc.bucket && (loc.key === key || loc.key.startsWith(`${key}/`))) {
      return { bucket: b.bucket, key };
    }
  }
  const key = loc.key.replace(/\/+$/, '');
  // A Hail table or matrix table is a folder: grant the folder that holds it.
  const folder = key.replace(/\/[^/]*$/, '');
  return { bucket: loc.bucket, key: folder === key ? '' : folder };
}

/** The statement the job runtime role needs to read (and, with write, write) under a prefix. */
export function iamPaste(bucket: string, key: string, write: boolean, role: string | undefined): Paste {
  const objects = key ? `arn:aws:s3:::${bucket}/${key}/*` : `arn:aws:s3:::${bucket}/*`;
  const actions = write
    ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']
    : ['s3:GetObject'];
  const statement = [
    {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${bucket}`,
      // IfExists: EMRFS's HEAD of a missing key is judged with or without s3:prefix.
      ...(key ? { Condition: { StringLikeIfExists: { 's3:prefix': [key, `${key}/*`] } } } : {}),
    },
    { Effect: 'Allow', Action: actions, Resource: objects },
  ];
  return {
    target: `the job runtime role${role ? ` \`${role}\`` : ''}'s policy (Statement entries)`,
    language: 'json',
    text: JSON.stringify(statement, null, 2),
  };
}

const PRESETS = new Map(hailSparkPresets());

/** The value the job ran with: the user's `spark-conf`, else the action's preset. */
export function effectiveSetting(ctx: DiagnosisContext, key: string): string | undefined {
  return ctx.sparkConf?.[key] ?? PRESETS.get(key);
}

/** A Spark size ("27g", "4096m", "200G") in GB; undefined when not given or not understood. */
export function sizeInGb(value: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt])?b?$/i.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const scale: Record<string, number> = { k: 1 / 1024 ** 2, m: 1 / 1024, g: 1, t: 1024 };
  return Number(m[1]) * scale[(m[2] ?? 'm').toLowerCase()]!; // Spark reads a bare number as MiB
}

/**
 * The next worker size up for a driver or executor that ran out of heap: memory (+10% overhead)
 * must fit the worker, 4 vCPU up to 30 GB, 8 vCPU up to 60 GB, 16 vCPU up to 120 GB.
 * Undefined when the job already had the largest.
 */
export function biggerMemory(ctx: DiagnosisContext, role: 'driver' | 'executor'): string[] | undefined {
  // EMR Serverless's default driver and executor: 4 vCPU, spark.*.memory 14g (unverified for every release).
  const now = sizeInGb(effectiveSetting(ctx, `spark.${role}.memory`)) ?? 14;
  if (now < 27) return [`spark.${role}.memory=27g`];
  if (now < 54) return [`spark.${role}.cores=8`, `spark.${role}.memory=54g`];
  if (now < 108) return [`spark.${role}.cores=16`, `spark.${role}.memory=108g`];
  return undefined;
}

/** The release label the context's Hail version runs on (the action's default Hail when unknown). */
export function releaseFor(ctx: DiagnosisContext): string {
  try {
    return chooseReleaseLabel(ctx.hailVersion ?? DEFAULT_HAIL);
  } catch {
    return chooseReleaseLabel(DEFAULT_HAIL);
  }
}

export const WORKER_SIZES =
  'EMR Serverless allows 4 vCPU workers with 8–30 GB, 8 vCPU with 16–60 GB (4 GB steps), 16 vCPU with 32–120 GB (8 GB steps)';

/** The next worker size for a driver or executor out of heap, or what to do when it is the largest. */
export function memoryFix(ctx: DiagnosisContext, role: 'driver' | 'executor'): Fix {
  const lines = biggerMemory(ctx, role);
  if (!lines) {
    return {
      action: `The ${role} already has the largest worker (${WORKER_SIZES}): split the work, e.g. more partitions, or fewer \`spark.executor.cores\` per executor so each task gets more memory.`,
    };
  }
  return {
    action: `Raise ${role} memory; memory + overhead (10%) must fit the worker: ${WORKER_SIZES}.`,
    paste: sparkConfPaste(lines),
  };
}
