// The pull-request comment: one per job of a workflow (see commentKey), created on the first run
// and updated in place by every later push (found again by the hidden marker it starts with).
//
// What to do is decided by pure functions (commentTarget, findOwnComment, workflowRunUrl). The REST
// calls sit in commentOnPullRequest, which never throws: a comment is a courtesy, and a missing
// permission, a fork or an API outage must not fail a step whose job succeeded.

import { getOctokit } from '@actions/github';
import { readEventPayload, workflowRunUrl, type RunContext } from '../github-context.js';

export { workflowRunUrl };
import { errorMessage } from '../util/errors.js';
import { sha256Hex } from '../util/hash.js';
import type { JobReport } from './model.js';
import { commentMarker, renderPrComment } from './summary.js';

/** Where the comment goes, or why there is none. `level` says how loudly to tell the user. */
export type CommentTarget =
  | { action: 'comment'; owner: string; repo: string; number: number }
  | { action: 'skip'; reason: string; level: 'debug' | 'notice' };

export interface CommentTargetInput {
  /** GITHUB_EVENT_NAME. */
  eventName?: string;
  /** The parsed payload at GITHUB_EVENT_PATH (undefined when missing or not JSON). */
  event: unknown;
  /** GITHUB_REPOSITORY, used when the payload does not name the base repository. */
  repository?: string;
  hasToken: boolean;
}

/** Events whose payload is a pull request. */
const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);
/** The whole comment exchange (list, then create or update) gives up after this long. */
const API_TIMEOUT_MS = 60_000;

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function fullName(repo: unknown): string | undefined {
  const name = obj(repo)?.full_name;
  return typeof name === 'string' && /^[^/\s]+\/[^/\s]+$/.test(name) ? name : undefined;
}

/**
 * Decides whether and where to comment. Skips quietly (debug) outside pull-request events, and
 * with a notice when a comment was asked for but cannot be written: no token, an unreadable
 * payload, or a `pull_request` run from a fork, whose GITHUB_TOKEN is read-only. A
 * `pull_request_target` run gets a token of the base repository, so forks are commented on there.
 */
export function commentTarget(input: CommentTargetInput): CommentTarget {
  const event = input.eventName ?? '';
  if (!PR_EVENTS.has(event)) {
    return {
      action: 'skip',
      level: 'debug',
      reason: `the ${event || 'unknown'} event is not a pull request`,
    };
  }
  const payload = obj(input.event);
  const pr = obj(payload?.pull_request);
  const number = pr?.number ?? payload?.number;
  if (!payload || !pr || typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    return {
      action: 'skip',
      level: 'notice',
      reason: `the ${event} event payload has no pull request number`,
    };
  }
  const base = fullName(obj(pr.base)?.repo) ?? fullName(payload.repository) ?? input.repository;
  const [owner, repo, extra] = (base ?? '').split('/');
  if (!owner || !repo || extra !== undefined) {
    return {
      action: 'skip',
      level: 'notice',
      reason: `the repository of pull request #${number} is unknown`,
    };
  }
  if (!input.hasToken) {
    return { action: 'skip', level: 'notice', reason: 'no github-token was given' };
  }
  if (event === 'pull_request') {
    const head = fullName(obj(pr.head)?.repo);
    if (!head) {
      return {
        action: 'skip',
        level: 'notice',
        reason: `the head repository of pull request #${number} is gone (a deleted fork), so the token is read-only`,
      };
    }
    if (head.toLowerCase() !== `${owner}/${repo}`.toLowerCase()) {
      return {
        action: 'skip',
        level: 'notice',
        reason: `pull request #${number} comes from the fork ${head}, and a pull_request run from a fork gets a read-only token`,
      };
    }
  }
  return { action: 'comment', owner, repo, number };
}

/**
 * What names this job's comment across the pushes to one pull request: the `name` input when
 * given, else the workflow, job and step (never the default job run name: it carries the run
 * number, new with every push); a matrix leg adds a digest of its matrix values.
 */
export function commentKey(o: {
  name?: string;
  workflow?: string;
  job?: string;
  step?: string;
  matrix?: string;
}): string {
  const base = o.name ?? [o.workflow, o.job, o.step].map((p) => p ?? '').join('/');
  return o.matrix ? `${base} matrix-${sha256Hex(o.matrix).slice(0, 12)}` : base;
}

