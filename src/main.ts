import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import type { JobRun } from '@aws-sdk/client-emr-serverless';
import { resolveApplication, ensureApplicationReady, type ApplicationInfo } from './application.js';
import { placePrebuiltArtifacts, type HailArtifacts } from './artifacts.js';
import { createClients, type AwsClients } from './aws/clients.js';
import { placeFile, planPlacement } from './aws/content-addressed.js';
import { cancelJobRun, getJobRun, isTerminal, startJobRun } from './aws/emr.js';
import { childUri, formatS3Uri } from './aws/s3-uri.js';
import { Input, Output, State } from './constants.js';
import {
  actionTags,
  clientToken,
  defaultJobName,
  readRunContext,
  type RunContext,
} from './github-context.js';
import { checkCompatibility, chooseReleaseLabel, type Compatibility } from './hail/compat.js';
import { cacheLocations } from './hail/artifact-cache.js';
import { artifactKeyFor, resolveHailArtifacts } from './hail/resolve-artifacts.js';
import { buildStartJobRunRequest, startJobRunCliCommand } from './hail/spark-submit.js';
import { readInputs, type Config } from './inputs.js';
import { publishReport } from './publish.js';
import { estimateCost } from './report/cost.js';
import type { JobReport } from './report/model.js';
import { installAbortHandlers } from './run/abort.js';
import { collectReport, jobLogPrefix } from './run/collect-report.js';
import { startLiveLogs } from './run/live-logs.js';
import { waitForJobRun, type WaitOutcome } from './run/wait.js';
import { FAILURE_PREFIX, InputError, errorMessage } from './util/errors.js';
import { shellQuote } from './util/parse.js';
import { sleep } from './util/sleep.js';

const log = { info: core.info, warning: core.warning, startGroup: core.startGroup, endGroup: core.endGroup };

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
      base: {
        ...submitted.reportBase,
        applicationId: app.applicationId,
        releaseLabel: app.releaseLabel,
        architecture: app.architecture,
      },
      run: final.run,
      logUri: submitted.logUri,
      outputUri: config.outputUri,
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

/**
 * Refuses an impossible Hail/EMR pair, naming the input the release came from: `release-label`,
 * or `application-id` when it was read from the application.
 */
