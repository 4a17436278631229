// The facts: which Hail releases exist and what their jar and Python need, and what each EMR
// Serverless release runs. Decisions over these tables live in compat.ts.
//
// Sources (checked 2026-09): Hail's own source at each tag (hail/Makefile SPARK_VERSION and
// SCALA_VERSION defaults, build.gradle / build.sc / build.mill, python/setup.py python_requires,
// HailContext.scala / py4j_backend.py for the Java check) and the AWS "EMR Serverless <version>"
// and "Amazon EMR release <version>" pages. Anything no primary source confirmed says
// "unverified" beside it.

import { InputError } from '../util/errors.js';

export type Architecture = 'X86_64' | 'ARM64';
export type OsFamily = 'al2' | 'al2023';
/**
 * '8-or-11': Hail refuses to start on any other Java (HailContext.checkJavaVersion is fatal).
 * '11-only': Hail starts on any Java but supports only 11; on another it warns (javaWarning).
 */
export type JavaRule = '8-or-11' | '11-only';

/** A run of Hail patch releases (0.2.first … 0.2.last) whose jar and Python needs are the same. */
export interface HailRange {
  readonly first: number;
  readonly last: number;
  /** Spark the PyPI wheel's jar is compiled for (Hail checks major.minor at start; patch only warns). */
  readonly jarSpark: string;
  readonly scala: string;
  /** setup.py python_requires minimum, major.minor. */
  readonly pythonMin: string;
  readonly javaRule: JavaRule;
  /** For '11-only': what Hail itself prints at start on another Java (verbatim, Java 17 filled in). */
  readonly javaWarning?: string;
  /**
   * A Spark major.minor that no Hail release targets but these tags can be built from source for.
   * Only Spark 3.2 (emr-6.6/6.7), known to work with `make install-on-cluster` on 0.2.100; the
   * rest of 0.2.97–0.2.109 is assumed to behave the same (same build, same Spark 3.1 default).
   * Later tags target Spark 3.3+ and are not offered for 3.2 (unverified whether they would build).
   */
  readonly sourceBuild?: { readonly sparkMinor: string; readonly spark: string; readonly scala: string };
}

export const HAIL_FIRST_PATCH = 97;
export const HAIL_LAST_PATCH = 139;

const TESTED_ON_11 = {
  javaRule: '11-only',
  javaWarning: 'Hail is tested against Java 11, found 17.0.x',
} as const;
const NOT_SUPPORTED_BUT_11 = {
  javaRule: '11-only',
  javaWarning:
    'Hail was built and tested with Java 11. You are using Java 17.0.x which is not supported. ' +
    'This may lead to errors. Consider installing Java 11 and setting the JAVA_HOME environment variable.',
} as const;

// SPARK_VERSION=3.2.1 is the value known to work (Hail checks major.minor only, so emr-6.6.0's 3.2.0 is fine).
const SPARK_32_SOURCE_BUILD = { sparkMinor: '3.2', spark: '3.2.1', scala: '2.12.13' } as const;

export const HAIL_RANGES: readonly HailRange[] = [
  {
    first: 97,
    last: 109,
    jarSpark: '3.1.3',
    scala: '2.12.13',
    pythonMin: '3.7',
    javaRule: '8-or-11',
    sourceBuild: SPARK_32_SOURCE_BUILD,
  },
  { first: 110, last: 115, jarSpark: '3.3.0', scala: '2.12.13', pythonMin: '3.7', javaRule: '8-or-11' },
  { first: 116, last: 120, jarSpark: '3.3.0', scala: '2.12.15', pythonMin: '3.8', javaRule: '8-or-11' },
  { first: 121, last: 126, jarSpark: '3.3.0', scala: '2.12.15', pythonMin: '3.9', javaRule: '8-or-11' },
  { first: 127, last: 130, jarSpark: '3.3.2', scala: '2.12.18', pythonMin: '3.9', javaRule: '8-or-11' },
  // 0.2.131–0.2.136: HailContext.checkJavaVersion warns `Hail is tested against Java 11, found <v>`.
  { first: 131, last: 135, jarSpark: '3.5.0', scala: '2.12.18', pythonMin: '3.9', ...TESTED_ON_11 },
  { first: 136, last: 136, jarSpark: '3.5.0', scala: '2.12.18', pythonMin: '3.10', ...TESTED_ON_11 },
  // The Makefile says only "2.12" for Scala from 0.2.137 on. From 0.2.137 the check moved to
  // python/hail/backend/py4j_backend.py, in the words "not supported. This may lead to errors."
  { first: 137, last: 139, jarSpark: '3.5.3', scala: '2.12', pythonMin: '3.10', ...NOT_SUPPORTED_BUT_11 },
];

