// Names of inputs, outputs and saved state: the only place these strings are spelled.

export enum Input {
  Script = 'script',
  S3Prefix = 's3-prefix',
  ExecutionRoleArn = 'execution-role-arn',
  ApplicationId = 'application-id',
  ApplicationName = 'application-name',
  ScriptArgs = 'script-args',
  PyFiles = 'py-files',
  HailVersion = 'hail-version',
  ReleaseLabel = 'release-label',
  HailArtifacts = 'hail-artifacts',
  HailJar = 'hail-jar',
  HailEnvArchive = 'hail-env-archive',
  PythonRequirements = 'python-requirements',
  SparkConf = 'spark-conf',
  OutputUri = 'output-uri',
  Name = 'name',
  Tags = 'tags',
  Wait = 'wait',
  TimeoutMinutes = 'timeout-minutes',
  ApplicationStartTimeoutMinutes = 'application-start-timeout-minutes',
  CancelOnAbort = 'cancel-on-abort',
  JobRunId = 'job-run-id',
  RetryMaxAttempts = 'retry-max-attempts',
  LogTailLines = 'log-tail-lines',
  LiveLogs = 'live-logs',
  CloudWatchLogGroup = 'cloudwatch-log-group',
  CommentOnPr = 'comment-on-pr',
  GithubToken = 'github-token',
  Matrix = 'matrix',
  AwsRegion = 'aws-region',
  DryRun = 'dry-run',
  History = 'history',
  CostIncreaseThreshold = 'cost-increase-threshold',
  FailOnCostIncrease = 'fail-on-cost-increase',
  CheckOnly = 'check-only',
}

export enum Output {
  JobRunId = 'job-run-id',
  ApplicationId = 'application-id',
  State = 'state',
  StateDetails = 'state-details',
  LogUri = 'log-uri',
  ScriptUri = 'script-uri',
  HailJarUri = 'hail-jar-uri',
  HailEnvArchiveUri = 'hail-env-archive-uri',
  HailArtifactsSource = 'hail-artifacts-source',
  ReleaseLabel = 'release-label',
  OutputUri = 'output-uri',
  Result = 'result',
  DurationSeconds = 'duration-seconds',
  EstimatedCostUsd = 'estimated-cost-usd',
  CostChangePercent = 'cost-change-percent',
  ProvenanceUri = 'provenance-uri',
  ProvenancePath = 'provenance-path',
}

/** Saved with core.saveState for the post step (read back as STATE_<name>). */
export enum State {
  JobRunId = 'job-run-id',
  ApplicationId = 'application-id',
  Region = 'region',
  CancelOnAbort = 'cancel-on-abort',
  /** 'true' once main has seen the job run end (or handed it off with wait: false). */
  Finished = 'finished',
  /**
   * Why main left an active job run to the user (e.g. 'credentials-expired'): main has said so and
   * how to re-attach, so the post step does not try again with the same credentials.
   */
  LeftActive = 'left-active',
}

/** The file a job may write under output-uri to hand numbers to later steps. */
export const RESULT_FILE = '_action_result.json';
