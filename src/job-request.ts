// The requests the action sends to EMR Serverless, as pure functions of the config, the run
// context and where the files live; and the same StartJobRun request planned before any upload.
import { randomUUID } from 'node:crypto';
import type { CreateApplicationCommandInput, StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import { PREBUILT_AREA, type HailArtifacts } from './artifacts.js';
import { placementShape } from './aws/content-addressed.js';
import { createApplicationInput } from './aws/emr.js';
import { childUri, formatS3Uri } from './aws/s3-uri.js';
import { actionTags, clientToken, defaultJobName, type RunContext } from './github-context.js';
import { cacheLocations } from './hail/artifact-cache.js';
import { releaseLabelFor } from './compatibility.js';
import type { GivenJar } from './hail/jar-build.js';
import { buildStartJobRunRequest } from './hail/spark-submit.js';
import type { ArtifactInput, Config } from './inputs.js';

/** Where EMR Serverless writes this action's logs: `<s3-prefix>/logs/`. */
export function logUriFor(config: Config): string {
  return childUri(config.s3Prefix, 'logs') + '/';
}

export function jobNameFor(config: Config, ctx: RunContext): string {
  return config.name ?? defaultJobName(ctx, config.script.relPath);
}

/** The StartJobRun request for this config, once the script and artifacts have their URIs. */
export function jobRequestFor(
  config: Config,
  ctx: RunContext,
  placed: { applicationId: string; scriptUri: string; pyFileUris: string[]; artifacts: HailArtifacts },
): StartJobRunCommandInput {
  const request = buildStartJobRunRequest({
    applicationId: placed.applicationId,
    executionRoleArn: config.executionRoleArn,
    clientToken: '',
    name: jobNameFor(config, ctx),
    scriptUri: placed.scriptUri,
    scriptArgs: config.scriptArgs,
    pyFileUris: placed.pyFileUris,
    jarUri: placed.artifacts.jarUri,
    envArchiveUri: placed.artifacts.envArchiveUri,
    tmpDirUri: childUri(config.s3Prefix, 'tmp') + '/',
    logUri: logUriFor(config),
    cloudWatchLogGroup: config.cloudWatchLogGroup,
    outputUri: config.outputUri,
    sparkConf: config.sparkConf,
    tags: { ...config.tags, ...actionTags(ctx) },
    timeoutMinutes: config.timeoutMinutes,
    retryMaxAttempts: config.retryMaxAttempts,
  });
  return withClientToken(request, ctx);
}

/** CreateApplication for `application-name` mode (when no application of that name exists). */
export function applicationRequestFor(
  config: Config,
  ctx: RunContext,
  jar?: GivenJar,
  releaseLabel = config.releaseLabel ?? releaseLabelFor(config.hailVersion, jar),
): CreateApplicationCommandInput {
  const request = createApplicationInput({
    name: config.applicationName ?? '',
    releaseLabel,
    clientToken: '',
    tags: actionTags(ctx),
  });
  return withClientToken(request, ctx);
}

function withClientToken<T extends { clientToken?: string }>(request: T, ctx: RunContext): T {
  const { clientToken: _ignored, ...rest } = request;
  return { ...request, clientToken: clientToken(ctx, rest, randomUUID) };
}

// Stand-ins for what only AWS can tell, of the same length and alphabet as the real values, so a
// request planned with them passes or fails validation exactly as the real one will.
const PLANNED_APPLICATION_ID = '0'.repeat(16); // application IDs: [0-9a-z]+, 16 characters today
const PLANNED_CACHE_KEY = '0'.repeat(64); // artifact keys: 64 hex digits (hail/artifact-key.ts)

/**
 * The StartJobRun request this config will send, in the shape the service will see, before
 * anything is hashed, uploaded or asked of AWS: workspace files under stand-in content hashes,
 * cached artifacts under a stand-in key, and a stand-in application ID when none is given (each of
 * the real one's length and alphabet), so it passes or fails validation exactly as the real one will.
 */
export function plannedJobRequest(config: Config, ctx: RunContext): StartJobRunCommandInput {
  const shape = (path: string) => placementShape(path, config.s3Prefix, 'scripts');
  return jobRequestFor(config, ctx, {
    applicationId: config.applicationId ?? PLANNED_APPLICATION_ID,
    scriptUri: shape(config.script.path),
    pyFileUris: config.pyFiles.map((f) => shape(f.path)),
    artifacts: plannedArtifacts(config),
  });
}

function plannedArtifacts(config: Config): HailArtifacts {
  if (config.artifactsMode === 'prebuilt') {
    const uri = (a: ArtifactInput) =>
      a.kind === 's3' ? a.uri : placementShape(a.file.path, config.s3Prefix, PREBUILT_AREA);
    return {
      jarUri: uri(config.hailJar!),
      envArchiveUri: uri(config.hailEnvArchive!),
      source: 'prebuilt',
      uploadedBytes: 0,
    };
  }
  const cache = cacheLocations(config.s3Prefix, PLANNED_CACHE_KEY);
  return {
    jarUri: formatS3Uri(cache.jar),
    envArchiveUri: formatS3Uri(cache.envArchive),
    source: 'cache-hit',
    uploadedBytes: 0,
  };
}
