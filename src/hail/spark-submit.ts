import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';

/** Where Hail's jar and the venv archive are unpacked in the driver's and executors' working dirs. */
export const ENV_ALIAS = 'environment';
const PYTHON = `./${ENV_ALIAS}/bin/python`;

const KRYO_SERIALIZER = 'org.apache.spark.serializer.KryoSerializer';
const HAIL_REGISTRATOR = 'is.hail.kryo.HailKryoRegistrator';

/**
 * The Spark settings Hail needs on EMR Serverless, in the order they are applied.
 * Kryo serializer and registrator are mandatory (Hail refuses to start without them); the jar
 * travels with `--jars` only (see sparkSubmitParameters); the PYSPARK_* variables make driver and
 * executors use the packed venv; fs.s3.maxConnections avoids EMRFS ConnectionPoolTimeoutException.
 */
export function hailSparkPresets(): [string, string][] {
  return [
    ['spark.serializer', KRYO_SERIALIZER],
    ['spark.kryo.registrator', HAIL_REGISTRATOR],
    ['spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON', PYTHON],
    ['spark.emr-serverless.driverEnv.PYSPARK_PYTHON', PYTHON],
    ['spark.executorEnv.PYSPARK_PYTHON', PYTHON],
    ['spark.hadoop.fs.s3.maxConnections', '1000'],
  ];
}

/**
 * Properties the EMR Serverless image sets itself: EMRFS (`s3://`), the AWS SDK and the Glue
 * client are on its extraClassPath, its native libraries and JVM flags on the others. A job-level
 * value replaces the image's whole list rather than adding to it, so `s3://` then fails with
 * `ClassNotFoundException: ... EmrFileSystem`.
 */
const IMAGE_OWNED = new Set(
  ['driver', 'executor'].flatMap((side) =>
    ['extraClassPath', 'extraJavaOptions', 'extraLibraryPath'].map((p) => `spark.${side}.${p}`),
  ),
);

