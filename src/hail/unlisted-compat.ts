// Decides for a Hail version newer than the table (Hail's main branch moves on: Spark 4.1, Scala
// 2.13, Python >= 3.12) from what its own jar says it was built for, instead of refusing it.
// Pure: the jar's facts are read at the edge (src/artifacts.ts).

import { InputError } from '../util/errors.js';
import { unlistedHailMessage, type Compatibility } from './compat.js';
import type { JarBuild } from './jar-build.js';
import {
  baseHailVersion,
  baseImageFor,
  compareLabels,
  EMR_RELEASES,
  majorMinor,
  parseArchitecture,
  parseHailVersion,
  parseReleaseLabel,
  releaseFor,
  type Architecture,
} from './versions.js';

export interface UnlistedInput {
  hailVersion: string;
  releaseLabel: string;
  architecture?: Architecture | string;
  /** What hail-jar says about itself; undefined when no jar was given. */
  jar?: JarBuild;
  /** How the jar was given, for messages: a workspace path or an s3:// URI. */
  jarName?: string;
}

/** Releases whose Spark major.minor is `minor`: "emr-7.0.0 … emr-7.14.0". */
function releasesRunning(minor: string): string[] {
  return EMR_RELEASES.filter((r) => r.sparkMinor === minor).map((r) => r.label);
}

function span(labels: string[]): string {
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels[0]}–${labels[labels.length - 1]}`;
}

/** Checks the jar's own facts against the version asked for; throws InputError naming hail-jar. */
function requireSpark(input: UnlistedInput, hailVersion: string): string {
  const jar = input.jar;
  const name = input.jarName ? ` (${input.jarName})` : '';
  const it = input.jarName ?? 'the jar';
  if (!jar) throw new InputError('hail-version', unlistedHailMessage(hailVersion, input.releaseLabel));
  if (jar.hailVersion && baseHailVersion(jar.hailVersion) !== baseHailVersion(hailVersion)) {
    throw new InputError(
      'hail-jar',
      `${it} is hail ${jar.hailVersion}'s jar, but hail-version is ${hailVersion}`,
    );
  }
  if (!jar.spark) {
    throw new InputError(
      'hail-jar',
      `the jar${name} does not say which Spark it was built for (no sparkVersion in build-info.properties, ` +
        `no SparkVersion in is/hail/package$.class), so hail ${hailVersion}, newer than this action's table, ` +
        `cannot be checked: is it Hail's hail-all-spark.jar?`,
    );
  }
  return jar.spark;
}

/**
 * The decision for a Hail version newer than the table, from its jar: 'compatible' when the jar's
 * Spark major.minor is the release's (what Hail itself checks at start), else 'impossible'.
 */
export function checkUnlistedHail(input: UnlistedInput): Compatibility {
  const hailVersion = parseHailVersion(input.hailVersion);
  const releaseLabel = parseReleaseLabel(input.releaseLabel);
  const architecture = parseArchitecture(input.architecture ?? 'X86_64');
  const jarSpark = requireSpark(input, hailVersion);
  const rel = releaseFor(releaseLabel);
  const from = input.jar?.source ? ` (from its ${input.jar.source})` : '';
  const base = {
    hailVersion,
    releaseLabel,
    architecture,
    spark: rel.spark,
    jarSpark,
    scala: rel.scala,
    python: rel.python ?? 'unknown',
    pythonBuild: 'system',
    java: rel.java,
    os: rel.os,
    buildKind: 'pypi' as const,
    baseImage: baseImageFor(rel),
  };
  if (architecture === 'ARM64') {
    const suggestion = 'create the application with architecture X86_64';
    return {
      ...base,
      verdict: 'impossible',
      reason: `hail ${hailVersion} cannot run on an ARM64 application: Hail's jar carries x86-64 native libraries only; ${suggestion}`,
      suggestion,
    };
  }
  const jarMinor = majorMinor(jarSpark);
  if (jarMinor !== rel.sparkMinor) {
    const elsewhere = releasesRunning(jarMinor);
    const suggestion = elsewhere.length
      ? `use this jar on ${span(elsewhere)} (Spark ${jarMinor})`
      : `no EMR Serverless release in this action's table runs Spark ${jarMinor}`;
    return {
      ...base,
      verdict: 'impossible',
      reason:
        `hail ${hailVersion}'s jar is built for Spark ${jarSpark}${from}, but ${releaseLabel} runs Spark ` +
        `${rel.spark}: Hail refuses to start on a different Spark major.minor; ${suggestion}`,
      suggestion,
    };
  }
  return {
    ...base,
    verdict: 'compatible',
    reason:
      `hail ${hailVersion} is newer than this action's table; its jar is built for Spark ${jarSpark}${from}, ` +
      `and ${releaseLabel} runs Spark ${rel.spark} (Scala ${rel.scala}, Java ${rel.java}): the Spark ` +
      `versions match. The action cannot check hail-env-archive: it must carry a Python that hail ` +
      `${hailVersion} accepts (Hail's main branch needs Python >= 3.12; ${releaseLabel}'s own is ` +
      `${rel.python ?? 'unknown'})`,
    javaCaveat:
      rel.java === '11'
        ? undefined
        : `hail ${hailVersion}'s Java support is not in this action's table; 0.2.137–0.2.139 support only ` +
          `Java 11 and call Java ${rel.java} "not supported", which "may lead to errors"`,
  };
}

/** The newest release whose Spark major.minor is the jar's, for creating an application. */
export function chooseReleaseForJar(
  hailVersion: string,
  jar: JarBuild | undefined,
  jarName?: string,
): string {
  const version = parseHailVersion(hailVersion);
  const spark = requireSpark({ hailVersion: version, releaseLabel: '', jar, jarName }, version);
  const labels = EMR_RELEASES.filter((r) => r.sparkMinor === majorMinor(spark)).map((r) => r.label);
  if (labels.length === 0) {
    throw new InputError(
      'hail-jar',
      `is built for Spark ${spark}, which no EMR Serverless release in this action's table runs`,
    );
  }
  return labels.sort(compareLabels)[labels.length - 1]!;
}
