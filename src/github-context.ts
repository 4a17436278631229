import { readFileSync } from 'node:fs';
import { cutAtCodePoint } from './util/text.js';
import { sha256Hex, stableJson } from './util/hash.js';

/** What the action needs to know about the workflow run it is part of (from the runner's env). */
export interface RunContext {
  repository?: string;
  sha?: string;
  ref?: string;
  runId?: string;
  runAttempt?: string;
  runNumber?: string;
  job?: string;
  action?: string; // the step's id, or the runner's generated name for it
  workflow?: string;
  workflowRef?: string; // owner/repo/.github/workflows/x.yml@refs/heads/main
  eventName?: string;
  actor?: string;
  eventPath?: string;
  serverUrl: string;
  apiUrl: string;
  tempDir: string;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  return {
    repository: env.GITHUB_REPOSITORY,
    sha: env.GITHUB_SHA,
    ref: env.GITHUB_REF,
    runId: env.GITHUB_RUN_ID,
    runAttempt: env.GITHUB_RUN_ATTEMPT,
    runNumber: env.GITHUB_RUN_NUMBER,
    job: env.GITHUB_JOB,
    action: env.GITHUB_ACTION,
    workflow: env.GITHUB_WORKFLOW,
    workflowRef: env.GITHUB_WORKFLOW_REF,
    eventName: env.GITHUB_EVENT_NAME,
    actor: env.GITHUB_ACTOR,
    eventPath: env.GITHUB_EVENT_PATH,
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    tempDir: env.RUNNER_TEMP || '/tmp',
  };
}

/**
 * The idempotency token of a StartJobRun or CreateApplication request: a hash of the whole request
 * (everything but the token) and of the step's place in the workflow run (repository, run id,
 * attempt, job, step). A retry of the same request sends the same token, so it never starts a
 * second job run; any other request (another matrix leg's script-args, spark-conf, output-uri...)
 * or a re-run of the workflow (a new attempt) gets another token, so two never collide. 64 hex
 * digits: within the model's ClientToken (1-64 of [A-Za-z0-9._-]). Outside a workflow run nothing
 * identifies the step, so the token is random there.
 */
export function clientToken(ctx: RunContext, requestWithoutToken: object, random: () => string): string {
  if (!ctx.runId) return random();
  const step = [ctx.repository, ctx.runId, ctx.runAttempt ?? '1', ctx.job, ctx.action].map((p) => p ?? '');
  return sha256Hex(stableJson({ step, request: requestWithoutToken }));
}

/** Default job run name: `<repository>/<workflow>#<run number>`, cut to the service's 256 UTF-16 units. */
export function defaultJobName(ctx: RunContext, scriptRelPath: string): string {
  const base = ctx.repository
    ? `${ctx.repository}/${ctx.workflow ?? 'run'}#${ctx.runNumber ?? ctx.runId ?? ''}`
    : '';
  return cutAtCodePoint(base || scriptRelPath, 256);
}

/** Tags the action adds so a job run can be traced back to its commit and workflow run. */
export function actionTags(ctx: RunContext): Record<string, string> {
  const tags: Record<string, string> = { 'created-by': 'hail-emr-serverless' };
  if (ctx.repository) tags['github-repository'] = ctx.repository;
  if (ctx.sha) tags['github-sha'] = ctx.sha;
  if (ctx.runId) tags['github-run-id'] = `${ctx.runId}-${ctx.runAttempt ?? '1'}`;
  return tags;
}

/** The payload at GITHUB_EVENT_PATH; undefined when there is none or it is not JSON. */
export function readEventPayload(path: string | undefined): unknown {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The page of this attempt of the workflow run, when the runner says which run this is. */
export function workflowRunUrl(ctx: Pick<RunContext, 'serverUrl' | 'repository' | 'runId' | 'runAttempt'>) {
  if (!ctx.repository || !ctx.runId) return undefined;
  const server = ctx.serverUrl.replace(/\/+$/, '');
  return `${server}/${ctx.repository}/actions/runs/${ctx.runId}/attempts/${ctx.runAttempt || '1'}`;
}
