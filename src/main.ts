import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import { resolveApplication, type ApplicationInfo } from './application.js';
import { createClients, type AwsClients } from './aws/clients.js';
import { requireCompatible } from './compatibility.js';
import { Input, Output, State } from './constants.js';
import { dryRun } from './dry-run.js';
import { actionTags, clientToken, readRunContext, type RunContext } from './github-context.js';
import { chooseReleaseLabel } from './hail/compat.js';
import { readInputs, type Config } from './inputs.js';
import { actionLog as log } from './log.js';
import { setFinalOutputs } from './outputs.js';
import { publishReport } from './publish.js';
import type { JobReport } from './report/model.js';
import { installAbortHandlers } from './run/abort.js';
import { collectReport } from './run/collect-report.js';
import { startLiveLogs } from './run/live-logs.js';
import { settle } from './run/settle.js';
import { waitForJobRun } from './run/wait.js';
import { attach, submit } from './submit.js';
import { filesToHash } from './upload-plan.js';
import { FAILURE_PREFIX, errorMessage } from './util/errors.js';
import { prehash } from './util/hash.js';

/** The whole action, in the order the mission describes it. */
export async function run(): Promise<void> {
  const abort = installAbortHandlers(log);
  try {
    const config = readInputs((name) => core.getInput(name));
    if (config.githubToken) core.setSecret(config.githubToken);
    const ctx = readRunContext();
    // Refuse an impossible Hail/EMR pair before any AWS call when the release is already known.
    if (config.releaseLabel) requireCompatible(config.hailVersion, config.releaseLabel, 'X86_64');
    if (config.dryRun) return await dryRun(config, ctx);

    const clients = createClients(config.region!);
    // Hashed while the application is looked up; placing the files reuses these digests.
    if (!config.jobRunId) prehash(filesToHash(config));
    const app = await getApplication(clients, config, ctx);
    const compat = requireCompatible(
      config.hailVersion,
      app.releaseLabel,
      app.architecture,
      config.applicationId ? Input.ApplicationId : Input.ApplicationName,
    );
    core.setOutput(Output.ApplicationId, app.applicationId);
    core.setOutput(Output.ReleaseLabel, app.releaseLabel);

    const submitted = config.jobRunId
      ? await attach(clients, config, app)
      : await submit(clients, config, ctx, app, compat, abort.signal);
    if (!config.wait) {
      core.saveState(State.Finished, 'true'); // handed off on purpose: the post step leaves it alone
      core.setOutput(Output.State, submitted.state);
      core.info(`wait is false: job run ${submitted.jobRunId} left ${submitted.state}`);
      return;
    }

    const waitStart = Date.now();
    const live = config.liveLogs ? startLiveLogs(clients, submitted.logPrefix, log) : undefined;
    const outcome = await waitForJobRun({
      emr: clients.emr,
      applicationId: app.applicationId,
      jobRunId: submitted.jobRunId,
      deadline: waitStart + config.timeoutMinutes * 60_000,
      signal: abort.signal,
      log,
      onPoll: (r) => live?.onPoll(r),
    });
    await live?.stop();
    const final = await settle(clients, config, app.applicationId, submitted.jobRunId, outcome);
    core.saveState(State.Finished, 'true');

    const report = await collectReport({
      clients,
      base: submitted.reportBase,
      run: final.run,
      logUri: submitted.logUri,
      outputUri: config.outputUri,
      cloudWatchLogGroup: config.cloudWatchLogGroup,
      tailLines: config.logTailLines,
      endedByAction: final.endedByAction,
      waitedSeconds: (Date.now() - waitStart) / 1000,
      log,
    });
    setFinalOutputs(report, config);
    await publishReport(report, config, ctx, log);
    if (report.state !== 'SUCCESS') core.setFailed(`${FAILURE_PREFIX} ${failureLine(report)}`);
  } catch (err) {
    core.setFailed(`${FAILURE_PREFIX} ${errorMessage(err)}`);
  } finally {
    abort.dispose();
  }
}

async function getApplication(
  clients: AwsClients,
  config: Config,
  ctx: RunContext,
): Promise<ApplicationInfo> {
  const app = await resolveApplication(clients.emr, {
    applicationId: config.applicationId,
    applicationName: config.applicationName,
    releaseLabelForNew: () => config.releaseLabel ?? chooseReleaseLabel(config.hailVersion),
    clientToken: clientToken(ctx, `application:${config.applicationName}`, randomUUID),
    tags: actionTags(ctx),
    log,
  });
  if (config.releaseLabel && config.releaseLabel !== app.releaseLabel) {
    throw new Error(
      `input \`release-label\` is ${config.releaseLabel} but application ${app.applicationId} runs ${app.releaseLabel}`,
    );
  }
  return app;
}

function failureLine(report: JobReport): string {
  const why = report.endedByAction === 'timeout' ? ' (timeout-minutes expired; the action cancelled it)' : '';
  const headline = report.failure
    ? `: ${report.failure.headline}`
    : report.stateDetails
      ? `: ${report.stateDetails}`
      : '';
  return `job run ${report.jobRunId} ended ${report.state}${why}${headline}`;
}