/**
 * Published post-releases (tags in hail-is/hail; each changes only backports, not the Spark,
 * Scala or Python of its base release, per its hail/version.mk and setup.py). They map to their
 * base release's row.
 */
export const HAIL_POST_RELEASES: readonly string[] = ['0.2.127.post1', '0.2.130.post1'];

/**
 * Where a release's Spark version comes from: its AWS release page, the shared notes (the ends of
 * each range), or bounds from its verified neighbours ('unverified').
 */
export type SparkSource = 'aws-docs' | 'notes' | 'unverified';

export interface EmrRelease {
  readonly label: string;
  /** Exact Spark version, or (when unverified) the range its neighbours pin it to, e.g. '3.5.0–3.5.1'. */
  readonly spark: string;
  readonly sparkMinor: string;
  readonly sparkSource: SparkSource;
  readonly os: OsFamily;
  /** Default Python, major.minor; undefined when unknown. */
  readonly python?: string;
  readonly java: string;
  /** Other Java versions a job can select with JAVA_HOME. */
  readonly javaSelectable: readonly string[];
  /** Scala binary version of the release's Spark: 2.12 on emr-6/7, 2.13 on emr-spark-8 (AWS pages). */
  readonly scala: string;
}

function release(
  label: string,
  spark: string,
  sparkSource: SparkSource,
  os: OsFamily,
  python: string | undefined,
  java: string,
  javaSelectable: readonly string[] = [],
): EmrRelease {
  const sparkMinor = /^(\d+\.\d+)/.exec(spark)![1]!;
  const scala = Number(sparkMinor.split('.')[0]) >= 4 ? '2.13' : '2.12';
  return { label, spark, sparkMinor, sparkSource, os, python, java, javaSelectable, scala };
}

