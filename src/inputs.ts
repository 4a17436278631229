import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Input } from './constants.js';
import { EMR_SERVERLESS_MODEL } from './aws/emr-serverless-model.js';
import { parseS3Uri, type S3Location } from './aws/s3-uri.js';
import { compilePattern } from './aws/validate-request.js';
import { sparkConfProblem, sparkSubmitNameProblem } from './hail/spark-submit.js';
import { parseHailVersion, parseReleaseLabel } from './hail/versions.js';
import { InputError } from './util/errors.js';
import { parseBoolean, parseIntInRange, parseKeyValueLines, parseLines } from './util/parse.js';
import { showValue } from './util/text.js';

/** A file in the workspace: absolute path for reading, relative path for messages and annotations. */
export interface WorkspaceFile {
  readonly path: string;
  readonly relPath: string;
}

/** A Hail artifact given by the user: a workspace file to upload, or an object already in S3. */
export type ArtifactInput = { kind: 'local'; file: WorkspaceFile } | { kind: 's3'; uri: string };

export type ArtifactsMode = 'auto' | 'build' | 'prebuilt';

/** Every input, parsed and validated once. Nothing downstream reads raw inputs. */
export interface Config {
  readonly workspace: string;
  readonly script: WorkspaceFile;
  readonly scriptArgs: readonly string[];
  readonly pyFiles: readonly WorkspaceFile[];
  readonly s3Prefix: S3Location;
  readonly executionRoleArn: string;
  readonly applicationId?: string;
  readonly applicationName?: string;
  readonly hailVersion: string;
  readonly releaseLabel?: string;
  readonly artifactsMode: ArtifactsMode;
  readonly hailJar?: ArtifactInput;
  readonly hailEnvArchive?: ArtifactInput;
  readonly pythonRequirements?: WorkspaceFile;
  readonly sparkConf: readonly (readonly [string, string])[];
  readonly outputUri?: string;
  readonly name?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly wait: boolean;
  readonly timeoutMinutes: number;
  readonly applicationStartTimeoutMinutes: number;
  readonly cancelOnAbort: boolean;
  readonly jobRunId?: string;
  readonly retryMaxAttempts?: number;
  readonly logTailLines: number;
  readonly liveLogs: boolean;
  readonly cloudWatchLogGroup?: string;
  readonly commentOnPr: boolean;
  readonly githubToken?: string;
  /** The job's matrix values as canonical JSON (sorted keys); undefined outside a matrix. */
  readonly matrix?: string;
  readonly region?: string;
  readonly dryRun: boolean;
  /** Keep a record of each run under `<s3-prefix>/history/` and show the analysis's history. */
  readonly history: boolean;
  /** Percent cost increase over the base branch that warns (or fails, with failOnCostIncrease). */
  readonly costIncreaseThresholdPct?: number;
  readonly failOnCostIncrease: boolean;
}

/** All input problems at once, so a user fixes them in one round. */
export class InputErrors extends Error {
  constructor(readonly problems: InputError[]) {
    super(problems.map((p) => p.message).join('\n'));
    this.name = 'InputErrors';
  }
}

export type GetInput = (name: string) => string;

