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
import { awaitFinalDriverLogs, findDriverLog } from './driver-logs.js';

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
            objects: listed.objects.map(({ key, size, etag }) => ({ key, size, etag })),
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
