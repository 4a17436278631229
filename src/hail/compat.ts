// Decides whether a Hail version can run on an EMR Serverless release, and how: with the PyPI
// wheel as is, with a Python newer than the image's shipped in the archive, only with a source
// build, or not at all. Pure: no I/O, so it runs before any AWS call.

import { InputError } from '../util/errors.js';
import {
  baseHailVersion,
  baseImageFor,
  compareLabels,
  compareVersions,
  EMR_RELEASES,
  HAIL_FIRST_PATCH,
  HAIL_LAST_PATCH,
  HAIL_RANGES,
  hailRangeFor,
  hailRangeLabel,
  isListedHailVersion,
  KNOWN_HAIL_VERSIONS,
  majorMinor,
  parseArchitecture,
  parseHailVersion,
  parseReleaseLabel,
  releaseFor,
  SHIPPED_PYTHON,
  type Architecture,
  type EmrRelease,
  type OsFamily,
} from './versions.js';

export type Verdict = 'compatible' | 'needs-source-build' | 'needs-newer-python' | 'impossible';
export type BuildKind = 'pypi' | 'source';

export interface CompatibilityInput {
  hailVersion: string;
  releaseLabel: string;
  /** X86_64 when omitted (an application created by the action is X86_64). */
  architecture?: Architecture | string;
}

export interface Compatibility {
  verdict: Verdict;
  /** Why, naming both sides; for 'impossible' it also says what would work. */
  reason: string;
  /** What would work instead (or avoid the extra step), when there is something to say. */
  suggestion?: string;
  hailVersion: string;
  releaseLabel: string;
  architecture: Architecture;
  /** The Spark the release runs (exact, or a range when unverified). */
  spark: string;
  /** The Spark the jar is compiled for: the wheel's, or the source build's target. */
  jarSpark: string;
  scala: string;
  /** major.minor of the interpreter the archive provides ('unknown' when the release's is unknown). */
  python: string;
  /** 'system': the venv links to the image's own Python; else the CPython version built and shipped. */
  pythonBuild: string;
  java: string;
  /** Set when Hail runs on a Java it does not support: Hail's own words, and what they mean here. */
  javaCaveat?: string;
  os: OsFamily;
  buildKind: BuildKind;
  /** Image the build runs on, so Python and glibc match the runtime. */
  baseImage: string;
}

interface Assessment {
  verdict: Verdict;
  buildKind: BuildKind;
  jarSpark: string;
  scala: string;
  python: string;
  pythonBuild: string;
  java: string;
  /** For 'impossible': why. */
  why?: string;
}

const SPARK_34_ISSUE = 'hail-is/hail#13971';

function sparkMismatch(version: string, jarSpark: string, rel: EmrRelease): string {
  const jarMinor = majorMinor(jarSpark);
  if (rel.sparkMinor === '3.4') {
    return (
      `${rel.label} runs Spark 3.4, which no Hail release targets and this action's recipes cannot build ` +
      `Hail for (a patched source build is reported to work: ${SPARK_34_ISSUE})`
    );
  }
  if (Number(rel.sparkMinor.split('.')[0]) >= 4) {
    return (
      `${rel.label} runs Spark ${rel.spark} (Scala ${rel.scala}), and no Hail release in this action's table ` +
      `(0.2.${HAIL_FIRST_PATCH} to 0.2.${HAIL_LAST_PATCH}) supports Spark 4; a newer Hail built for Spark ` +
      `${rel.sparkMinor} can be given as hail-jar and hail-env-archive (the action reads the jar's Spark version)`
    );
  }
  const buildable = HAIL_RANGES.filter((r) => r.sourceBuild?.sparkMinor === rel.sparkMinor);
  if (buildable.length > 0) {
    const tags = buildable.map(hailRangeLabel).join(', ');
    return (
      `${rel.label} runs Spark ${rel.sparkMinor}, which no Hail release targets; a source build for Spark ` +
      `${rel.sparkMinor} is offered only for hail ${tags} (hail ${version}'s jar is for Spark ${jarMinor})`
    );
  }
  return (
    `hail ${version}'s jar is built for Spark ${jarMinor}, but ${rel.label} runs Spark ${rel.sparkMinor}: ` +
    `Hail refuses to start on a different Spark major.minor`
  );
}

