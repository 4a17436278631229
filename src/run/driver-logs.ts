// Finds a job run's driver logs in S3. A large job writes thousands of executor logs under the
// same prefix, and `SPARK_EXECUTOR/...` sorts before `attempts/...`, so a plain listing of the
// prefix can end before it reaches a retried attempt's driver logs. Instead the listing goes
// straight to the folders that matter, one level at a time: a handful of requests at most.

import type { AwsClients } from '../aws/clients.js';
import { listLevel, type ListedObject } from '../aws/s3-read.js';
import { joinKey, type S3Location } from '../aws/s3-uri.js';
import { sleep } from '../util/sleep.js';

/** Newest attempts looked into before falling back to the first attempt's folder. */
const MAX_ATTEMPT_FOLDERS = 3;

export interface DriverLogs {
  /** 1 for the folder at the top of the job's prefix. */
  attempt: number;
  /** `.../SPARK_DRIVER/` of that attempt. */
  folder: S3Location;
  objects: ListedObject[];
}

/**
 * The newest attempt's driver log folder holding an object that `wanted` accepts. The layout of
 * retried attempts is unverified: the action reads `<job>/SPARK_DRIVER/` for the first attempt
 * and `<job>/attempts/<n>/SPARK_DRIVER/` for retries (as the local stack writes them), newest first.
 * At most 2 + MAX_ATTEMPT_FOLDERS list requests.
 */
export async function locateDriverLogs(
  clients: Pick<AwsClients, 's3'>,
  jobPrefix: S3Location,
  wanted: (key: string) => boolean = () => true,
): Promise<DriverLogs> {
  const at = (key: string): S3Location => ({ bucket: jobPrefix.bucket, key });
  const attemptsRoot = joinKey(jobPrefix.key, 'attempts') + '/';
  const { prefixes } = await listLevel(clients.s3, at(attemptsRoot));
  const attempts = prefixes
    .map((p) => Number(/^(\d+)\/$/.exec(p.slice(attemptsRoot.length))?.[1]))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => b - a)
    .slice(0, MAX_ATTEMPT_FOLDERS);
  const folders = [
    ...attempts.map((n) => ({ attempt: n, folder: at(`${attemptsRoot}${n}/SPARK_DRIVER/`) })),
    { attempt: 1, folder: at(joinKey(jobPrefix.key, 'SPARK_DRIVER') + '/') },
  ];
  for (const f of folders) {
    const { objects } = await listLevel(clients.s3, f.folder);
    const found = objects.filter((o) => wanted(o.key));
    if (found.length > 0) return { ...f, objects: found };
  }
  return { ...folders[folders.length - 1]!, objects: [] };
}

/** The newest attempt's driver `<name>.gz`, or the first attempt's expected key when none exists. */
export async function findDriverLog(
  clients: Pick<AwsClients, 's3'>,
  jobPrefix: S3Location,
  name: 'stdout' | 'stderr',
): Promise<S3Location> {
  const file = `${name}.gz`;
  const found = await locateDriverLogs(clients, jobPrefix, (key) => key.endsWith(`/SPARK_DRIVER/${file}`));
  return { bucket: found.folder.bucket, key: found.folder.key + file };
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
  log: { info(msg: string): void },
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
    const { objects } = await locateDriverLogs(clients, jobPrefix);
    if (objects.some((o) => (o.lastModified?.getTime() ?? Infinity) >= since)) return true;
    if (now() >= deadline) return false;
    if (!told) log.info('Waiting for the final driver logs to reach S3...');
    told = true;
    await pause(Math.min(LOG_ARRIVAL_POLL_MS, deadline - now()));
  }
}
