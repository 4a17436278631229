import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startGitHubServer, type GitHubServer } from '../../fixtures/github-server.mjs';
import { readEventPayload, type RunContext } from '../../../src/github-context.js';
import type { JobReport } from '../../../src/report/model.js';
import {
  commentKey,
  commentOnPullRequest,
  commentTarget,
  findOwnComment,
  workflowRunUrl,
} from '../../../src/report/pr-comment.js';
import { commentMarker } from '../../../src/report/summary.js';

/** A pull_request payload, trimmed to the fields GitHub sends that matter here. */
function prEvent(o: { number?: number; base?: string; head?: string | null } = {}) {
  const base = o.base ?? 'genomics-lab/gwas';
  const head = o.head === undefined ? base : o.head;
  return {
    action: 'synchronize',
    number: o.number ?? 17,
    pull_request: {
      number: o.number ?? 17,
      base: { ref: 'main', repo: { full_name: base } },
      head: { ref: 'feature', repo: head === null ? null : { full_name: head } },
    },
    repository: { full_name: base, private: false },
  };
}

const target = (eventName: string | undefined, event: unknown, hasToken = true) =>
  commentTarget({ eventName, event, repository: 'genomics-lab/gwas', hasToken });

describe('commentTarget', () => {
  it('comments on a pull request from a branch of the same repository', () => {
    expect(target('pull_request', prEvent())).toEqual({
      action: 'comment',
      owner: 'genomics-lab',
      repo: 'gwas',
      number: 17,
    });
  });

  it('does nothing, quietly, outside pull-request events', () => {
    for (const name of ['push', 'schedule', 'workflow_dispatch', 'issue_comment', undefined]) {
      const t = target(name, prEvent());
      expect(t).toMatchObject({ action: 'skip', level: 'debug' });
    }
  });

  it('skips a pull_request from a fork with a notice: its token is read-only', () => {
    const t = target('pull_request', prEvent({ head: 'alice/gwas' }));
    expect(t).toEqual({
      action: 'skip',
      level: 'notice',
      reason:
        'pull request #17 comes from the fork alice/gwas, and a pull_request run from a fork gets a read-only token',
    });
  });

  it('skips a pull_request whose fork was deleted (head repo null)', () => {
    expect(target('pull_request', prEvent({ head: null }))).toMatchObject({
      action: 'skip',
      level: 'notice',
      reason: expect.stringContaining('deleted fork'),
    });
  });

  it('treats repository names case-insensitively, as GitHub does', () => {
    expect(target('pull_request', prEvent({ head: 'Genomics-Lab/GWAS' }))).toMatchObject({
      action: 'comment',
    });
  });

  it('comments on a fork pull request under pull_request_target (the token is the base repo’s)', () => {
    expect(target('pull_request_target', prEvent({ head: 'alice/gwas', number: 3 }))).toEqual({
      action: 'comment',
      owner: 'genomics-lab',
      repo: 'gwas',
      number: 3,
    });
  });

  it('comments where the pull request lives: the base repository', () => {
    const t = target('pull_request_target', prEvent({ base: 'upstream/hail-ci', head: 'me/hail-ci' }));
    expect(t).toMatchObject({ action: 'comment', owner: 'upstream', repo: 'hail-ci' });
  });

  it('skips with a notice when there is no token', () => {
    expect(target('pull_request', prEvent(), false)).toEqual({
      action: 'skip',
      level: 'notice',
      reason: 'no github-token was given',
    });
  });

  it('skips with a notice when the payload is missing or has no pull request number', () => {
    for (const event of [undefined, null, 'text', [], {}, { number: 3 }, { pull_request: { number: '3' } }]) {
      expect(target('pull_request', event)).toMatchObject({
        action: 'skip',
        level: 'notice',
        reason: 'the pull_request event payload has no pull request number',
      });
    }
    expect(target('pull_request', { pull_request: { number: 0 } })).toMatchObject({ action: 'skip' });
  });

  it('takes the number from the pull request, then the payload', () => {
    const event = {
      number: 9,
      pull_request: { base: { repo: { full_name: 'a/b' } }, head: { repo: { full_name: 'a/b' } } },
    };
    expect(target('pull_request', event)).toMatchObject({
      action: 'comment',
      owner: 'a',
      repo: 'b',
      number: 9,
    });
  });

  it('falls back to the payload repository, then GITHUB_REPOSITORY, for the base repository', () => {
    const noBase = { pull_request: { number: 4, head: { repo: { full_name: 'genomics-lab/gwas' } } } };
    expect(target('pull_request', noBase)).toMatchObject({ owner: 'genomics-lab', repo: 'gwas', number: 4 });
    const t = commentTarget({
      eventName: 'pull_request',
      event: noBase,
      repository: undefined,
      hasToken: true,
    });
    expect(t).toMatchObject({ action: 'skip', reason: 'the repository of pull request #4 is unknown' });
  });
});