const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const RESOURCE_ID = /^[0-9a-z]{1,64}$/;
const APP_NAME = /^[A-Za-z0-9._/#-]{1,64}$/;
// CloudWatch Logs group names: 1-512 of letters, digits and _ - / . #
const LOG_GROUP = /^[\w\-/.#]{1,512}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const SPARK_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.\-[\]]*$/;
// Tag keys and values as the service's model has them (ASCII only); 50 tags per resource.
const TAG_KEY = EMR_SERVERLESS_MODEL.shapes.TagKey!;
const TAG_VALUE = EMR_SERVERLESS_MODEL.shapes.TagValue!;
const MAX_USER_TAGS = 45; // leaves room for the tags the action adds

/** Reads every input, validates it, and returns a frozen config; throws InputErrors listing each problem. */
export function readInputs(get: GetInput, env: NodeJS.ProcessEnv = process.env): Config {
  const problems: InputError[] = [];
  const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd());
  const workspaceFile = workspaceResolver(workspace);

  // Runs one input's parser; a thrown message becomes a problem that names the input.
  function check<T>(name: Input, parse: (raw: string) => T): T | undefined {
    const raw = get(name);
    try {
      return parse(raw);
    } catch (err) {
      problems.push(err instanceof InputError ? err : new InputError(name, (err as Error).message));
      return undefined;
    }
  }
  const optional = <T>(name: Input, parse: (raw: string) => T) =>
    check(name, (raw) => (raw.trim() === '' ? undefined : parse(raw.trim())));
  const required = <T>(name: Input, parse: (raw: string) => T) =>
    check(name, (raw) => {
      if (raw.trim() === '') throw new Error('is required');
      return parse(raw.trim());
    });
  const bool = (name: Input) => check(name, (raw) => parseBoolean(raw === '' ? 'false' : raw));

  const script = required(Input.Script, (raw) => scriptFile(workspaceFile, raw));
  const scriptArgs =
    check(Input.ScriptArgs, (raw) => raw.split(/\r?\n/).filter((l) => l.trim() !== '')) ?? [];
  const pyFiles = check(Input.PyFiles, (raw) => pyFileList(workspaceFile, raw)) ?? [];
  const s3Prefix = required(Input.S3Prefix, (raw) => {
    const loc = parseS3Uri(raw);
    throwIf(sparkSubmitNameProblem(loc.key));
    return { bucket: loc.bucket, key: loc.key.replace(/\/+$/, '') };
  });
  const executionRoleArn = required(Input.ExecutionRoleArn, (raw) => {
    if (!ROLE_ARN.test(raw)) {
      throw new Error(
        `"${raw}" is not an IAM role ARN (expected arn:aws:iam::<12-digit account>:role/<name>)`,
      );
    }
    return raw;
  });
  const applicationId = optional(Input.ApplicationId, (raw) => {
    if (!RESOURCE_ID.test(raw))
      throw new Error(`"${raw}" is not an application ID (lowercase letters and digits)`);
    return raw;
  });
  const applicationName = optional(Input.ApplicationName, (raw) => {
    if (!APP_NAME.test(raw)) {
      throw new Error(`"${raw}" is not a valid application name (1-64 of A-Z a-z 0-9 . _ / # -)`);
    }
    return raw;
  });
  // The compatibility tables' own parsers: a version or label they do not know is refused here too.
  const hailVersion = required(Input.HailVersion, (raw) => parseHailVersion(raw));
  const releaseLabel = optional(Input.ReleaseLabel, (raw) => parseReleaseLabel(raw));
  const artifactsMode = check(Input.HailArtifacts, (raw) => {
    const v = (raw.trim() || 'auto') as ArtifactsMode;
    if (!['auto', 'build', 'prebuilt'].includes(v)) {
      throw new Error(`"${raw}" is not one of auto, build, prebuilt`);
    }
    return v;
  });
  const hailJar = optional(Input.HailJar, (raw) => artifactInput(workspaceFile, raw, ['.jar']));
  const hailEnvArchive = optional(Input.HailEnvArchive, (raw) =>
    artifactInput(workspaceFile, raw, ['.tar.gz', '.tgz', '.zip']),
  );
  const pythonRequirements = optional(Input.PythonRequirements, (raw) => workspaceFile(raw));
  const sparkConf =
    check(Input.SparkConf, (raw) =>
      parseKeyValueLines(raw).map(([k, v]) => {
        if (!SPARK_KEY.test(k)) throw new Error(`"${k}" is not a Spark property name`);
        throwIf(sparkConfProblem(k, v));
        return [k, v] as const;
      }),
    ) ?? [];
  const outputUri = optional(Input.OutputUri, (raw) => {
    parseS3Uri(raw);
    return raw.replace(/\/+$/, '');
  });
  const name = optional(Input.Name, (raw) => {
    if (raw.length > 256) throw new Error(`is ${raw.length} characters long (at most 256)`);
    if (/\p{Cc}/u.test(raw))
      throw new Error(`${showValue(raw)} has a control character (tab, line break, ...)`);
    // StartJobRun's pattern is `.*\S.*`, whose `.` matches no line terminator.
    if (/[\u2028\u2029]/.test(raw)) throw new Error('must be one line (EMR Serverless takes no line breaks)');
    return raw;
  });
  const tags = check(Input.Tags, parseTags) ?? {};
  const wait = check(Input.Wait, (raw) => parseBoolean(raw || 'true'));
  const timeoutMinutes = check(Input.TimeoutMinutes, (raw) => parseIntInRange(raw || '120', 1, 10080));
  const applicationStartTimeoutMinutes = check(Input.ApplicationStartTimeoutMinutes, (raw) =>
    parseIntInRange(raw || '10', 1, 60),
  );
  const cancelOnAbort = check(Input.CancelOnAbort, (raw) => parseBoolean(raw || 'true'));
  const jobRunId = optional(Input.JobRunId, (raw) => {
    if (!RESOURCE_ID.test(raw))
      throw new Error(`"${raw}" is not a job run ID (lowercase letters and digits)`);
    return raw;
  });
  const retryMaxAttempts = optional(Input.RetryMaxAttempts, (raw) => parseIntInRange(raw, 1, 10));
  const logTailLines = check(Input.LogTailLines, (raw) => parseIntInRange(raw || '100', 0, 5000));
  const liveLogs = check(Input.LiveLogs, (raw) => parseBoolean(raw || 'true'));
  const cloudWatchLogGroup = optional(Input.CloudWatchLogGroup, (raw) => {
    if (!LOG_GROUP.test(raw))
      throw new Error(`"${raw}" is not a CloudWatch Logs group name (letters, digits, _ - / . #)`);
    return raw;
  });
  const commentOnPr = bool(Input.CommentOnPr);
  const githubToken = get(Input.GithubToken).trim() || undefined;
  const matrix = optional(Input.Matrix, parseMatrix);
  const region = check(Input.AwsRegion, (raw) => {
    const r = raw.trim() || env.AWS_REGION || env.AWS_DEFAULT_REGION || '';
    if (r !== '' && !REGION.test(r)) throw new Error(`"${r}" is not an AWS region like us-east-1`);
    return r || undefined;
  });
  const dryRun = bool(Input.DryRun);
  const history = check(Input.History, (raw) => parseBoolean(raw || 'true'));
  const costIncreaseThresholdPct = optional(Input.CostIncreaseThreshold, (raw) => {
    const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(raw);
    if (!m) throw new Error(`"${raw}" is not a percentage (for example 25 or 25%)`);
    return Number(m[1]);
  });
  const failOnCostIncrease = bool(Input.FailOnCostIncrease);

  // Rules that tie inputs together; skipped for an input already refused, to avoid a cascade.
  const refused = new Set(problems.map((p) => p.input));
  if (refused.has(Input.HailJar) || refused.has(Input.HailEnvArchive)) refused.add('artifacts');
  if (applicationId && applicationName) {
    problems.push(
      new InputError(Input.ApplicationName, 'give either application-id or application-name, not both'),
    );
  }
  const appGiven =
    applicationId ||
    applicationName ||
    refused.has(Input.ApplicationId) ||
    refused.has(Input.ApplicationName);
  if (!appGiven && !jobRunId && !(dryRun && releaseLabel)) {
    problems.push(
      new InputError(
        Input.ApplicationId,
        'is required (or give application-name to find or create an application by name)',
      ),
    );
  }
  if (jobRunId && !applicationId) {
    problems.push(new InputError(Input.JobRunId, 're-attaching to a job run needs its application-id'));
  }
  if (!refused.has('artifacts') && artifactsMode === 'prebuilt' && (!hailJar || !hailEnvArchive)) {
    const missing = !hailJar ? Input.HailJar : Input.HailEnvArchive;
    problems.push(new InputError(missing, 'is required when hail-artifacts is prebuilt'));
  }
  if (
    !refused.has('artifacts') &&
    artifactsMode !== 'prebuilt' &&
    Boolean(hailJar) !== Boolean(hailEnvArchive)
  ) {
    const missing = !hailJar ? Input.HailJar : Input.HailEnvArchive;
    problems.push(
      new InputError(missing, 'give both hail-jar and hail-env-archive, or neither (the action gets both)'),
    );
  }
  if (artifactsMode === 'build' && hailJar) {
    problems.push(new InputError(Input.HailJar, 'cannot be combined with hail-artifacts: build'));
  }
  const scriptTwin =
    script && pyFiles.find((f) => fileName(f) === fileName(script) && f.path !== script.path);
  if (scriptTwin) {
    problems.push(
      new InputError(
        Input.PyFiles,
        `${scriptTwin.relPath} has the same file name as the script ${script!.relPath}; the job would see only one of them: rename one`,
      ),
    );
  }
  if (outputUri && s3Prefix) {
    const overlap = prefixOverlap(parseS3Uri(outputUri), s3Prefix);
    if (overlap) problems.push(new InputError(Input.OutputUri, overlap));
  }
  if (!region && !dryRun) {
    problems.push(
      new InputError(
        Input.AwsRegion,
        'is not set and AWS_REGION is empty (set aws-region, or configure-aws-credentials)',
      ),
    );
  }
  if (failOnCostIncrease && costIncreaseThresholdPct === undefined) {
    problems.push(new InputError(Input.FailOnCostIncrease, 'needs cost-increase-threshold'));
  }
  if (history === false && costIncreaseThresholdPct !== undefined) {
    problems.push(
      new InputError(Input.CostIncreaseThreshold, 'needs history: true (the comparison reads the history)'),
    );
  }
  if (problems.length > 0) throw new InputErrors(problems);

  const mode: ArtifactsMode =
    artifactsMode === 'auto' && hailJar && hailEnvArchive ? 'prebuilt' : artifactsMode!;
  return Object.freeze({
    workspace,
    script: script!,
    scriptArgs,
    pyFiles,
    s3Prefix: s3Prefix!,
    executionRoleArn: executionRoleArn!,
    applicationId,
    applicationName,
    hailVersion: hailVersion!,
    releaseLabel,
    artifactsMode: mode,
    hailJar,
    hailEnvArchive,
    pythonRequirements,
    sparkConf,
    outputUri,
    name,
    tags,
    wait: wait!,
    timeoutMinutes: timeoutMinutes!,
    applicationStartTimeoutMinutes: applicationStartTimeoutMinutes!,
    cancelOnAbort: cancelOnAbort!,
    jobRunId,
    retryMaxAttempts,
    logTailLines: logTailLines!,
    liveLogs: liveLogs!,
    cloudWatchLogGroup,
    commentOnPr: commentOnPr!,
    githubToken,
    matrix,
    region,
    dryRun: dryRun!,
    history: history!,
    costIncreaseThresholdPct,
    failOnCostIncrease: failOnCostIncrease!,
  });
}

/** What `check-only` needs: the files to check, and whether HAIL_OUTPUT_URI will be set. */
export interface CheckOnlyConfig {
  readonly script: WorkspaceFile;
  readonly pyFiles: readonly WorkspaceFile[];
  readonly outputUri?: string;
}

/** True when the `check-only` input asks for the pre-submit checks alone. */
export function isCheckOnly(get: GetInput): boolean {
  try {
    return parseBoolean(get(Input.CheckOnly) || 'false');
  } catch (err) {
    throw new InputErrors([new InputError(Input.CheckOnly, (err as Error).message)]);
  }
}

/** The inputs `check-only` reads (no AWS input is needed: nothing is sent). */
export function readCheckOnlyInputs(get: GetInput, env: NodeJS.ProcessEnv = process.env): CheckOnlyConfig {
  const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd());
  const workspaceFile = workspaceResolver(workspace);
  const problems: InputError[] = [];
  const attempt = <T>(name: Input, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (err) {
      problems.push(new InputError(name, (err as Error).message));
      return undefined;
    }
  };
  const rawScript = get(Input.Script).trim();
  const script = attempt(Input.Script, () => {
    if (rawScript === '') throw new Error('is required');
    return scriptFile(workspaceFile, rawScript);
  });
  const pyFiles = attempt(Input.PyFiles, () => pyFileList(workspaceFile, get(Input.PyFiles))) ?? [];
  const rawOutput = get(Input.OutputUri).trim();
  const outputUri = rawOutput
    ? attempt(Input.OutputUri, () => (parseS3Uri(rawOutput), rawOutput.replace(/\/+$/, '')))
    : undefined;
  if (problems.length > 0) throw new InputErrors(problems);
  return Object.freeze({ script: script!, pyFiles, outputUri });
}

