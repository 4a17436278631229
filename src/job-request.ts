import { randomUUID } from 'node:crypto';
import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import type { HailArtifacts } from './artifacts.js';
import { childUri } from './aws/s3-uri.js';
import { actionTags, clientToken, defaultJobName, type RunContext } from './github-context.js';
import { buildStartJobRunRequest } from './hail/spark-submit.js';
import type { Config } from './inputs.js';

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
  return buildStartJobRunRequest({
    applicationId: placed.applicationId,
    executionRoleArn: config.executionRoleArn,
    clientToken: clientToken(ctx, placed.scriptUri, randomUUID),
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
}
