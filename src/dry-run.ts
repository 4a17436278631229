import * as core from '@actions/core';
import { hailBuildDir } from './action-paths.js';
import { placePrebuiltArtifacts, type HailArtifacts } from './artifacts.js';
import { planPlacement } from './aws/content-addressed.js';
import { formatS3Uri } from './aws/s3-uri.js';
import { releaseLabelFor, requireCompatible, requireReleaseFeatures } from './compatibility.js';
import { Output } from './constants.js';
import type { RunContext } from './github-context.js';
import { cacheLocations } from './hail/artifact-cache.js';
import type { Compatibility } from './hail/compat.js';
import type { GivenJar } from './hail/jar-build.js';
import { artifactKeyFor } from './hail/resolve-artifacts.js';
import { startJobRunCliCommand } from './hail/spark-submit.js';
import type { Config } from './inputs.js';
import { jobRequestFor } from './job-request.js';
import { setArtifactOutputs } from './outputs.js';
import { shellQuote } from './util/parse.js';
import { actionLog as log } from './log.js';

/** Validates everything and prints the exact request and the equivalent CLI command, without any AWS call. */
export async function dryRun(config: Config, ctx: RunContext, jar?: GivenJar): Promise<void> {
  const releaseLabel = config.releaseLabel ?? releaseLabelFor(config.hailVersion, jar);
  requireReleaseFeatures(config, releaseLabel);
  const compat = requireCompatible(config.hailVersion, releaseLabel, 'X86_64', undefined, jar);
  const applicationId = config.applicationId ?? `<application "${config.applicationName ?? 'new'}">`;
  const artifacts =
    config.artifactsMode === 'prebuilt'
      ? await placePrebuiltArtifacts(undefined, config.s3Prefix, config.hailJar!, config.hailEnvArchive!)
      : await cacheEntryFor(config, compat, releaseLabel);
  const script = await planPlacement(config.script.path, config.s3Prefix, 'scripts');
  const pyFiles = await Promise.all(
    config.pyFiles.map((f) => planPlacement(f.path, config.s3Prefix, 'scripts')),
  );
  const request = jobRequestFor(config, ctx, {
    applicationId,
    scriptUri: script.uri,
    pyFileUris: pyFiles.map((f) => f.uri),
    artifacts,
  });
  log.startGroup('Dry run: StartJobRun request');
  log.info(JSON.stringify(request, null, 2));
  log.endGroup();
  log.info('Equivalent AWS CLI command:');
  log.info(startJobRunCliCommand(request, shellQuote));
  core.setOutput(Output.ApplicationId, applicationId);
  core.setOutput(Output.ReleaseLabel, releaseLabel);
  core.setOutput(Output.ScriptUri, script.uri);
  setArtifactOutputs(artifacts);
  // Nothing was looked up: say so rather than claim a cache hit.
  if (config.artifactsMode !== 'prebuilt') core.setOutput(Output.HailArtifactsSource, 'not-checked');
  core.setOutput(Output.State, 'DRY_RUN');
  await core.summary
    .addHeading('Hail on EMR Serverless: dry run', 3)
    .addRaw(`No AWS call was made. The request that would be sent (release ${releaseLabel}):`, true)
    .addCodeBlock(JSON.stringify(request, null, 2), 'json')
    .write();
}

/** The cache is not consulted in a dry run: show where `auto` would look for this content key. */
async function cacheEntryFor(
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
  log.info(
    `Dry run: hail-artifacts ${config.artifactsMode} would look in ${formatS3Uri(cache.dir)}/ (not checked)`,
  );
  return {
    jarUri: formatS3Uri(cache.jar),
    envArchiveUri: formatS3Uri(cache.envArchive),
    source: 'cache-hit',
    cacheKey: key,
    uploadedBytes: 0,
  };
}