type WorkspaceResolver = (raw: string) => WorkspaceFile;

/** Resolves workspace paths against the workspace as written and as its links lead. */
function workspaceResolver(workspace: string): WorkspaceResolver {
  const realWorkspace = realPathOr(workspace);
  return (raw) => resolveWorkspaceFile(workspace, realWorkspace, raw);
}

function scriptFile(workspaceFile: WorkspaceResolver, raw: string): WorkspaceFile {
  if (!raw.endsWith('.py')) throw new Error(`"${raw}" is not a .py file`);
  return sparkSubmitSafe(workspaceFile(raw));
}

function pyFileList(workspaceFile: WorkspaceResolver, raw: string): WorkspaceFile[] {
  return withoutTwins(
    parseLines(raw).map((p) => {
      if (!/\.(py|zip|egg)$/.test(p)) throw new Error(`"${p}" is not a .py, .zip or .egg file`);
      return sparkSubmitSafe(workspaceFile(p));
    }),
  );
}

/** The real path, or the path itself when it does not exist (a missing workspace fails later). */
function realPathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isOutside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel);
}

/**
 * Resolves a workspace-relative path. Refuses a path that escapes the workspace as written, or
 * once links are followed (a link to /proc/self/environ would ship the runner's environment), and
 * anything but a regular file (a FIFO would hang the upload).
 */
