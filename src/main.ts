import * as core from '@actions/core';
import { resolveApplication, type ApplicationInfo } from './application.js';
import { createClients, type AwsClients } from './aws/clients.js';
import { readGivenJar } from './artifacts.js';
import { checkOptionsFor, runCheckOnly, runPreSubmitChecks } from './checks/run-checks.js';
import { requireCompatible, requireReleaseFeatures } from './compatibility.js';
import { Input, Output, State } from './constants.js';
import { dryRun } from './dry-run.js';
import { readRunContext, type RunContext } from './github-context.js';
import type { GivenJar } from './hail/jar-build.js';
import { isCheckOnly, readCheckOnlyInputs, readInputs, type Config } from './inputs.js';
import { applicationRequestFor } from './job-request.js';
import { actionLog as log } from './log.js';
import { setFinalOutputs } from './outputs.js';
import { publishReport } from './publish.js';
import { withDiagnosis } from './report/diagnosis/context.js';
import { diagnosisText } from './report/diagnosis/render.js';
import { requireValidRequests } from './request-check.js';
import type { JobReport } from './report/model.js';
import { installAbortHandlers } from './run/abort.js';
import { collectReport } from './run/collect-report.js';
import { costIncreaseMessage, keepRecords } from './run/keep-records.js';
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
    const get = (name: string) => core.getInput(name);
    if (isCheckOnly(get)) {
      await runCheckOnly(readCheckOnlyInputs(get)); // nothing is sent: no AWS input is needed
      return;
    }
    const config = readInputs(get);
    if (config.githubToken) core.setSecret(config.githubToken);
    const ctx = readRunContext();
    // The script's own mistakes, before anything is uploaded or submitted (no AWS call).
    if (!config.jobRunId) await runPreSubmitChecks(config, checkOptionsFor(config));
    // Hashing the files to upload starts now; the request check and the uploads reuse the digests.
    if (!config.jobRunId) prehash(filesToHash(config));
    // What the given release cannot do is refused before any AWS call.
    if (config.releaseLabel) requireReleaseFeatures(config, config.releaseLabel);
    // The requests as the service will see them, checked against its model before any AWS call.
    requireValidRequests(config, ctx);
    const clients = config.dryRun ? undefined : createClients(config.region!);
    // A Hail version newer than the table is judged by its jar (read, never uploaded, here).
    const jar = await readGivenJar(clients?.s3, config);
    // Refuse an impossible Hail/EMR pair before any upload (for a listed Hail, before any AWS call).
    if (config.releaseLabel) {
      requireCompatible(config.hailVersion, config.releaseLabel, 'X86_64', undefined, jar);
    }
    if (config.dryRun || !clients) return await dryRun(config, ctx, jar);

    const app = await getApplication(clients, config, ctx, jar);
    const from = config.applicationId ? Input.ApplicationId : Input.ApplicationName;
    // Still before any upload: what the application's release (known only now) cannot do.
    requireReleaseFeatures(config, app.releaseLabel, from);
    const compat = requireCompatible(config.hailVersion, app.releaseLabel, app.architecture, from, jar);
    core.setOutput(Output.ApplicationId, app.applicationId);
    core.setOutput(Output.ReleaseLabel, app.releaseLabel);

    const submitted = config.jobRunId
      ? await attach(clients, config, app)
      : await submit(clients, config, ctx, app, compat, abort.signal);
    if (!config.wait) {
      core.saveState(State.Finished, 'true'); // handed off on purpose: the post step leaves it alone
      core.setOutput(Output.State, submitted.state);
      log.info(`wait is false: job run ${submitted.jobRunId} left ${submitted.state}`);
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

    const collected = await collectReport({
      clients,
      base: submitted.reportBase,
      run: final.run,
      logUri: submitted.logUri,
      outputUri: config.outputUri,
      cloudWatchLogGroup: config.cloudWatchLogGroup,
      tailLines: config.logTailLines,
      endedByAction: final.endedByAction,
      waitedSeconds: (Date.now() - waitStart) / 1000,
      // The runner kills a cancelled workflow's step within 10 s: report without waiting for logs.
      awaitLogs: !abort.signal.aborted,
      log,
    });
    const report = withDiagnosis(collected, config);
    await keepRecords(clients, config, ctx, report, submitted.made, log);
    setFinalOutputs(report, config);
    await publishReport(report, config, ctx, log);
    const costUp = costIncreaseMessage(report);
    if (report.state !== 'SUCCESS') core.setFailed(`${FAILURE_PREFIX} ${failureLine(report)}`);
    else if (costUp && config.failOnCostIncrease) core.setFailed(`${FAILURE_PREFIX} ${costUp}`);
    else if (costUp) core.warning(costUp, { title: 'Cost increase' });
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
  jar: GivenJar | undefined,
): Promise<ApplicationInfo> {
  const app = await resolveApplication(clients.emr, {
    applicationId: config.applicationId,
    applicationName: config.applicationName,
    newApplication: () => applicationRequestFor(config, ctx, jar),
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
  const cause = report.diagnosis ? `\n${diagnosisText(report.diagnosis)}` : '';
  return `job run ${report.jobRunId} ended ${report.state}${why}${headline}${cause}`;
}