// Spark 3.2 and 3.3 lines: Amazon Linux 2, Python 3.7, Java 8 (17 selectable from 6.11).
export const EMR_RELEASES: readonly EmrRelease[] = [
  release('emr-6.6.0', '3.2.0', 'notes', 'al2', '3.7', '8'),
  release('emr-6.7.0', '3.2.1', 'notes', 'al2', '3.7', '8'),
  release('emr-6.8.0', '3.3.0', 'aws-docs', 'al2', '3.7', '8'),
  // unverified: between 6.8.0 (3.3.0) and 6.10.0 (3.3.1).
  release('emr-6.9.0', '3.3.0–3.3.1', 'unverified', 'al2', '3.7', '8'),
  release('emr-6.10.0', '3.3.1', 'aws-docs', 'al2', '3.7', '8'),
  release('emr-6.11.0', '3.3.2', 'aws-docs', 'al2', '3.7', '8', ['17']),
  release('emr-6.12.0', '3.4.0', 'aws-docs', 'al2', '3.7', '8', ['17']),
  release('emr-6.13.0', '3.4.1', 'aws-docs', 'al2', '3.7', '8', ['17']),
  release('emr-6.14.0', '3.4.1', 'aws-docs', 'al2', '3.7', '8', ['17']),
  release('emr-6.15.0', '3.4.1', 'aws-docs', 'al2', '3.7', '8', ['17']),
  // Amazon Linux 2023, Python 3.9, Java 17.
  release('emr-7.0.0', '3.5.0', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.1.0', '3.5.0', 'aws-docs', 'al2023', '3.9', '17'),
  // unverified: between 7.1.0 (3.5.0) and 7.3.0 (3.5.1).
  release('emr-7.2.0', '3.5.0–3.5.1', 'unverified', 'al2023', '3.9', '17'),
  release('emr-7.3.0', '3.5.1', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.4.0', '3.5.2', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.5.0', '3.5.2', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.6.0', '3.5.3', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.7.0', '3.5.3', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.8.0', '3.5.4', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.9.0', '3.5.5', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.10.0', '3.5.5', 'aws-docs', 'al2023', '3.9', '17'),
  // 7.11.0: the EMR Serverless 7.11.0 page; 7.12.0 and 7.13.0: the EMR release guide's Spark
  // release history (3.5.6-amzn-1, 3.5.6-amzn-2).
  release('emr-7.11.0', '3.5.6', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.12.0', '3.5.6', 'aws-docs', 'al2023', '3.9', '17'),
  release('emr-7.13.0', '3.5.6', 'aws-docs', 'al2023', '3.9', '17'),
  // unverified: the 7.14.0 release page (2026-09-08) lists Scala 2.12.18 and Python 3.9/3.11 but no
  // Spark row was found; the notes say 3.5.8 (unverified). Spark 3.5 either way.
  release('emr-7.14.0', '3.5.6–3.5.8', 'unverified', 'al2023', '3.9', '17'),
  // Spark 4, Scala 2.13 (AWS: emr-spark-8.0.0 Scala 2.13.16, 8.1.0 Scala 2.13.17). AWS lists
  // Python "3.11, 3.12, 3.13" (8.0.0's page) and "3.11, 3.13" (8.1.0's page); which one is the
  // image's default `python3` is unverified: the lowest, 3.11, is assumed. AL2023 assumed (unverified).
  release('emr-spark-8.0.0', '4.0.2', 'aws-docs', 'al2023', '3.11', '17'),
  release('emr-spark-8.1.0', '4.1.1', 'aws-docs', 'al2023', '3.11', '17'),
];

/**
 * The CPython built and shipped inside the archive when Hail needs a newer Python than the image's.
 * AL2 gets 3.9 (enough for every Hail that runs on Spark 3.3, and it still builds against AL2's
 * OpenSSL 1.0.2 which the runtime has; 3.10+ would need openssl11); AL2023 gets 3.10.
 * Both are python.org source releases (existence of these exact tarballs unverified from here).
 */
export const SHIPPED_PYTHON: Readonly<Record<OsFamily, string>> = { al2: '3.9.19', al2023: '3.10.14' };

/** Job resiliency (StartJobRun `retryPolicy`) exists from this release on (AWS "Job resiliency" page). */
export const FIRST_RETRY_POLICY_RELEASE = 'emr-7.1.0';

export function supportsRetryPolicy(label: string): boolean {
  return compareLabels(label, FIRST_RETRY_POLICY_RELEASE) >= 0;
}

/** The first release with a public EMR Serverless base image (custom images start at 6.9.0). */
const FIRST_BASE_IMAGE_RELEASE = 'emr-6.9.0';
/** The build image for releases before that: the same OS, without EMR's bits (not needed to build). */
export const AL2_BUILD_IMAGE = 'public.ecr.aws/amazonlinux/amazonlinux:2';

export function baseImageFor(rel: EmrRelease): string {
  if (compareLabels(rel.label, FIRST_BASE_IMAGE_RELEASE) < 0) return AL2_BUILD_IMAGE;
  return `public.ecr.aws/emr-serverless/spark/${rel.label}:latest`;
}

export const KNOWN_HAIL_VERSIONS: readonly string[] = Array.from(
  { length: HAIL_LAST_PATCH - HAIL_FIRST_PATCH + 1 },
  (_, i) => `0.2.${HAIL_FIRST_PATCH + i}`,
);
export const KNOWN_RELEASE_LABELS: readonly string[] = EMR_RELEASES.map((r) => r.label);

/** "0.2.136" -> 136. */
export function hailPatch(version: string): number {
  return Number(version.split('.')[2]);
}

/** "0.2.127.post1" -> "0.2.127": the release whose table row a post-release uses. */
export function baseHailVersion(version: string): string {
  return version.replace(/\.post\d+$/, '');
}

/** In the table (a listed release or one of its published post-releases), not merely well-formed. */
export function isListedHailVersion(version: string): boolean {
  const patch = hailPatch(version);
  return patch >= HAIL_FIRST_PATCH && patch <= HAIL_LAST_PATCH;
}

/**
 * Validates and normalises a Hail version ("0.2.136", "0.2.127.post1"); throws InputError naming
 * `hail-version`. A version newer than the table is accepted here (isListedHailVersion says which):
 * whether it can run is decided from its jar (compat.ts), not refused blindly.
 */
export function parseHailVersion(text: string, inputName = 'hail-version'): string {
  const m = /^v?0\.2\.(\d+)(\.post\d+)?$/.exec(text.trim());
  if (!m) {
    throw new InputError(
      inputName,
      `"${text}" is not a Hail version (expected 0.2.N or 0.2.N.postM, e.g. 0.2.135)`,
    );
  }
  const patch = Number(m[1]);
  const version = `0.2.${patch}${m[2] ?? ''}`;
  if (patch < HAIL_FIRST_PATCH) {
    throw new InputError(
      inputName,
      `hail ${version} is older than this action's table; known: 0.2.${HAIL_FIRST_PATCH} to 0.2.${HAIL_LAST_PATCH}`,
    );
  }
  if (m[2] && !HAIL_POST_RELEASES.includes(version)) {
    throw new InputError(
      inputName,
      `hail ${version} is not a published post-release; known post-releases: ${HAIL_POST_RELEASES.join(', ')}`,
    );
  }
  return version;
}

/** Validates a release label ("emr-7.5.0", "emr-spark-8.0.0"); throws InputError naming `release-label`. */
export function parseReleaseLabel(text: string, inputName = 'release-label'): string {
  const label = text.trim();
  if (!/^emr-(?:spark-)?\d+\.\d+\.\d+$/.test(label)) {
    const hint = /^\d+\.\d+\.\d+$/.test(label) ? ` (did you mean emr-${label}?)` : '';
    throw new InputError(inputName, `"${text}" is not an EMR release label${hint}`);
  }
  if (!KNOWN_RELEASE_LABELS.includes(label)) {
    throw new InputError(
      inputName,
      `${label} is not in this action's table; known: ${summariseLabels(KNOWN_RELEASE_LABELS)}`,
    );
  }
  return label;
}

export function parseArchitecture(text: string, inputName = 'architecture'): Architecture {
  const upper = text.trim().toUpperCase();
  if (upper === 'X86_64' || upper === 'ARM64') return upper;
  throw new InputError(inputName, `"${text}" is not an architecture (expected X86_64 or ARM64)`);
}

/** The table row of a listed version (a post-release uses its base release's row). */
export function hailRangeFor(version: string): HailRange {
  const patch = hailPatch(version);
  const range = HAIL_RANGES.find((r) => patch >= r.first && patch <= r.last);
  if (!range) throw new Error(`no table row for hail ${version}`);
  return range;
}

export function releaseFor(label: string): EmrRelease {
  const rel = EMR_RELEASES.find((r) => r.label === label);
  if (!rel) throw new Error(`no table row for ${label}`);
  return rel;
}

export function hailRangeLabel(range: HailRange): string {
  return range.first === range.last ? `0.2.${range.first}` : `0.2.${range.first}–0.2.${range.last}`;
}

/** Numeric parts of a label, for ordering: emr-6.10.0 after emr-6.9.0; emr-spark-8 after emr-7. */
function labelParts(label: string): number[] {
  return (/(\d+)\.(\d+)\.(\d+)$/.exec(label) ?? []).slice(1).map(Number);
}

export function compareLabels(a: string, b: string): number {
  const pa = labelParts(a);
  const pb = labelParts(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Compares dotted versions numerically ("3.10" > "3.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function majorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** "emr-6.6.0 … emr-6.15.0, emr-7.0.0 … emr-7.13.0, emr-spark-8.0.0": runs of one major version. */
export function summariseLabels(labels: readonly string[]): string {
  const runs: string[][] = [];
  for (const label of labels) {
    const run = runs[runs.length - 1];
    const family = label.replace(/\.\d+\.\d+$/, '');
    if (run && run[0]!.replace(/\.\d+\.\d+$/, '') === family) run.push(label);
    else runs.push([label]);
  }
  return runs.map((r) => (r.length === 1 ? r[0]! : `${r[0]} … ${r[r.length - 1]}`)).join(', ');
}