/** The id of the first comment whose body starts with the marker (ours, from an earlier run). */
export function findOwnComment(
  comments: readonly { id: number; body?: string | null }[],
  marker: string,
): number | undefined {
  return comments.find((c) => typeof c.body === 'string' && c.body.trimStart().startsWith(marker))?.id;
}

export interface CommentLog {
  debug(message: string): void;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

export type CommentOutcome =
  | { kind: 'created' | 'updated'; id: number; url?: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string };

/** Statuses that mean "this token may not comment here": told as a notice, not a warning. */
function isPermissionStatus(status: number | undefined): boolean {
  return status === 401 || status === 403 || status === 404;
}

/** The status GitHub answered with; undefined when no answer came (Octokit reports those as 500). */
function httpStatus(err: unknown): number | undefined {
  const e = obj(err);
  return typeof e?.status === 'number' && obj(e.response) ? e.status : undefined;
}

/**
 * Creates or updates this job's comment on the pull request that triggered the run. Never throws;
 * tells the user why when it does not comment.
 */
export async function commentOnPullRequest(
  report: JobReport,
  ctx: RunContext,
  token: string | undefined,
  log: CommentLog,
  key: string = report.jobName,
): Promise<CommentOutcome> {
  const target = commentTarget({
    eventName: ctx.eventName,
    event: PR_EVENTS.has(ctx.eventName ?? '') ? readEventPayload(ctx.eventPath) : undefined,
    repository: ctx.repository,
    hasToken: Boolean(token),
  });
  if (target.action === 'skip') {
    const message = `Not commenting on the pull request: ${target.reason}.`;
    if (target.level === 'debug') log.debug(message);
    else log.notice(message);
    return { kind: 'skipped', reason: target.reason };
  }
  const where = `pull request #${target.number} in ${target.owner}/${target.repo}`;
  try {
    const outcome = await upsertComment(report, ctx, token!, target, key);
    log.info(
      `${outcome.kind === 'created' ? 'Commented on' : 'Updated the comment on'} ${where}: ${outcome.url ?? outcome.id}`,
    );
    return outcome;
  } catch (err) {
    const status = httpStatus(err);
    if (isPermissionStatus(status)) {
      const reason = `the token may not comment on ${where} (HTTP ${status}: ${errorMessage(err)})`;
      log.notice(
        `Not commenting on the pull request: ${reason}. Give the job \`permissions: pull-requests: write\`, ` +
          'or set comment-on-pr: false.',
      );
      return { kind: 'skipped', reason };
    }
    const reason = `could not comment on ${where}: ${status ? `HTTP ${status}: ` : ''}${errorMessage(err)}`;
    log.warning(`${reason[0]!.toUpperCase()}${reason.slice(1)}`);
    return { kind: 'failed', reason };
  }
}

/** Lists the comments page by page until ours turns up, then updates it; creates one otherwise. */
async function upsertComment(
  report: JobReport,
  ctx: RunContext,
  token: string,
  target: Extract<CommentTarget, { action: 'comment' }>,
  key: string,
): Promise<Extract<CommentOutcome, { id: number }>> {
  const octokit = getOctokit(token, { baseUrl: ctx.apiUrl });
  // One deadline for every request, the pages after the first included (pagination drops
  // per-request options; a `request` option on the client would replace its proxy-aware fetch).
  const signal = AbortSignal.timeout(API_TIMEOUT_MS);
  octokit.hook.before('request', (options) => {
    options.request = { ...options.request, signal };
  });
  const marker = commentMarker(key);
  const body = renderPrComment(report, { marker, runUrl: workflowRunUrl(ctx) });
  const issue = { owner: target.owner, repo: target.repo, issue_number: target.number };

  let existing: number | undefined;
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { ...issue, per_page: 100 });
  for await (const page of pages) {
    existing = findOwnComment(page.data, marker);
    if (existing !== undefined) break;
  }
  if (existing !== undefined) {
    try {
      const { owner, repo } = target;
      const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing, body });
      return { kind: 'updated', id: data.id, url: data.html_url };
    } catch (err) {
      // Deleted between the listing and the update: write a new one.
      if (httpStatus(err) !== 404) throw err;
    }
  }
  const { data } = await octokit.rest.issues.createComment({ ...issue, body });
  return { kind: 'created', id: data.id, url: data.html_url };
}