/** Why a user's spark-conf entry cannot be sent, or undefined when it can. */
export function sparkConfProblem(key: string, value: string): string | undefined {
  if (IMAGE_OWNED.has(key)) {
    const what = key.endsWith('ClassPath')
      ? 'its class path, which carries EMRFS, the AWS SDK and the Glue client (s3:// would then fail with ClassNotFoundException ... EmrFileSystem)'
      : key.endsWith('JavaOptions')
        ? 'its JVM options'
        : 'its native library path';
    return (
      `"${key}" would replace the EMR image's own value (${what}) instead of adding to it: ` +
      `ship extra jars with spark.jars (merged into --jars with Hail's) and leave the extra* settings to the image`
    );
  }
  if (key in LIST_FLAGS) {
    for (const entry of value.split(',').map((e) => e.trim())) {
      // An archive's `#alias` is spark-submit syntax, not part of the name.
      const name = key === 'spark.archives' ? entry.replace(/#[^#]*$/, '') : entry;
      const problem = sparkSubmitNameProblem(name);
      if (problem)
        return `"${key}" is merged into ${LIST_FLAGS[key]} on the spark-submit line, and ${problem}`;
    }
  }
  if (key === 'spark.serializer' && value !== KRYO_SERIALIZER) {
    return `"${key}" is ${value}, but Hail needs ${KRYO_SERIALIZER} and stops at hl.init without it: remove it`;
  }
  if (key === 'spark.kryo.registrator' && value !== HAIL_REGISTRATOR) {
    return `"${key}" is ${value}, but Hail needs ${HAIL_REGISTRATOR} and stops at hl.init without it: remove it`;
  }
  return undefined;
}

export interface JobRequestParams {
  applicationId: string;
  executionRoleArn: string;
  clientToken: string;
  name: string;
  scriptUri: string;
  scriptArgs: readonly string[];
  pyFileUris: readonly string[];
  jarUri: string;
  envArchiveUri: string;
  /** s3:// prefix for Hail's tmp_dir (handed to the script as HAIL_TMP_DIR). */
  tmpDirUri: string;
  /** s3:// prefix for EMR Serverless logs. */
  logUri: string;
  /** Also log to this CloudWatch Logs group. */
  cloudWatchLogGroup?: string;
  outputUri?: string;
  /** User properties, applied after the presets (so they win). */
  sparkConf: readonly (readonly [string, string])[];
  tags: Record<string, string>;
  timeoutMinutes: number;
  retryMaxAttempts?: number;
}

/** Where the script finds Hail's tmp dir and its output prefix (see examples/). */
export const TMP_DIR_PROPERTY = 'spark.emr-serverless.driverEnv.HAIL_TMP_DIR';
export const OUTPUT_URI_PROPERTY = 'spark.emr-serverless.driverEnv.HAIL_OUTPUT_URI';

/** Spark properties in the order applied: presets, the action's env hand-offs, then the user's. */
export function sparkProperties(p: JobRequestParams): Record<string, string> {
  const props = new Map<string, string>(hailSparkPresets());
  // The script reads these rather than hard-coding bucket paths (see examples/).
  props.set(TMP_DIR_PROPERTY, p.tmpDirUri);
  if (p.outputUri) props.set(OUTPUT_URI_PROPERTY, p.outputUri);
  for (const [k, v] of p.sparkConf) if (!(k in LIST_FLAGS)) props.set(k, v);
  return Object.fromEntries(props);
}

/**
 * Properties the spark-submit line's own lists would override (Spark takes `--jars` over a
 * spark-defaults `spark.jars`, and so on), which would silently drop the user's entries: they are
 * merged into those lists instead, after the action's own.
 */
const LIST_FLAGS: Readonly<Record<string, string>> = {
  'spark.jars': '--jars',
  'spark.archives': '--archives',
  'spark.submit.pyFiles': '--py-files',
};

/** The entries of a comma-separated spark-conf list (the last setting of the key wins). */
function userList(p: JobRequestParams, key: string): string[] {
  const value = p.sparkConf.filter(([k]) => k === key).at(-1)?.[1] ?? '';
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

/**
 * `--jars` and `--archives` go on the spark-submit line as in AWS's own Hail/venv examples (the
 * jar reaches driver and executors through `--jars` alone); everything else goes in
 * spark-defaults, where values may hold spaces safely. The URIs here must hold no space or comma
 * (the inputs refuse such names: see sparkSubmitNameProblem).
 */
export function sparkSubmitParameters(p: JobRequestParams): string {
  const jars = [p.jarUri, ...userList(p, 'spark.jars')];
  const archives = [`${p.envArchiveUri}#${ENV_ALIAS}`, ...userList(p, 'spark.archives')];
  const pyFiles = [...p.pyFileUris, ...userList(p, 'spark.submit.pyFiles')];
  const parts = ['--jars', jars.join(','), '--archives', archives.join(',')];
  if (pyFiles.length > 0) parts.push('--py-files', pyFiles.join(','));
  return parts.join(' ');
}

/** Characters a URI on the spark-submit line cannot carry: the line is split at spaces, the lists at
 * commas, `#` starts an archive alias, and java.net.URI (which Spark parses each entry with) refuses
 * the rest. */
const UNSAFE_IN_SPARK_SUBMIT = /[\s,#%?"'`\\<>{}|^[\]]/u;

/** Why a file name or S3 key cannot travel on the spark-submit line, or undefined when it can. */
export function sparkSubmitNameProblem(name: string): string | undefined {
  const bad = UNSAFE_IN_SPARK_SUBMIT.exec(name)?.[0];
  if (bad === undefined) return undefined;
  const what = /\s/u.test(bad) ? 'a space' : bad === ',' ? 'a comma' : `"${bad}"`;
  return `"${name}" has ${what}, which spark-submit cannot carry in a file name (its parameters are split at spaces, its file lists at commas): rename it`;
}

/** The exact StartJobRun request: a pure function of its parameters. */
export function buildStartJobRunRequest(p: JobRequestParams): StartJobRunCommandInput {
  return {
    applicationId: p.applicationId,
    clientToken: p.clientToken,
    executionRoleArn: p.executionRoleArn,
    name: p.name,
    mode: 'BATCH',
    executionTimeoutMinutes: p.timeoutMinutes,
    jobDriver: {
      sparkSubmit: {
        entryPoint: p.scriptUri,
        entryPointArguments: [...p.scriptArgs],
        sparkSubmitParameters: sparkSubmitParameters(p),
      },
    },
    configurationOverrides: {
      applicationConfiguration: [{ classification: 'spark-defaults', properties: sparkProperties(p) }],
      monitoringConfiguration: {
        s3MonitoringConfiguration: { logUri: p.logUri },
        ...(p.cloudWatchLogGroup
          ? { cloudWatchLoggingConfiguration: { enabled: true, logGroupName: p.cloudWatchLogGroup } }
          : {}),
      },
    },
    tags: p.tags,
    ...(p.retryMaxAttempts !== undefined ? { retryPolicy: { maxAttempts: p.retryMaxAttempts } } : {}),
  };
}

/** The same request as an `aws emr-serverless start-job-run` command line (for dry runs and docs). */
export function startJobRunCliCommand(req: StartJobRunCommandInput, quote: (s: string) => string): string {
  const args: string[] = [
    'aws emr-serverless start-job-run',
    `--application-id ${quote(req.applicationId ?? '')}`,
    `--execution-role-arn ${quote(req.executionRoleArn ?? '')}`,
  ];
  if (req.name) args.push(`--name ${quote(req.name)}`);
  if (req.clientToken) args.push(`--client-token ${quote(req.clientToken)}`);
  if (req.mode) args.push(`--mode ${req.mode}`);
  if (req.executionTimeoutMinutes !== undefined) {
    args.push(`--execution-timeout-minutes ${req.executionTimeoutMinutes}`);
  }
  args.push(`--job-driver ${quote(JSON.stringify(req.jobDriver))}`);
  args.push(`--configuration-overrides ${quote(JSON.stringify(req.configurationOverrides))}`);
  if (req.tags && Object.keys(req.tags).length > 0) args.push(`--tags ${quote(JSON.stringify(req.tags))}`);
  if (req.retryPolicy) args.push(`--retry-policy ${quote(JSON.stringify(req.retryPolicy))}`);
  return args.join(' \\\n  ');
}