function resolveWorkspaceFile(workspace: string, realWorkspace: string, raw: string): WorkspaceFile {
  const path = resolve(workspace, raw);
  if (isOutside(workspace, path)) throw new Error(`"${raw}" is outside the workspace (${workspace})`);
  if (!existsSync(path)) throw new Error(`"${raw}" does not exist in the workspace`);
  const real = realpathSync(path);
  if (isOutside(realWorkspace, real)) {
    throw new Error(`"${raw}" resolves to ${real}, outside the workspace (${workspace})`);
  }
  if (!statSync(real).isFile()) throw new Error(`"${raw}" is not a regular file`);
  // The path as written (a link keeps its own name on S3); its target was checked above.
  return { path, relPath: relative(workspace, path).split(sep).join('/') };
}

/** `toJSON(matrix)` from the runner: `null` outside a matrix; canonical JSON (sorted keys) inside. */
function parseMatrix(raw: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error('is not JSON (leave it at its default, ${{ toJSON(matrix) }})');
  }
  if (value === null) return undefined;
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  return JSON.stringify(canonical(value));
}

function throwIf(problem: string | undefined): void {
  if (problem) throw new Error(problem);
}

function fileName(f: WorkspaceFile): string {
  return f.relPath.slice(f.relPath.lastIndexOf('/') + 1);
}

