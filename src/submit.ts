import * as core from '@actions/core';
import { hailBuildDir } from './action-paths.js';
import { ensureApplicationReady, type ApplicationInfo } from './application.js';
import { placePrebuiltArtifacts, type HailArtifacts } from './artifacts.js';
import type { AwsClients } from './aws/clients.js';
import { placeFile } from './aws/content-addressed.js';
import { getJobRun, isTerminal, startJobRun } from './aws/emr.js';
import { Output, State } from './constants.js';
import type { RunContext } from './github-context.js';
import type { Compatibility } from './hail/compat.js';
import { resolveHailArtifacts } from './hail/resolve-artifacts.js';
import type { Config } from './inputs.js';
import { jobNameFor, jobRequestFor, logUriFor } from './job-request.js';
import { actionLog as log } from './log.js';
import { setArtifactOutputs } from './outputs.js';
import type { ProvenanceInputs } from './provenance/provenance.js';
import type { JobReport } from './report/model.js';
import { requireValidJobRequest } from './request-check.js';
import { jobLogPrefix } from './run/collect-report.js';

/** What a run sent to S3 and EMR Serverless, as the provenance record keeps it. */
export type RunMade = Pick<ProvenanceInputs, 'request' | 'script' | 'pyFiles' | 'artifacts'>;

/** A job run the action is responsible for: started here, or re-attached to. */
export interface Submitted {
  jobRunId: string;
  state: string;
  logUri: string;
  logPrefix: string;
  reportBase: Omit<JobReport, 'state' | 'logs' | 'links' | 'timings'>;
  /** What this run sent (absent on re-attach): the provenance record is made from it. */
  made?: RunMade;
}

/** Gets the artifacts and uploads the script (side by side), then starts the job run (idempotently). */
export async function submit(
  clients: AwsClients,
  config: Config,
  ctx: RunContext,
  app: ApplicationInfo,
  compat: Compatibility,
  signal: AbortSignal,
): Promise<Submitted> {
  const place = (path: string) => placeFile(clients.s3, path, config.s3Prefix, 'scripts', signal);
  const [artifacts, script, pyFiles] = await Promise.all([
    getArtifacts(clients, config, app, compat, ctx, signal),
    place(config.script.path),
    Promise.all(config.pyFiles.map((f) => place(f.path))),
  ]).catch((err: unknown) => {
    // Uploads cut short are aborted (no object under a final key); nothing has been submitted.
    if (signal.aborted) throw new Error('the workflow was cancelled while uploading; no job run was started');
    throw err;
  });
  setArtifactOutputs(artifacts);
  core.setOutput(Output.ScriptUri, script.uri);
  log.info(
    `Script ${config.script.relPath} -> ${script.uri}${script.uploadedBytes ? '' : ' (already there)'}`,
  );

  const request = jobRequestFor(config, ctx, {
    applicationId: app.applicationId,
    scriptUri: script.uri,
    pyFileUris: pyFiles.map((f) => f.uri),
    artifacts,
  });
  // Checked before the uploads with planned URIs; again with the real ones (a cache entry's
  // manifest may name its files differently), before the service sees it.
  requireValidJobRequest(request, config);
  await ensureApplicationReady(clients.emr, app, config.applicationStartTimeoutMinutes, log, signal);
  if (signal.aborted) throw new Error('the workflow was cancelled before the job run was submitted');

  const made: RunMade = {
    request,
    script: { path: config.script.relPath, uri: script.uri, sha256: script.sha256 },
    pyFiles: config.pyFiles.map((f, i) => ({
      path: f.relPath,
      uri: pyFiles[i]!.uri,
      sha256: pyFiles[i]!.sha256,
    })),
    artifacts: {
      jar: { uri: artifacts.jarUri, sha256: artifacts.jarSha256 },
      envArchive: { uri: artifacts.envArchiveUri, sha256: artifacts.envArchiveSha256 },
      source: artifacts.source,
      cacheKey: artifacts.cacheKey,
    },
  };
  const { jobRunId } = await startJobRun(clients.emr, request);
  // Saved at once: from here on the post step can cancel this job run if main dies.
  saveJobState(clients, config, app.applicationId, jobRunId);
  log.info(`Started job run ${jobRunId} on application ${app.applicationId} (${app.releaseLabel})`);
  return {
    ...jobOutputs(config, app.applicationId, jobRunId, logUriFor(config)),
    state: 'SUBMITTED',
    made,
    reportBase: {
      jobName: jobNameFor(config, ctx),
      applicationId: app.applicationId,
      releaseLabel: app.releaseLabel,
      architecture: app.architecture,
      region: clients.region,
      hailVersion: config.hailVersion,
      repository: ctx.repository,
      commitSha: ctx.sha,
      serverUrl: ctx.serverUrl,
      jobRunId,
      scriptUri: script.uri,
      artifactsSource: artifacts.source,
      artifacts: {
        jarUri: artifacts.jarUri,
        envArchiveUri: artifacts.envArchiveUri,
        cacheKey: artifacts.cacheKey,
      },
    },
  };
}

