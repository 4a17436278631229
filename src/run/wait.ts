import type { EMRServerlessClient, JobRun } from '@aws-sdk/client-emr-serverless';
import { getJobRun, isTerminal } from '../aws/emr.js';
import { isExpiredCredentials, isTransient } from '../aws/errors.js';
import { errorMessage } from '../util/errors.js';
import { sleep as realSleep } from '../util/sleep.js';
import { nextPollDelayMs } from './poll-schedule.js';

export interface WaitLogger {
  info(msg: string): void;
  warning(msg: string): void;
}

export interface WaitOptions {
  emr: EMRServerlessClient;
  applicationId: string;
  jobRunId: string;
  /** Epoch ms after which the wait gives up (the caller then cancels the job run). */
  deadline: number;
  /** Aborted when the workflow is cancelled. */
  signal: AbortSignal;
  log: WaitLogger;
  /** Called after every successful poll (live logs hang off this); must not throw. */
  onPoll?: (run: JobRun) => void;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type WaitOutcome =
  | { kind: 'ended'; run: JobRun }
  | { kind: 'timeout'; run?: JobRun }
  | { kind: 'aborted'; run?: JobRun }
  | { kind: 'credentials-expired'; run?: JobRun; error: string };

// A flaky network must not end the wait early: time lost to failed polls is given back, up to this.
const MAX_GRACE_MS = 10 * 60_000;

/**
 * Polls GetJobRun until the job run reaches SUCCESS, FAILED or CANCELLED (QUEUED, like every other
 * state, is not terminal), the deadline passes, or the signal aborts. Logs each state change.
 */
export async function waitForJobRun(o: WaitOptions): Promise<WaitOutcome> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const started = now();
  let last: JobRun | undefined;
  let stateSince = started;
  let grace = 0;

  for (;;) {
    if (o.signal.aborted) return { kind: 'aborted', run: last };
    const before = now();
    try {
      const run = await getJobRun(o.emr, o.applicationId, o.jobRunId, o.signal);
      if (run.state !== last?.state) {
        stateSince = now();
        o.log.info(describeStateChange(run, last, (now() - started) / 1000));
      }
      last = run;
      o.onPoll?.(run);
      if (isTerminal(run.state)) return { kind: 'ended', run };
    } catch (err) {
      if (o.signal.aborted) return { kind: 'aborted', run: last };
      if (isExpiredCredentials(err))
        return { kind: 'credentials-expired', run: last, error: errorMessage(err) };
      if (!isTransient(err)) throw err;
      grace = Math.min(MAX_GRACE_MS, grace + (now() - before));
      o.log.warning(`GetJobRun failed (${errorMessage(err)}); still waiting for ${o.jobRunId}`);
    }
    const remaining = o.deadline + grace - now();
    if (remaining <= 0) return { kind: 'timeout', run: last };
    await sleep(Math.min(remaining, nextPollDelayMs(now() - stateSince)), o.signal);
  }
}

/** One log line per state change: state, time since the wait began, queue time, details. */
export function describeStateChange(
  run: JobRun,
  previous: JobRun | undefined,
  elapsedSeconds: number,
): string {
  const parts = [
    `Job run ${run.jobRunId}: ${previous?.state ?? 'START'} -> ${run.state} after ${elapsedSeconds.toFixed(1)} s`,
  ];
  if (run.queuedDurationMilliseconds)
    parts.push(`queued ${(run.queuedDurationMilliseconds / 1000).toFixed(1)} s`);
  if (run.attempt && run.attempt > 1) parts.push(`attempt ${run.attempt}`);
  if (run.stateDetails) parts.push(run.stateDetails);
  return parts.join(' · ');
}
