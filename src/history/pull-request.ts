import { readEventPayload, type RunContext } from '../github-context.js';

/** The pull request a run belongs to, and its base branch as a ref; undefined outside PR events. */
export function pullRequestOf(ctx: RunContext): { number: number; baseRef: string } | undefined {
  if (ctx.eventName !== 'pull_request' && ctx.eventName !== 'pull_request_target') return undefined;
  const payload = readEventPayload(ctx.eventPath) as
    { pull_request?: { number?: unknown; base?: { ref?: unknown } } } | undefined;
  const pr = payload?.pull_request;
  if (typeof pr?.number !== 'number' || typeof pr.base?.ref !== 'string') return undefined;
  return { number: pr.number, baseRef: `refs/heads/${pr.base.ref}` };
}