function requireCompatible(
  hailVersion: string,
  releaseLabel: string,
  architecture: 'X86_64' | 'ARM64',
  from: Input = Input.ReleaseLabel,
): Compatibility {
  const compat = checkCompatibility({ hailVersion, releaseLabel, architecture });
  if (compat.verdict === 'impossible') {
    throw new InputError(
      from,
      `hail ${hailVersion} cannot run on ${releaseLabel} (${architecture}): ${compat.reason}`,
    );
  }
  if (compat.verdict !== 'compatible') core.info(compat.reason);
  return compat;
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

interface Submitted {
  jobRunId: string;
  state: string;
  logUri: string;
  logPrefix: string;
  reportBase: Omit<JobReport, 'state' | 'logs' | 'links' | 'timings'>;
}

function baseReport(config: Config, ctx: RunContext, app: ApplicationInfo, extra: Partial<JobReport>) {
  return {
    jobName: config.name ?? defaultJobName(ctx, config.script.relPath),
    applicationId: app.applicationId,
    region: config.region!,
    hailVersion: config.hailVersion,
    repository: ctx.repository,
    commitSha: ctx.sha,
    serverUrl: ctx.serverUrl,
    ...extra,
  };
}

/** Gets the artifacts, uploads the script, and starts the job run (idempotently). */
async function submit(
  clients: AwsClients,
  config: Config,
  ctx: RunContext,
  app: ApplicationInfo,
  compat: Compatibility,
  signal: AbortSignal,
): Promise<Submitted> {
  const artifacts = await getArtifacts(clients, config, app, compat);
  setArtifactOutputs(artifacts);
  const script = await placeFile(clients.s3, config.script.path, config.s3Prefix, 'scripts');
  const pyFiles = await Promise.all(
    config.pyFiles.map((f) => placeFile(clients.s3, f.path, config.s3Prefix, 'scripts')),
  );
  core.setOutput(Output.ScriptUri, script.uri);
  core.info(
    `Script ${config.script.relPath} -> ${script.uri}${script.uploadedBytes ? '' : ' (already there)'}`,
  );

  const logUri = childUri(config.s3Prefix, 'logs') + '/';
  const request = buildStartJobRunRequest({
    applicationId: app.applicationId,
    executionRoleArn: config.executionRoleArn,
    clientToken: clientToken(ctx, script.uri, randomUUID),
    name: config.name ?? defaultJobName(ctx, config.script.relPath),
    scriptUri: script.uri,
    scriptArgs: config.scriptArgs,
    pyFileUris: pyFiles.map((f) => f.uri),
    jarUri: artifacts.jarUri,
    envArchiveUri: artifacts.envArchiveUri,
    tmpDirUri: childUri(config.s3Prefix, 'tmp') + '/',
    logUri,
    outputUri: config.outputUri,
    sparkConf: config.sparkConf,
    tags: { ...config.tags, ...actionTags(ctx) },
    timeoutMinutes: config.timeoutMinutes,
    retryMaxAttempts: config.retryMaxAttempts,
  });
  await ensureApplicationReady(
    clients.emr,
    app.applicationId,
    config.applicationStartTimeoutMinutes,
    log,
    signal,
  );
  if (signal.aborted) throw new Error('the workflow was cancelled before the job run was submitted');

  const { jobRunId } = await startJobRun(clients.emr, request);
  // Saved at once: from here on the post step can cancel this job run if main dies.
  core.saveState(State.JobRunId, jobRunId);
  core.saveState(State.ApplicationId, app.applicationId);
  core.saveState(State.Region, clients.region);
  core.saveState(State.CancelOnAbort, String(config.cancelOnAbort));
  core.setOutput(Output.JobRunId, jobRunId);
  const logPrefix = jobLogPrefix(logUri, app.applicationId, jobRunId);
  core.setOutput(Output.LogUri, logPrefix);
  core.setOutput(Output.OutputUri, config.outputUri ?? '');
  core.info(`Started job run ${jobRunId} on application ${app.applicationId} (${app.releaseLabel})`);
  return {
    jobRunId,
    state: 'SUBMITTED',
    logUri,
    logPrefix,
    reportBase: baseReport(config, ctx, app, {
      jobRunId,
      scriptUri: script.uri,
      artifactsSource: artifacts.source,
      artifacts: {
        jarUri: artifacts.jarUri,
        envArchiveUri: artifacts.envArchiveUri,
        cacheKey: artifacts.cacheKey,
      },
    }),
  };
}

/** Re-attach: wait for and report a job run started earlier (job-run-id input). */
async function attach(clients: AwsClients, config: Config, app: ApplicationInfo): Promise<Submitted> {
  const jobRunId = config.jobRunId!;
  const run = await getJobRun(clients.emr, app.applicationId, jobRunId);
  const logUri =
    run.configurationOverrides?.monitoringConfiguration?.s3MonitoringConfiguration?.logUri ??
    childUri(config.s3Prefix, 'logs') + '/';
  if (!isTerminal(run.state)) {
    core.saveState(State.JobRunId, jobRunId);
    core.saveState(State.ApplicationId, app.applicationId);
    core.saveState(State.Region, clients.region);
    core.saveState(State.CancelOnAbort, String(config.cancelOnAbort));
  }
  core.setOutput(Output.JobRunId, jobRunId);
  const logPrefix = jobLogPrefix(logUri, app.applicationId, jobRunId);
  core.setOutput(Output.LogUri, logPrefix);
  core.setOutput(Output.OutputUri, config.outputUri ?? '');
  core.info(`Re-attached to job run ${jobRunId} (${run.state})`);
  return {
    jobRunId,
    state: run.state ?? 'SUBMITTED',
    logUri,
    logPrefix,
    reportBase: {
      jobName: run.name ?? jobRunId,
      applicationId: app.applicationId,
      region: clients.region,
      hailVersion: config.hailVersion,
      jobRunId,
      scriptUri: run.jobDriver?.sparkSubmit?.entryPoint,
    },
  };
}

async function getArtifacts(
  clients: AwsClients | undefined,
  config: Config,
  app: { releaseLabel: string; architecture: 'X86_64' | 'ARM64' },
  compat: Compatibility,
): Promise<HailArtifacts> {
  if (config.artifactsMode === 'prebuilt') {
    return placePrebuiltArtifacts(clients?.s3, config.s3Prefix, config.hailJar!, config.hailEnvArchive!);
  }
  if (!clients) throw new Error('internal: artifact resolution needs S3');
  const resolved = await resolveHailArtifacts({
    mode: config.artifactsMode,
    s3: clients.s3,
    prefix: config.s3Prefix,
    compat,
    hailVersion: config.hailVersion,
    releaseLabel: app.releaseLabel,
    architecture: app.architecture,
    recipeDir: hailBuildDir(),
    pythonRequirementsPath: config.pythonRequirements?.path,
    workDir: readRunContext().tempDir,
    logger: log,
  });
  return resolved;
}

/** hail-build/ ships with the action, beside dist/ (and beside src/ in tests). */
function hailBuildDir(): string {
  const actionRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const recipe = ['hail', 'build'].join('-'); // spelled so the bundler does not inline it as an asset
  return join(actionRoot, recipe);
}

/** Ends the wait: cancels the job run when the action gave up on it, and reads its final state. */
async function settle(
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
  core.info(`CancelJobRun sent for ${jobRunId}`);
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

function setArtifactOutputs(a: HailArtifacts): void {
  core.setOutput(Output.HailJarUri, a.jarUri);
  core.setOutput(Output.HailEnvArchiveUri, a.envArchiveUri);
  core.setOutput(Output.HailArtifactsSource, a.source);
  core.info(`Hail artifacts (${a.source}): ${a.jarUri}, ${a.envArchiveUri}`);
}

function setFinalOutputs(report: JobReport, config: Config): void {
  core.setOutput(Output.State, report.state);
  core.setOutput(Output.StateDetails, report.stateDetails ?? '');
  core.setOutput(Output.OutputUri, config.outputUri ?? '');
  if (report.result) core.setOutput(Output.Result, JSON.stringify(report.result));
  if (report.timings.totalExecutionSeconds !== undefined) {
    core.setOutput(Output.DurationSeconds, String(report.timings.totalExecutionSeconds));
  }
  if (report.billedResourceUtilization) {
    const cost = estimateCost(
      report.billedResourceUtilization,
      report.region,
      report.architecture ?? 'X86_64',
    );
    core.setOutput(Output.EstimatedCostUsd, cost.usd.toFixed(4));
  }
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

/** Validates everything and prints the exact request, without any AWS call. */
async function dryRun(config: Config, ctx: RunContext): Promise<void> {
  const releaseLabel = config.releaseLabel ?? chooseReleaseLabel(config.hailVersion);
  const compat = requireCompatible(config.hailVersion, releaseLabel, 'X86_64');
  const applicationId = config.applicationId ?? `<application "${config.applicationName ?? 'new'}">`;
  const artifacts =
    config.artifactsMode === 'prebuilt'
      ? await placePrebuiltArtifacts(undefined, config.s3Prefix, config.hailJar!, config.hailEnvArchive!)
      : await dryRunArtifacts(config, compat, releaseLabel);
  const script = await planPlacement(config.script.path, config.s3Prefix, 'scripts');
  const pyFiles = await Promise.all(
    config.pyFiles.map((f) => planPlacement(f.path, config.s3Prefix, 'scripts')),
  );
  const request = buildStartJobRunRequest({
    applicationId,
    executionRoleArn: config.executionRoleArn,
    clientToken: clientToken(ctx, script.uri, randomUUID),
    name: config.name ?? defaultJobName(ctx, config.script.relPath),
    scriptUri: script.uri,
    scriptArgs: config.scriptArgs,
    pyFileUris: pyFiles.map((f) => f.uri),
    jarUri: artifacts.jarUri,
    envArchiveUri: artifacts.envArchiveUri,
    tmpDirUri: childUri(config.s3Prefix, 'tmp') + '/',
    logUri: childUri(config.s3Prefix, 'logs') + '/',
    outputUri: config.outputUri,
    sparkConf: config.sparkConf,
    tags: { ...config.tags, ...actionTags(ctx) },
    timeoutMinutes: config.timeoutMinutes,
    retryMaxAttempts: config.retryMaxAttempts,
  });
  core.startGroup('Dry run: StartJobRun request');
  core.info(JSON.stringify(request, null, 2));
  core.endGroup();
  core.info('Equivalent AWS CLI command:');
  core.info(startJobRunCliCommand(request, shellQuote));
  core.setOutput(Output.ApplicationId, applicationId);
  core.setOutput(Output.ReleaseLabel, releaseLabel);
  core.setOutput(Output.ScriptUri, script.uri);
  setArtifactOutputs(artifacts);
  core.setOutput(Output.State, 'DRY_RUN');
  await core.summary
    .addHeading('Hail on EMR Serverless: dry run', 3)
    .addRaw(`No AWS call was made. The request that would be sent (release ${releaseLabel}):`, true)
    .addCodeBlock(JSON.stringify(request, null, 2), 'json')
    .write();
}

/** In a dry run the cache is not consulted: show where `auto` would look for this content key. */
async function dryRunArtifacts(
  config: Config,
  compat: Compatibility,
  releaseLabel: string,
): Promise<HailArtifacts> {
  const { key } = await artifactKeyFor({
    compat,
    hailVersion: config.hailVersion,
    releaseLabel,
    architecture: 'X86_64',
    recipeDir: hailBuildDir(),
    pythonRequirementsPath: config.pythonRequirements?.path,
  });
  const cache = cacheLocations(config.s3Prefix, key);
  core.info(
    `Dry run: hail-artifacts ${config.artifactsMode} would use the cache entry ${formatS3Uri(cache.dir)}/`,
  );
  return {
    jarUri: formatS3Uri(cache.jar),
    envArchiveUri: formatS3Uri(cache.envArchive),
    source: 'cache-hit',
    cacheKey: key,
    uploadedBytes: 0,
  };
}