/**
 * Every py-files entry lands in the job's working directory under its file name: two of the same
 * name would silently replace one another there.
 */
function withoutTwins(files: WorkspaceFile[]): WorkspaceFile[] {
  files.forEach((file, i) => {
    const twin = files.slice(0, i).find((f) => fileName(f) === fileName(file));
    if (twin) {
      throw new Error(
        `${twin.relPath} and ${file.relPath} have the same file name ${fileName(file)}; the job would see only one of them: rename one`,
      );
    }
  });
  return files;
}

/** Workspace files are uploaded under their own file name and named on the spark-submit line. */
function sparkSubmitSafe(f: WorkspaceFile): WorkspaceFile {
  throwIf(sparkSubmitNameProblem(fileName(f)));
  return f;
}

/**
 * The job's outputs are listed under output-uri after the run; the action's own objects (scripts,
 * artifacts, cache, logs, tmp) live under s3-prefix. Overlapping, the report would list the
 * action's objects as the job's outputs and a job writing there could clobber the cache: refused.
 */
function prefixOverlap(output: S3Location, prefix: S3Location): string | undefined {
  if (output.bucket !== prefix.bucket) return undefined;
  const o = output.key.replace(/\/+$/, '');
  const inside = (a: string, b: string) => b === '' || a === b || a.startsWith(`${b}/`);
  const prefixUri = `s3://${prefix.bucket}/${prefix.key}`;
  if (inside(o, prefix.key)) {
    return `is inside s3-prefix (${prefixUri}), where the action keeps its scripts, artifacts, logs and tmp dir: choose a prefix outside it`;
  }
  if (inside(prefix.key, o)) {
    return `contains s3-prefix (${prefixUri}): the action's own objects would be listed as the job's outputs; choose a prefix that does not contain it`;
  }
  return undefined;
}