/** Re-attach: wait for and report a job run started earlier (the job-run-id input). */
export async function attach(clients: AwsClients, config: Config, app: ApplicationInfo): Promise<Submitted> {
  const jobRunId = config.jobRunId!;
  const run = await getJobRun(clients.emr, app.applicationId, jobRunId);
  const logUri =
    run.configurationOverrides?.monitoringConfiguration?.s3MonitoringConfiguration?.logUri ??
    logUriFor(config);
  if (!isTerminal(run.state)) saveJobState(clients, config, app.applicationId, jobRunId);
  log.info(`Re-attached to job run ${jobRunId} (${run.state})`);
  return {
    ...jobOutputs(config, app.applicationId, jobRunId, logUri),
    state: run.state ?? 'SUBMITTED',
    reportBase: {
      jobName: run.name ?? jobRunId,
      applicationId: app.applicationId,
      releaseLabel: app.releaseLabel,
      architecture: app.architecture,
      region: clients.region,
      hailVersion: config.hailVersion,
      jobRunId,
      scriptUri: run.jobDriver?.sparkSubmit?.entryPoint,
    },
  };
}

/** What the post step needs to cancel this job run if main does not live to see it end. */
function saveJobState(clients: AwsClients, config: Config, applicationId: string, jobRunId: string): void {
  core.saveState(State.JobRunId, jobRunId);
  core.saveState(State.ApplicationId, applicationId);
  core.saveState(State.Region, clients.region);
  core.saveState(State.CancelOnAbort, String(config.cancelOnAbort));
}

function jobOutputs(config: Config, applicationId: string, jobRunId: string, logUri: string) {
  const logPrefix = jobLogPrefix(logUri, applicationId, jobRunId);
  core.setOutput(Output.JobRunId, jobRunId);
  core.setOutput(Output.LogUri, logPrefix);
  core.setOutput(Output.OutputUri, config.outputUri ?? '');
  return { jobRunId, logUri, logPrefix };
}

async function getArtifacts(
  clients: AwsClients,
  config: Config,
  app: ApplicationInfo,
  compat: Compatibility,
  ctx: RunContext,
  signal: AbortSignal,
): Promise<HailArtifacts> {
  if (config.artifactsMode === 'prebuilt') {
    return placePrebuiltArtifacts(
      clients.s3,
      config.s3Prefix,
      config.hailJar!,
      config.hailEnvArchive!,
      signal,
    );
  }
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
    workDir: ctx.tempDir,
    logger: log,
    signal,
  });
  return {
    ...resolved,
    jarSha256: resolved.manifest.files.jar.sha256,
    envArchiveSha256: resolved.manifest.files.envArchive.sha256,
  };
}