/** The decision for one X86_64 pair, without messages about alternatives. */
function assess(version: string, rel: EmrRelease): Assessment {
  const range = hailRangeFor(version);
  let buildKind: BuildKind = 'pypi';
  let jarSpark = range.jarSpark;
  let scala = range.scala;
  const partial = { python: rel.python ?? 'unknown', pythonBuild: 'system', java: rel.java };
  const impossible = (why: string): Assessment => ({
    verdict: 'impossible',
    buildKind,
    jarSpark,
    scala,
    ...partial,
    why,
  });

  if (majorMinor(range.jarSpark) !== rel.sparkMinor) {
    if (range.sourceBuild?.sparkMinor !== rel.sparkMinor)
      return impossible(sparkMismatch(version, jarSpark, rel));
    buildKind = 'source';
    jarSpark = range.sourceBuild.spark;
    scala = range.sourceBuild.scala;
  }

  let java = rel.java;
  if (range.javaRule === '8-or-11') {
    const offered = [rel.java, ...rel.javaSelectable];
    const usable = offered.find((j) => j === '8' || j === '11');
    if (!usable) {
      return impossible(
        `hail ${version} runs only on Java 8 or 11; ${rel.label} offers Java ${offered.join(', ')}`,
      );
    }
    java = usable;
  }

  if (rel.python === undefined) return impossible(`the default Python of ${rel.label} is not known`);
  let python = rel.python;
  let pythonBuild = 'system';
  if (compareVersions(rel.python, range.pythonMin) < 0) {
    const shipped = SHIPPED_PYTHON[rel.os];
    if (compareVersions(majorMinor(shipped), range.pythonMin) < 0) {
      return impossible(
        `hail ${version} needs Python >= ${range.pythonMin}; no shipped Python for ${rel.os} is new enough`,
      );
    }
    // The source recipe always uses the image's Python (no Hail that needs a source build needs more).
    if (buildKind === 'source') {
      return impossible(
        `hail ${version} needs both a source build and a newer Python, which the recipes do not combine`,
      );
    }
    python = majorMinor(shipped);
    pythonBuild = shipped;
  }

  const verdict: Verdict =
    buildKind === 'source'
      ? 'needs-source-build'
      : pythonBuild !== 'system'
        ? 'needs-newer-python'
        : 'compatible';
  return { verdict, buildKind, jarSpark, scala, python, pythonBuild, java };
}

// The whole X86_64 matrix, computed once: [hail version][release index].
let matrix: Map<string, Assessment[]> | undefined;
function assessments(version: string): Assessment[] {
  matrix ??= new Map(KNOWN_HAIL_VERSIONS.map((v) => [v, EMR_RELEASES.map((rel) => assess(v, rel))]));
  return matrix.get(baseHailVersion(version))!;
}

/** Hail's own warning on a Java it does not support, and what it means here; undefined on Java 11. */
export function javaCaveat(hailVersion: string, java: string): string | undefined {
  const range = hailRangeFor(hailVersion);
  if (range.javaRule !== '11-only' || java === '11') return undefined;
  const says = range.javaWarning!.replace('17.0.x', `${java}.0.x`);
  if (range.javaWarning!.includes('not supported')) {
    return (
      `hail ${hailVersion} supports only Java 11 and runs here on Java ${java}, which Hail calls not ` +
      `supported and says may lead to errors (it prints: "${says}")`
    );
  }
  return (
    `hail ${hailVersion} is tested only on Java 11 and runs here on Java ${java} (it prints: "${says}"; ` +
    `from 0.2.137 on Hail calls any other Java not supported and says it may lead to errors)`
  );
}