describe('commentKey', () => {
  const ctx = { workflow: 'GWAS', job: 'hail', step: 'run-hail' };
  it('is the same for every push of a pull request (no run number, no commit)', () => {
    expect(commentKey(ctx)).toBe('GWAS/hail/run-hail');
  });
  it('is the name input when given', () => {
    expect(commentKey({ ...ctx, name: 'gwas nightly' })).toBe('gwas nightly');
  });
  it('differs between matrix legs, and not between runs of one leg', () => {
    const a = commentKey({ ...ctx, matrix: '{"python":"3.10"}' });
    const b = commentKey({ ...ctx, matrix: '{"python":"3.11"}' });
    expect(a).toMatch(/^GWAS\/hail\/run-hail matrix-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
    expect(commentKey({ ...ctx, matrix: '{"python":"3.10"}' })).toBe(a);
  });
});

describe('findOwnComment', () => {
  const marker = commentMarker('gwas nightly');
  const comments = [
    { id: 1, body: 'LGTM' },
    { id: 2, body: null },
    { id: 3, body: `> ${marker}\n> quoted by a reviewer` },
    { id: 4, body: `${commentMarker('gwas')}\n### another job` },
    { id: 5, body: `${marker}\n### ✅ Succeeded: Hail job gwas nightly` },
    { id: 6, body: `${marker}\n### a duplicate` },
  ];

  it('finds the first comment that starts with the marker', () => {
    expect(findOwnComment(comments, marker)).toBe(5);
  });

  it('does not take a quote or another job’s comment for ours', () => {
    expect(findOwnComment(comments.slice(0, 4), marker)).toBeUndefined();
    expect(findOwnComment(comments, commentMarker('gwas'))).toBe(4);
  });

  it('tolerates leading whitespace (a body edited by hand)', () => {
    expect(findOwnComment([{ id: 7, body: `\r\n ${marker}\r\nx` }], marker)).toBe(7);
  });
});

describe('workflowRunUrl', () => {
  it('links the attempt of the run', () => {
    expect(
      workflowRunUrl({ serverUrl: 'https://github.com', repository: 'o/r', runId: '123', runAttempt: '2' }),
    ).toBe('https://github.com/o/r/actions/runs/123/attempts/2');
  });

  it('works on GitHub Enterprise Server and defaults the attempt to 1', () => {
    expect(workflowRunUrl({ serverUrl: 'https://ghe.example.com/', repository: 'o/r', runId: '5' })).toBe(
      'https://ghe.example.com/o/r/actions/runs/5/attempts/1',
    );
  });

  it('is undefined outside a workflow run', () => {
    expect(workflowRunUrl({ serverUrl: 'https://github.com', repository: 'o/r' })).toBeUndefined();
    expect(workflowRunUrl({ serverUrl: 'https://github.com', runId: '1' })).toBeUndefined();
  });
});

describe('readEventPayload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hes-event-'));

  it('parses the payload file', () => {
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify(prEvent()));
    expect(readEventPayload(path)).toEqual(prEvent());
  });

  it('is undefined for no path, a missing file, or text that is not JSON', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    expect(readEventPayload(undefined)).toBeUndefined();
    expect(readEventPayload(join(dir, 'missing.json'))).toBeUndefined();
    expect(readEventPayload(bad)).toBeUndefined();
  });
});

