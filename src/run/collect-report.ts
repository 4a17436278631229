import type { JobRun } from '@aws-sdk/client-emr-serverless';
import type { AwsClients } from '../aws/clients.js';
import { getDashboardUrl, listJobRunAttempts } from '../aws/emr.js';
import { getObjectText } from '../aws/s3-objects.js';
import { listObjects, openObjectStream } from '../aws/s3-read.js';
import { formatS3Uri, joinKey, parseS3Uri, type S3Location } from '../aws/s3-uri.js';
import { RESULT_FILE } from '../constants.js';
import { missingLogTail, scanLog } from '../report/log-scan.js';
import type { JobReport, JobRunState, LogTail, FailureExcerpt } from '../report/model.js';
import { cloudWatchLogGroupUrl } from '../report/links.js';
import { groupOutputs } from '../report/outputs.js';
import { errorMessage } from '../util/errors.js';
import { sleep } from '../util/sleep.js';

export interface ReportLogger {
  info(msg: string): void;
  warning(msg: string): void;
}

/** `<logUri>/applications/<app>/jobs/<run>/`: the service's layout for one job run's logs. */
export function jobLogPrefix(logUri: string, applicationId: string, jobRunId: string): string {
  const base = parseS3Uri(logUri);
  return formatS3Uri({
    bucket: base.bucket,
    key: joinKey(base.key, 'applications', applicationId, 'jobs', jobRunId) + '/',
  });
}

/**
 * The driver log of the newest attempt. The layout of retried attempts is unverified, so the
 * prefix is listed and the SPARK_DRIVER/<name> key with the highest attempt number wins.
 */
export async function findDriverLog(
  clients: AwsClients,
  jobPrefix: S3Location,
  name: 'stdout' | 'stderr',
): Promise<S3Location> {
  const fallback = { bucket: jobPrefix.bucket, key: joinKey(jobPrefix.key, 'SPARK_DRIVER', `${name}.gz`) };
  const { objects } = await listObjects(clients.s3, jobPrefix, 2_000);
  let best: { key: string; attempt: number } | undefined;
  for (const o of objects) {
    if (!o.key.endsWith(`/SPARK_DRIVER/${name}.gz`)) continue;
    const m = /(?:^|\/)attempts\/(\d+)\//.exec(o.key.slice(jobPrefix.key.length));
    const attempt = m ? Number(m[1]) : 1;
    if (!best || attempt > best.attempt) best = { key: o.key, attempt };
  }
  return best ? { bucket: jobPrefix.bucket, key: best.key } : fallback;
}

async function readLog(
  clients: AwsClients,
  loc: S3Location,
  name: 'stdout' | 'stderr',
  tailLines: number,
  log: ReportLogger,
): Promise<{ tail: LogTail; failure?: FailureExcerpt }> {
  const uri = formatS3Uri(loc);
  const stream = await openObjectStream(clients.s3, loc);
  if (!stream) return { tail: missingLogTail(uri) };
  const read = await scanLog(stream, { name, uri, tailLines });
  if (read.tail.readError) {
    log.warning(
      `driver ${name} ended early (${read.tail.readError}); keeping the ${read.tail.totalLines} lines read before that`,
    );
  }
  return read;
}

/** Reads `<output-uri>/_action_result.json` when the job wrote one (a small JSON object). */
async function readResult(clients: AwsClients, outputUri: string, log: ReportLogger) {
  const loc = parseS3Uri(`${outputUri}/${RESULT_FILE}`);
  const text = await getObjectText(clients.s3, loc, 64 * 1024).catch((err) => {
    log.warning(`Could not read ${RESULT_FILE}: ${errorMessage(err)}`);
    return undefined;
  });
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    log.warning(`${RESULT_FILE} is not a JSON object; ignored`);
  } catch {
    log.warning(`${RESULT_FILE} is not valid JSON; ignored`);
  }
  return undefined;
}

// EMR Serverless uploads the driver logs periodically while a job runs and a last time as it
// ends; that last upload may land after the job run reports its terminal state, within a minute.
const LOG_ARRIVAL_MS = 60_000;
const LOG_ARRIVAL_POLL_MS = 2_000;
// S3 and EMR clocks agree closely, and LastModified has one-second resolution.
const CLOCK_SLACK_MS = 5_000;

