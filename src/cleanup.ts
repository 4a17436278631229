import * as core from '@actions/core';
import { createEmrClient } from './aws/emr-client.js';
import { cancelJobRunUnlessEnded, getJobRun, isTerminal } from './aws/emr.js';
import { State } from './constants.js';
import { errorMessage } from './util/errors.js';
import { actionLog as log } from './log.js';

/**
 * The post step (post-if: always()). If main died before it saw its job run end (killed after
 * SIGTERM, crashed, runner lost), the saved state still names the job run: cancel it if it is
 * active, so nothing is left running and billing. A finished job run is never touched.
 */
export async function runPost(): Promise<void> {
  const jobRunId = core.getState(State.JobRunId);
  const applicationId = core.getState(State.ApplicationId);
  if (!jobRunId || !applicationId || core.getState(State.Finished) === 'true') return;
  if (core.getState(State.LeftActive)) {
    // Main has already said why and how to re-attach; trying again would only add a second error.
    log.info(`Job run ${jobRunId} was left active by the main step (${core.getState(State.LeftActive)})`);
    return;
  }
  if (core.getState(State.CancelOnAbort) === 'false') {
    log.info(`Job run ${jobRunId} may still be running (cancel-on-abort: false)`);
    return;
  }
  try {
    const emr = createEmrClient(core.getState(State.Region) || process.env.AWS_REGION || 'us-east-1');
    const run = await getJobRun(emr, applicationId, jobRunId);
    if (isTerminal(run.state) || run.state === 'CANCELLING') {
      log.info(`Job run ${jobRunId} is ${run.state}; nothing to clean up`);
      return;
    }
    const ended = await cancelJobRunUnlessEnded(emr, applicationId, jobRunId);
    if (ended) {
      log.info(`Job run ${jobRunId} ended ${ended.state} on its own; nothing to clean up`);
      return;
    }
    core.warning(`The main step ended without finishing; cancelled job run ${jobRunId} (was ${run.state})`);
  } catch (err) {
    core.setFailed(
      `hail-emr-serverless post step could not cancel job run ${jobRunId}: ${errorMessage(err)}`,
    );
  }
}