describe('commentOnPullRequest, against the local GitHub server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hes-pr-'));
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(prEvent({ number: 8 })));
  const report: JobReport = {
    jobName: 'gwas',
    jobRunId: '00fo2kg7b4m1lq0b',
    applicationId: '00fo2k1kq8r3bt09',
    region: 'us-east-1',
    state: 'SUCCESS',
    timings: { totalExecutionSeconds: 61 },
    logs: {},
    links: {},
  };
  let gh: GitHubServer | undefined;
  const logged: string[] = [];
  const log = {
    debug: (m: string) => logged.push(`debug: ${m}`),
    info: (m: string) => logged.push(`info: ${m}`),
    notice: (m: string) => logged.push(`notice: ${m}`),
    warning: (m: string) => logged.push(`warning: ${m}`),
  };
  const ctx = (eventName = 'pull_request'): RunContext => ({
    repository: 'genomics-lab/gwas',
    runId: '99',
    runAttempt: '2',
    eventName,
    eventPath,
    serverUrl: 'https://github.com',
    apiUrl: gh!.url,
    tempDir: dir,
  });
  const writes = () => gh!.writes().map((r) => `${r.method} ${r.path} -> ${r.status}`);

  afterEach(async () => {
    await gh?.close();
    gh = undefined;
    logged.length = 0;
  });

  it('creates the comment, then updates it, with the run attempt linked', async () => {
    gh = await startGitHubServer({ token: 'ghs_unit' });
    expect(await commentOnPullRequest(report, ctx(), 'ghs_unit', log)).toMatchObject({ kind: 'created' });
    const second = await commentOnPullRequest({ ...report, state: 'FAILED' }, ctx(), 'ghs_unit', log);
    expect(second).toMatchObject({ kind: 'updated', id: gh.comments[0]!.id });
    expect(writes()).toEqual([
      'POST /repos/genomics-lab/gwas/issues/8/comments -> 201',
      `PATCH /repos/genomics-lab/gwas/issues/comments/${gh.comments[0]!.id} -> 200`,
    ]);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('### ❌ Failed: Hail job gwas');
    expect(gh.comments[0]!.body).toContain(
      '(<https://github.com/genomics-lab/gwas/actions/runs/99/attempts/2>)',
    );
    expect(logged.filter((l) => !l.startsWith('info:'))).toEqual([]);
  });

  it('writes a new comment when ours was deleted between the listing and the update', async () => {
    gh = await startGitHubServer();
    const old = gh.addComment('genomics-lab/gwas', 8, `${commentMarker('gwas')}\nold`);
    gh.failNext(404, { method: 'PATCH', message: 'Not Found' });
    expect(await commentOnPullRequest(report, ctx(), 'ghs_unit', log)).toMatchObject({ kind: 'created' });
    expect(writes()).toEqual([
      `PATCH /repos/genomics-lab/gwas/issues/comments/${old.id} -> 404`,
      'POST /repos/genomics-lab/gwas/issues/8/comments -> 201',
    ]);
  });

  it('tells why it does not comment: a notice for a refusal, a warning for an outage, never a throw', async () => {
    gh = await startGitHubServer({ token: 'ghs_unit' });
    expect(await commentOnPullRequest(report, ctx(), 'wrong_token', log)).toMatchObject({ kind: 'skipped' });
    expect(logged.pop()).toMatch(
      /^notice: Not commenting on the pull request: the token may not comment on pull request #8 in genomics-lab\/gwas \(HTTP 401: Bad credentials/,
    );
    gh.failNext(503, { method: 'GET', message: 'Service Unavailable' });
    expect(await commentOnPullRequest(report, ctx(), 'ghs_unit', log)).toMatchObject({ kind: 'failed' });
    expect(logged.pop()).toMatch(
      /^warning: Could not comment on pull request #8 in genomics-lab\/gwas: HTTP 503: Service Unavailable/,
    );
    expect(await commentOnPullRequest(report, ctx('push'), 'ghs_unit', log)).toMatchObject({
      kind: 'skipped',
    });
    expect(logged.pop()).toBe(
      'debug: Not commenting on the pull request: the push event is not a pull request.',
    );
    expect(gh.writes()).toEqual([]);
  });

  it('takes an unreachable API as a warning that names no HTTP status', async () => {
    gh = await startGitHubServer();
    const gone = ctx();
    await gh.close();
    expect(await commentOnPullRequest(report, gone, 'ghs_unit', log)).toMatchObject({ kind: 'failed' });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^warning: Could not comment on pull request #8 in genomics-lab\/gwas: /);
    expect(logged[0]).not.toContain('HTTP');
  });
});