export interface LogArrivalOptions {
  graceMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Waits until the driver logs of a job run that ran have been written at or after its end: an
 * earlier upload may lack the last lines, and with them the traceback. Waits only while the final
 * upload can still arrive (up to a minute after the job run's end): for a job run that ended long
 * ago (re-attached with job-run-id), what is there is all there will be.
 */
export async function awaitFinalDriverLogs(
  clients: Pick<AwsClients, 's3'>,
  jobPrefix: S3Location,
  endedAt: Date | undefined,
  log: ReportLogger,
  opts: LogArrivalOptions = {},
): Promise<boolean> {
  const now = opts.now ?? Date.now;
  const pause = opts.sleep ?? sleep;
  const graceMs = opts.graceMs ?? LOG_ARRIVAL_MS;
  const ended = endedAt?.getTime() ?? now();
  const deadline = Math.min(now() + graceMs, ended + graceMs + CLOCK_SLACK_MS);
  const since = ended - CLOCK_SLACK_MS;
  let told = false;
  for (;;) {
    const { objects } = await listObjects(clients.s3, jobPrefix, 2_000);
    const driver = objects.filter((o) => o.key.includes('/SPARK_DRIVER/'));
    if (driver.some((o) => (o.lastModified?.getTime() ?? Infinity) >= since)) return true;
    if (now() >= deadline) return false;
    if (!told) log.info('Waiting for the final driver logs to reach S3...');
    told = true;
    await pause(Math.min(LOG_ARRIVAL_POLL_MS, deadline - now()));
  }
}

export interface CollectParams {
  clients: AwsClients;
  base: Omit<JobReport, 'state' | 'logs' | 'links' | 'timings'>;
  run: JobRun;
  logUri: string;
  outputUri?: string;
  cloudWatchLogGroup?: string;
  tailLines: number;
  endedByAction?: JobReport['endedByAction'];
  waitedSeconds: number;
  /** False when there is no time to wait for late driver logs (the workflow is being cancelled). */
  awaitLogs?: boolean;
  log: ReportLogger;
}

/** Everything the summary shows, read after the job ended; each read degrades to "not available". */
export async function collectReport(p: CollectParams): Promise<JobReport> {
  const { clients, run } = p;
  const applicationId = run.applicationId ?? p.base.applicationId;
  const jobRunId = run.jobRunId ?? p.base.jobRunId ?? '';
  const prefixUri = jobLogPrefix(p.logUri, applicationId, jobRunId);
  const prefix = parseS3Uri(prefixUri);
  const soft = <T>(what: string, f: () => Promise<T>): Promise<T | undefined> =>
    f().catch((err) => {
      p.log.warning(`Could not read ${what}: ${errorMessage(err)}`);
      return undefined;
    });

  // Only a job run that started has driver logs to wait for.
  if (run.startedAt && p.awaitLogs !== false)
    await soft('the log prefix', () => awaitFinalDriverLogs(clients, prefix, run.endedAt, p.log));
  const [stdout, stderr, outputs, result, dashboard, attempts] = await Promise.all([
    soft('driver stdout', async () =>
      readLog(clients, await findDriverLog(clients, prefix, 'stdout'), 'stdout', p.tailLines, p.log),
    ),
    soft('driver stderr', async () =>
      readLog(clients, await findDriverLog(clients, prefix, 'stderr'), 'stderr', p.tailLines, p.log),
    ),
    p.outputUri
      ? soft('outputs', async () => {
          const listed = await listObjects(clients.s3, parseS3Uri(`${p.outputUri}/`));
          return {
            uri: p.outputUri!,
            entries: groupOutputs(p.outputUri!, listed.objects),
            truncated: listed.truncated,
          };
        })
      : undefined,
    p.outputUri ? readResult(clients, p.outputUri, p.log) : undefined,
    soft('the Spark UI link', async () => {
      const url = await getDashboardUrl(clients.emr, applicationId, jobRunId);
      return url ? { url, expiresAt: new Date(Date.now() + 60 * 60_000) } : undefined;
    }),
    (run.attempt ?? 1) > 1
      ? soft('job run attempts', () => listJobRunAttempts(clients.emr, applicationId, jobRunId))
      : undefined,
  ]);

  return {
    ...p.base,
    jobRunId,
    applicationId,
    state: (run.state ?? 'FAILED') as JobRunState,
    stateDetails: run.stateDetails,
    endedByAction: p.endedByAction,
    releaseLabel: run.releaseLabel ?? p.base.releaseLabel,
    timings: {
      submittedAt: run.createdAt,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      queuedMs: run.queuedDurationMilliseconds,
      totalExecutionSeconds: run.totalExecutionDurationSeconds,
      waitedSeconds: p.waitedSeconds,
    },
    totalResourceUtilization: run.totalResourceUtilization,
    billedResourceUtilization: run.billedResourceUtilization,
    attempts: attempts?.map((a) => ({
      attempt: a.attempt ?? 0,
      state: a.state ?? '',
      stateDetails: a.stateDetails,
    })),
    logUri: prefixUri,
    logs: { stdout: stdout?.tail, stderr: stderr?.tail },
    failure: run.state === 'SUCCESS' ? undefined : (stderr?.failure ?? stdout?.failure),
    outputs,
    result,
    links: {
      sparkUi: dashboard,
      cloudWatch: p.cloudWatchLogGroup
        ? cloudWatchLogGroupUrl(p.base.region, p.cloudWatchLogGroup)
        : undefined,
    },
  };
}