/** What to do with a Hail version newer than the table when its jar cannot be read. */
export function unlistedHailMessage(hailVersion: string, releaseLabel?: string): string {
  const on = releaseLabel ? ` on ${releaseLabel}` : '';
  return (
    `hail ${hailVersion} is newer than this action's table (0.2.${HAIL_FIRST_PATCH} to ` +
    `0.2.${HAIL_LAST_PATCH}), so the Spark its jar was built for is not known. Either give hail-jar and ` +
    `hail-env-archive built for it${on} (a workspace file or an s3:// object): the action reads the ` +
    `jar's Spark version and checks it against the release's before any upload; or pin hail-version ` +
    `to 0.2.${HAIL_LAST_PATCH} or older; or use a newer version of this action`
  );
}

function verdictOf(version: string, releaseIndex: number): Verdict {
  return assessments(version)[releaseIndex]!.verdict;
}

function qualifier(verdict: Verdict, pythonBuild: string): string {
  if (verdict === 'needs-newer-python') return ` (ships its own Python ${majorMinor(pythonBuild)})`;
  if (verdict === 'needs-source-build') return ' (source build)';
  return '';
}

/** Consecutive runs of items sharing a group name; items whose group is undefined break runs. */
function runs<T>(items: readonly T[], group: (t: T) => string | undefined): { group: string; items: T[] }[] {
  const out: { group: string; items: T[] }[] = [];
  let previous: string | undefined;
  for (const item of items) {
    const g = group(item);
    if (g !== undefined && g === previous) out[out.length - 1]!.items.push(item);
    else if (g !== undefined) out.push({ group: g, items: [item] });
    previous = g;
  }
  return out;
}

function span(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `${items[0]}–${items[items.length - 1]}`;
}

/** "emr-6.8.0–emr-6.11.0 (ships its own Python 3.9)": where one Hail version runs. */
function releasesRunning(version: string): string | undefined {
  const rows = assessments(version);
  const indexed = EMR_RELEASES.map((rel, i) => ({ rel, a: rows[i]! }));
  const found = runs(indexed, ({ a }) =>
    a.verdict === 'impossible' ? undefined : qualifier(a.verdict, a.pythonBuild),
  );
  if (found.length === 0) return undefined;
  return found.map((r) => span(r.items.map((x) => x.rel.label)) + r.group).join(', ');
}

/** "hail 0.2.131–0.2.135, 0.2.136–0.2.139 (ships its own Python 3.10)": what runs on one release. */
function hailRunning(releaseIndex: number, only?: Verdict): string | undefined {
  const found = runs(KNOWN_HAIL_VERSIONS, (v) => {
    const a = assessments(v)[releaseIndex]!;
    if (a.verdict === 'impossible' || (only && a.verdict !== only)) return undefined;
    return qualifier(a.verdict, a.pythonBuild);
  });
  if (found.length === 0) return undefined;
  return 'hail ' + found.map((r) => span(r.items) + r.group).join(', ');
}

export interface ReleaseGroup {
  labels: string[];
  /** Per Hail table row (same order as HAIL_RANGES): the verdict and the Python build. */
  cells: { verdict: Verdict; pythonBuild: string }[];
}

/** Consecutive releases that decide every Hail version the same way (the columns of the docs table). */
export function releaseGroups(): ReleaseGroup[] {
  const vector = (i: number) =>
    KNOWN_HAIL_VERSIONS.map((v) => {
      const a = assessments(v)[i]!;
      return `${a.verdict}/${a.pythonBuild}`;
    }).join(',');
  const indexed = EMR_RELEASES.map((rel, i) => ({ rel, i }));
  return runs(indexed, ({ i }) => vector(i)).map((run) => ({
    labels: run.items.map((x) => x.rel.label),
    cells: HAIL_RANGES.map((range) => {
      const a = assessments(`0.2.${range.first}`)[run.items[0]!.i]!;
      return { verdict: a.verdict, pythonBuild: a.pythonBuild };
    }),
  }));
}

