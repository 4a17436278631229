import * as core from '@actions/core';
import type { JobRun } from '@aws-sdk/client-emr-serverless';
import type { AwsClients } from '../aws/clients.js';
import { cancelJobRun, getJobRun, isTerminal } from '../aws/emr.js';
import { Output } from '../constants.js';
import type { Config } from '../inputs.js';
import type { JobReport } from '../report/model.js';
import { sleep } from '../util/sleep.js';
import type { WaitOutcome } from './wait.js';
import { actionLog as log } from '../log.js';

/**
 * Ends the wait. A job run that ended is reported as is; one the action gave up on (timeout,
 * workflow cancelled) is cancelled, unless cancel-on-abort is false; expired credentials leave it
 * running and say how to pick it up again.
 */
export async function settle(
  clients: AwsClients,
  config: Config,
  applicationId: string,
  jobRunId: string,
  outcome: WaitOutcome,
): Promise<{ run: JobRun; endedByAction?: JobReport['endedByAction'] }> {
  if (outcome.kind === 'ended') return { run: outcome.run };
  if (outcome.kind === 'credentials-expired') {
    core.setOutput(Output.State, outcome.run?.state ?? 'UNKNOWN');
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
  await cancelJobRun(clients.emr, applicationId, jobRunId);
  log.info(`CancelJobRun sent for ${jobRunId}`);
  if (outcome.kind === 'aborted') {
    // The runner kills the step 10 s after SIGINT: report what we know and leave.
    core.setOutput(Output.State, 'CANCELLING');
    throw new Error(`${why}; job run ${jobRunId} was cancelled`);
  }
  return { run: await waitForCancelled(clients, applicationId, jobRunId), endedByAction };
}

/** After CancelJobRun: the final state, within a minute (CANCELLING usually lasts seconds). */
async function waitForCancelled(
  clients: AwsClients,
  applicationId: string,
  jobRunId: string,
): Promise<JobRun> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = await getJobRun(clients.emr, applicationId, jobRunId);
    if (isTerminal(run.state) || Date.now() > deadline) return run;
    await sleep(1_000);
  }
}
