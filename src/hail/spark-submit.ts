import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';

/** Where Hail's jar and the venv archive are unpacked in the driver's and executors' working dirs. */
export const ENV_ALIAS = 'environment';
const PYTHON = `./${ENV_ALIAS}/bin/python`;

/**
 * The Spark settings Hail needs on EMR Serverless, in the order they are applied.
 * Kryo serializer and registrator are mandatory (Hail refuses to start without them); the jar on
 * the class path is Hail's documented setting; the PYSPARK_* variables make driver and executors
 * use the packed venv; fs.s3.maxConnections avoids EMRFS ConnectionPoolTimeoutException.
 */
export function hailSparkPresets(jarUri: string): [string, string][] {
  const jarName = jarUri.slice(jarUri.lastIndexOf('/') + 1);
  return [
    ['spark.serializer', 'org.apache.spark.serializer.KryoSerializer'],
    ['spark.kryo.registrator', 'is.hail.kryo.HailKryoRegistrator'],
    ['spark.driver.extraClassPath', `./${jarName}`],
    ['spark.executor.extraClassPath', `./${jarName}`],
    ['spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON', PYTHON],
    ['spark.emr-serverless.driverEnv.PYSPARK_PYTHON', PYTHON],
    ['spark.executorEnv.PYSPARK_PYTHON', PYTHON],
    ['spark.hadoop.fs.s3.maxConnections', '1000'],
  ];
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

/** Spark properties in the order applied: presets, the action's env hand-offs, then the user's. */
export function sparkProperties(p: JobRequestParams): Record<string, string> {
  const props = new Map<string, string>(hailSparkPresets(p.jarUri));
  // The script reads these rather than hard-coding bucket paths (see examples/).
  props.set('spark.emr-serverless.driverEnv.HAIL_TMP_DIR', p.tmpDirUri);
  if (p.outputUri) props.set('spark.emr-serverless.driverEnv.HAIL_OUTPUT_URI', p.outputUri);
  for (const [k, v] of p.sparkConf) props.set(k, v);
  return Object.fromEntries(props);
}

/**
 * `--jars` and `--archives` go on the spark-submit line as in AWS's own Hail/venv examples;
 * everything else goes in spark-defaults, where values may hold spaces safely.
 */
export function sparkSubmitParameters(p: JobRequestParams): string {
  const parts = ['--jars', p.jarUri, '--archives', `${p.envArchiveUri}#${ENV_ALIAS}`];
  if (p.pyFileUris.length > 0) parts.push('--py-files', p.pyFileUris.join(','));
  return parts.join(' ');
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