/** "emr-6.8.0–emr-6.11.0 with hail 0.2.110–0.2.130; emr-7.0.0–emr-7.13.0 with hail 0.2.131–0.2.139". */
export function workingPairsSummary(filter: (v: Verdict) => boolean = (v) => v !== 'impossible'): string {
  const parts: string[] = [];
  for (const group of releaseGroups()) {
    const i = EMR_RELEASES.findIndex((r) => r.label === group.labels[0]);
    const working = runs(KNOWN_HAIL_VERSIONS, (v) => (filter(verdictOf(v, i)) ? 'ok' : undefined));
    if (working.length === 0) continue;
    const kinds = new Set(KNOWN_HAIL_VERSIONS.map((v) => verdictOf(v, i)).filter(filter));
    const note = kinds.size === 1 && kinds.has('needs-source-build') ? ' (source build)' : '';
    parts.push(`${span(group.labels)} with hail ${working.map((r) => span(r.items)).join(', ')}${note}`);
  }
  return parts.join('; ');
}

/**
 * Decides whether (hailVersion, releaseLabel, architecture) can work and how.
 * Throws InputError for malformed or unknown versions/labels (the message lists what is known).
 */
export function checkCompatibility(input: CompatibilityInput): Compatibility {
  const hailVersion = parseHailVersion(input.hailVersion);
  const releaseLabel = parseReleaseLabel(input.releaseLabel);
  if (!isListedHailVersion(hailVersion)) {
    throw new InputError('hail-version', unlistedHailMessage(hailVersion, releaseLabel));
  }
  const architecture = parseArchitecture(input.architecture ?? 'X86_64');
  const rel = releaseFor(releaseLabel);
  const releaseIndex = EMR_RELEASES.indexOf(rel);
  const a = assessments(hailVersion)[releaseIndex]!;
  const range = hailRangeFor(hailVersion);
  const base = {
    hailVersion,
    releaseLabel,
    architecture,
    spark: rel.spark,
    jarSpark: a.jarSpark,
    scala: a.scala,
    python: a.python,
    pythonBuild: a.pythonBuild,
    java: a.java,
    javaCaveat: a.verdict === 'impossible' ? undefined : javaCaveat(hailVersion, a.java),
    os: rel.os,
    buildKind: a.buildKind,
    baseImage: baseImageFor(rel),
  };

  if (architecture === 'ARM64') {
    const onX86 =
      a.verdict === 'impossible'
        ? `and on X86_64: ${a.why}`
        : `on X86_64, ${releaseLabel} works with hail ${hailVersion}`;
    const suggestion = `create the application with architecture X86_64 (${onX86})`;
    return {
      ...base,
      verdict: 'impossible',
      reason: `hail ${hailVersion} cannot run on an ARM64 application: Hail's jar carries x86-64 native libraries only; ${suggestion}`,
      suggestion,
    };
  }

  switch (a.verdict) {
    case 'compatible':
      return {
        ...base,
        verdict: 'compatible',
        reason:
          `hail ${hailVersion} (jar for Spark ${majorMinor(a.jarSpark)}, Python >= ${range.pythonMin}) runs on ` +
          `${releaseLabel} (Spark ${rel.spark}, Python ${a.python}, Java ${a.java})`,
      };
    case 'needs-newer-python': {
      const own = hailRunning(releaseIndex, 'compatible');
      return {
        ...base,
        verdict: 'needs-newer-python',
        reason:
          `hail ${hailVersion} needs Python >= ${range.pythonMin}; ${releaseLabel} ships ${rel.python}: ` +
          `the archive will ship its own Python ${a.python}`,
        suggestion: own ? `to run on ${releaseLabel}'s own Python ${rel.python}, use ${own}` : undefined,
      };
    }
    case 'needs-source-build':
      return {
        ...base,
        verdict: 'needs-source-build',
        reason:
          `no Hail release targets Spark ${rel.sparkMinor} (${releaseLabel} runs Spark ${rel.spark}): hail ` +
          `${hailVersion} will be built from source for Spark ${a.jarSpark}, Scala ${a.scala} ` +
          `(slow, but once per cache key)`,
        suggestion: `to use Hail's published wheel instead: ${workingPairsSummary((v) => v === 'compatible' || v === 'needs-newer-python')}`,
      };
    case 'impossible': {
      const options: string[] = [];
      const elsewhere = releasesRunning(hailVersion);
      if (elsewhere) options.push(`use hail ${hailVersion} on ${elsewhere}`);
      const here = hailRunning(releaseIndex);
      if (here) options.push(`use ${here} on ${releaseLabel}`);
      let suggestion = options.join(', or ');
      if (!here) {
        suggestion += `${suggestion ? '; ' : ''}no Hail runs on ${releaseLabel} (what works: ${workingPairsSummary()})`;
      }
      return { ...base, verdict: 'impossible', reason: `${a.why}; ${suggestion}`, suggestion };
    }
  }
}