function artifactInput(
  workspaceFile: (raw: string) => WorkspaceFile,
  raw: string,
  suffixes: string[],
): ArtifactInput {
  if (!suffixes.some((s) => raw.endsWith(s))) {
    throw new Error(`"${raw}" should end in ${suffixes.join(' or ')}`);
  }
  if (raw.startsWith('s3://')) {
    const loc = parseS3Uri(raw);
    if (loc.key === '') throw new Error(`"${raw}" has no object key`);
    throwIf(sparkSubmitNameProblem(loc.key));
    return { kind: 's3', uri: raw };
  }
  if (/^[a-z0-9]+:\/\//i.test(raw)) throw new Error(`"${raw}" must be a workspace path or an s3:// URI`);
  return { kind: 'local', file: sparkSubmitSafe(workspaceFile(raw)) };
}

function parseTags(raw: string): Record<string, string> {
  const pairs = parseKeyValueLines(raw);
  if (pairs.length > MAX_USER_TAGS) throw new Error(`has ${pairs.length} tags (at most ${MAX_USER_TAGS})`);
  const tags: Record<string, string> = {};
  for (const [k, v] of pairs) {
    if (k.length > TAG_KEY.max! || !compilePattern(TAG_KEY.pattern!).test(k)) {
      throw new Error(
        `tag key ${showValue(k)} must match ${TAG_KEY.pattern} (1-${TAG_KEY.max} ASCII characters)`,
      );
    }
    if (v.length > TAG_VALUE.max! || !compilePattern(TAG_VALUE.pattern!).test(v)) {
      throw new Error(
        `tag value for ${showValue(k)}: ${showValue(v)} must match ${TAG_VALUE.pattern} (0-${TAG_VALUE.max} ASCII characters)`,
      );
    }
    if (k.toLowerCase().startsWith('aws:')) throw new Error(`tag key "${k}" uses the reserved aws: prefix`);
    tags[k] = v;
  }
  return tags;
}
