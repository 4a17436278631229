import * as core from '@actions/core';
import type { JobRun } from '@aws-sdk/client-emr-serverless';
import type { AwsClients } from '../aws/clients.js';
import { cancelJobRunUnlessEnded, getJobRun, isTerminal } from '../aws/emr.js';
import { Output, State } from '../constants.js';
import type { Config } from '../inputs.js';
import type { JobReport } from '../report/model.js';
import { sleep as realSleep } from '../util/sleep.js';
import type { WaitOutcome } from './wait.js';
import { actionLog as log } from '../log.js';

export interface Settled {
  run: JobRun;
  endedByAction?: JobReport['endedByAction'];
}

export interface SettleDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Ends the wait. A job run that ended is reported as is; one the action gave up on (timeout,
 * workflow cancelled) is cancelled, unless cancel-on-abort is false, or unless it turns out to have
 * ended meanwhile (then it is reported as it ended); expired credentials leave it running and say
 * how to pick it up again.
 */
export async function settle(
  clients: Pick<AwsClients, 'emr'>,
  config: Pick<Config, 'timeoutMinutes' | 'cancelOnAbort'>,
  applicationId: string,
  jobRunId: string,
  outcome: WaitOutcome,
  deps: SettleDeps = {},
): Promise<Settled> {
  if (outcome.kind === 'ended') return { run: outcome.run };
  if (outcome.kind === 'credentials-expired') {
    core.setOutput(Output.State, outcome.run?.state ?? 'UNKNOWN');
    // Said once, here: the post step would only fail again with the same credentials.
    core.saveState(State.LeftActive, 'credentials-expired');
    throw new Error(
      `the AWS credentials expired while waiting (${outcome.error}). Job run ${jobRunId} is still ` +
        `${outcome.run?.state ?? 'active'} and was not cancelled. Use a longer role session ` +
        `(role-duration-seconds in aws-actions/configure-aws-credentials, within the role's maximum session ` +
        `duration), or re-attach in a later step with job-run-id: ${jobRunId}.`,
    );
  }
  const endedByAction = outcome.kind === 'timeout' ? 'timeout' : 'workflow-cancelled';
  const why =
    outcome.kind === 'timeout'
      ? `timeout-minutes (${config.timeoutMinutes}) expired`
      : 'the workflow was cancelled';
  if (outcome.kind === 'aborted' && !config.cancelOnAbort) {
    core.warning(`${why}; cancel-on-abort is false, so job run ${jobRunId} keeps running`);
    throw new Error(`${why}; job run ${jobRunId} left running (cancel-on-abort: false)`);
  }
  core.warning(`${why}: cancelling job run ${jobRunId}`);
  const ended = await cancelJobRunUnlessEnded(clients.emr, applicationId, jobRunId);
  if (ended) {
    log.info(`${why}, but job run ${jobRunId} had already ended ${ended.state}: nothing to cancel`);
    return { run: ended };
  }
  log.info(`CancelJobRun sent for ${jobRunId}`);
  if (outcome.kind === 'aborted') {
    // The runner kills the step 10 s after SIGINT: report what we know and leave.
    core.setOutput(Output.State, 'CANCELLING');
    throw new Error(`${why}; job run ${jobRunId} was cancelled`);
  }
  return { run: await waitForCancelled(clients, applicationId, jobRunId, deps), endedByAction };
}

/** After CancelJobRun: the final state, within a minute (CANCELLING usually lasts seconds). */
async function waitForCancelled(
  clients: Pick<AwsClients, 'emr'>,
  applicationId: string,
  jobRunId: string,
  deps: SettleDeps,
): Promise<JobRun> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const deadline = now() + 60_000;
  for (;;) {
    const run = await getJobRun(clients.emr, applicationId, jobRunId);
    if (isTerminal(run.state) || now() > deadline) return run;
    await sleep(1_000);
  }
}