const PREFERENCE: readonly Verdict[] = ['compatible', 'needs-newer-python', 'needs-source-build'];

/**
 * The newest release label a Hail version runs on (X86_64), preferring one that needs nothing extra,
 * then one that ships its own Python, then a source build.
 */
export function chooseReleaseLabel(hailVersion: string): string {
  const version = parseHailVersion(hailVersion);
  if (!isListedHailVersion(version)) throw new InputError('hail-version', unlistedHailMessage(version));
  const rows = assessments(version);
  for (const wanted of PREFERENCE) {
    const labels = EMR_RELEASES.filter((_, i) => rows[i]!.verdict === wanted).map((r) => r.label);
    if (labels.length > 0) return labels.sort(compareLabels)[labels.length - 1]!;
  }
  throw new Error(`hail ${version} runs on no EMR Serverless release in this action's table`);
}

function cellText(cell: { verdict: Verdict; pythonBuild: string }): string {
  switch (cell.verdict) {
    case 'compatible':
      return 'yes';
    case 'needs-newer-python':
      return `yes, ships Python ${majorMinor(cell.pythonBuild)}`;
    case 'needs-source-build':
      return 'source build';
    case 'impossible':
      return 'no';
  }
}

/** The compatibility tables as Markdown, for the README (generated, so docs cannot drift). */
export function compatibilityTableMarkdown(): string {
  const groups = releaseGroups();
  const header = ['Hail', "jar's Spark", 'Scala', 'Python', 'Java', ...groups.map((g) => span(g.labels))];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  HAIL_RANGES.forEach((range, row) => {
    const java =
      range.javaRule === '8-or-11'
        ? '8 or 11 only'
        : range.javaWarning!.includes('not supported')
          ? '11 (17: "not supported, may lead to errors")'
          : '11 (17: untested, Hail warns)';
    const cells = groups.map((g) => cellText(g.cells[row]!));
    lines.push(
      `| ${[hailRangeLabel(range), range.jarSpark, range.scala, `>= ${range.pythonMin}`, java, ...cells].join(' | ')} |`,
    );
  });
  lines.push('', 'ARM64 applications: no Hail version (the jar carries x86-64 native libraries only).', '');
  lines.push('| EMR release | Spark | OS | Python | Java | build image |', '|---|---|---|---|---|---|');
  for (const rel of EMR_RELEASES) {
    const spark = rel.sparkSource === 'unverified' ? `${rel.spark} (unverified)` : rel.spark;
    const os = rel.os === 'al2' ? 'Amazon Linux 2' : 'Amazon Linux 2023';
    const java = [rel.java, ...rel.javaSelectable].join(', ');
    lines.push(
      `| ${rel.label} | ${spark} | ${os} | ${rel.python ?? 'unknown'} | ${java} | \`${baseImageFor(rel)}\` |`,
    );
  }
  return lines.join('\n') + '\n';
}
