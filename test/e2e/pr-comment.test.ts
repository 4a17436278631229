// The pull-request comment end to end: dist/index.js run as the runner runs it on a pull_request
// event, against the local AWS stack and a local GitHub REST server (GITHUB_API_URL).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { runnerView } from '../fixtures/action-runner.mjs';
import { startGitHubServer, type GitHubServer } from '../fixtures/github-server.mjs';
import { awsEnv, makeWorkspace, runAction, type RunResult } from './harness.js';
import { freshBucket, s3Client, seedApplication } from './stack.js';

jest.setTimeout(180_000);

const ROLE = 'arn:aws:iam::123456789012:role/hail-job';
const TOKEN = 'ghs_prCommentTestToken0123456789';
const REPO = 'genomics-lab/gwas';

const SUCCESS_PY = `print("variants: 1000")
`;

const FAIL_PY = `def load(path):
    raise ValueError(f"cannot read {path}: <no such table>")

print("starting analysis")
load("s3://x/missing.ht")
`;

/** A pull_request payload as the runner writes it to GITHUB_EVENT_PATH (the fields used). */
function eventFile(o: { number: number; base?: string; head?: string }): string {
  const base = o.base ?? REPO;
  const payload = {
    action: 'synchronize',
    number: o.number,
    pull_request: {
      number: o.number,
      base: { ref: 'main', repo: { full_name: base } },
      head: { ref: 'feature', repo: { full_name: o.head ?? base } },
    },
    repository: { full_name: base, private: false },
  };
  const path = join(mkdtempSync(join(tmpdir(), 'hes-event-')), 'event.json');
  writeFileSync(path, JSON.stringify(payload));
  return path;
}

interface Setup {
  bucket: string;
  app: string;
  jar: string;
  env: string;
}

async function setup(): Promise<Setup> {
  const bucket = await freshBucket();
  const app = await seedApplication();
  const s3 = s3Client();
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'prebuilt/hail-all-spark.jar', Body: 'jar' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'prebuilt/pyspark_hail.tar.gz', Body: 'tgz' }));
  return {
    bucket,
    app,
    jar: `s3://${bucket}/prebuilt/hail-all-spark.jar`,
    env: `s3://${bucket}/prebuilt/pyspark_hail.tar.gz`,
  };
}

async function run(
  s: Setup,
  gh: GitHubServer,
  o: {
    script: 'ok' | 'fail';
    name: string;
    event?: string;
    eventName?: string;
    commentOnPr?: boolean;
    env?: Record<string, string>;
    inputs?: Record<string, string>;
  },
): Promise<RunResult> {
  const ws = makeWorkspace({ 'jobs/ok.py': SUCCESS_PY, 'jobs/fail.py': FAIL_PY });
  return runAction({
    workspace: ws,
    inputs: {
      script: `jobs/${o.script}.py`,
      's3-prefix': `s3://${s.bucket}/ci`,
      'execution-role-arn': ROLE,
      'application-id': s.app,
      'hail-version': '0.2.134',
      'hail-jar': s.jar,
      'hail-env-archive': s.env,
      name: o.name,
      'comment-on-pr': String(o.commentOnPr ?? true),
      'github-token': TOKEN,
      ...o.inputs,
    },
    env: {
      ...awsEnv(),
      GITHUB_EVENT_NAME: o.eventName ?? 'pull_request',
      ...(o.event ? { GITHUB_EVENT_PATH: o.event } : {}),
      GITHUB_API_URL: gh.url,
      ...o.env,
    },
  });
}

/** "METHOD path" of each request, the way a reader checks them. */
const seen = (gh: GitHubServer): string[] => gh.requests.map((r) => `${r.method} ${r.path} -> ${r.status}`);

describe('the pull-request comment, end to end', () => {
  let gh: GitHubServer | undefined;
  afterEach(async () => {
    await gh?.close();
    gh = undefined;
  });

  it('creates one comment per job name and then updates it in place', async () => {
    gh = await startGitHubServer({ token: TOKEN });
    // Enough comments from people to put ours on the second page of 100.
    for (let i = 0; i < 120; i++) gh.addComment(REPO, 101, `Looks good (${i})`, 'reviewer');
    const s = await setup();
    const event = eventFile({ number: 101 });
    const list = `/repos/${REPO}/issues/101/comments`;

    // 1. A failing job: the step fails, the comment is created with the failure in it.
    const first = await run(s, gh, { script: 'fail', name: 'gwas', event });
    expect(first.code).toBe(1);
    expect(first.outputs.state).toBe('FAILED');
    expect(seen(gh)).toEqual([
      `GET ${list}?per_page=100 -> 200`,
      `GET ${list}?per_page=100&page=2 -> 200`,
      `POST ${list} -> 201`,
    ]);
    expect(gh.requests.every((r) => r.auth === 'token')).toBe(true); // and the token matched
    const ours = gh.comments.filter((c) => c.user.login === 'github-actions[bot]');
    expect(ours).toHaveLength(1);
    const created = ours[0]!;
    expect(created.body.startsWith('<!-- hail-emr-serverless:gwas -->\n### ❌ Failed: Hail job gwas')).toBe(
      true,
    );
    expect(created.body).toContain('ValueError: cannot read s3://x/missing.ht: &lt;no such table&gt;');
    expect(created.body).toContain('<details><summary>Traceback');
    expect(created.body).toMatch(
      /\[workflow run\]\(<https:\/\/github\.com\/genomics-lab\/gwas\/actions\/runs\/\d+\/attempts\/1>\)/,
    );
    expect(created.body.length).toBeLessThanOrEqual(65_536);
    expect(first.stdout).toContain(
      `Commented on pull request #101 in ${REPO}: https://github.com/${REPO}/pull/101#issuecomment-${created.id}`,
    );
    // The runner is told to mask the token before any line holds it; nothing else prints it.
    const lines = (first.stdout + first.stderr).split(/\r\n|\r|\n/);
    expect(lines.findIndex((l) => l.includes(TOKEN))).toBe(lines.indexOf(`::add-mask::${TOKEN}`));
    expect(lines.filter((l) => l.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`]);
    expect(runnerView(first.stdout).commands.filter((c) => c.command === 'add-mask')).toEqual([
      expect.objectContaining({ data: TOKEN }),
    ]);

    // 2. Same name, now succeeding: the same comment is updated; nothing new is posted.
    gh.requests.length = 0;
    const second = await run(s, gh, { script: 'ok', name: 'gwas', event });
    expect(second.code).toBe(0);
    expect(seen(gh)).toEqual([
      `GET ${list}?per_page=100 -> 200`,
      `GET ${list}?per_page=100&page=2 -> 200`,
      `PATCH /repos/${REPO}/issues/comments/${created.id} -> 200`,
    ]);
    expect(gh.comments.filter((c) => c.user.login === 'github-actions[bot]')).toHaveLength(1);
    expect(
      created.body.startsWith('<!-- hail-emr-serverless:gwas -->\n### ✅ Succeeded: Hail job gwas'),
    ).toBe(true);
    expect(created.body).not.toContain('ValueError');
    expect(second.stdout).toContain('Updated the comment on pull request #101');

    // 3. Another job name: a comment of its own; the first is left alone.
    gh.requests.length = 0;
    const third = await run(s, gh, { script: 'ok', name: 'qc', event });
    expect(third.code).toBe(0);
    expect(gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${list}`]);
    const bots = gh.comments.filter((c) => c.user.login === 'github-actions[bot]');
    expect(bots.map((c) => c.body.split('\n')[0])).toEqual([
      '<!-- hail-emr-serverless:gwas -->',
      '<!-- hail-emr-serverless:qc -->',
    ]);
    expect(gh.comments).toHaveLength(122);
  });

  it('with default inputs, later pushes update the first comment (one per workflow, job, step and matrix leg)', async () => {
    gh = await startGitHubServer({ token: TOKEN });
    const s = await setup();
    const event = eventFile({ number: 106 });
    const list = `/repos/${REPO}/issues/106/comments`;
    // Two pushes to the PR: new run id, run number and commit each time; no `name` input.
    const push = (n: number, matrix?: string) =>
      run(s, gh!, {
        script: 'ok',
        name: '',
        event,
        env: {
          GITHUB_RUN_ID: `9100${n}`,
          GITHUB_RUN_NUMBER: String(40 + n),
          GITHUB_SHA: `${n}`.repeat(40),
        },
        inputs: matrix === undefined ? {} : { matrix },
      });
    const first = await push(1);
    expect(first.code).toBe(0);
    const second = await push(2);
    expect(second.code).toBe(0);
    expect(gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${list}`,
      `PATCH /repos/${REPO}/issues/comments/${gh.comments[0]!.id}`,
    ]);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('genomics-lab/gwas/GWAS\\#42'); // the second run's report
    expect(second.stdout).toContain('Updated the comment on pull request #106');

    // Two legs of a matrix (same run, same step) keep a comment each, and each leg updates its own.
    gh.requests.length = 0;
    await push(3, '{"python": "3.10"}');
    await push(3, '{"python": "3.11"}');
    await push(4, '{"python": "3.11"}');
    expect(gh.writes().map((r) => r.method)).toEqual(['POST', 'POST', 'PATCH']);
    expect(gh.comments).toHaveLength(3);
  });

  it('skips a pull request from a fork with a notice, and makes no request', async () => {
    gh = await startGitHubServer({ token: TOKEN });
    const s = await setup();
    const r = await run(s, gh, {
      script: 'ok',
      name: 'gwas',
      event: eventFile({ number: 102, head: 'alice/gwas' }),
    });
    expect(r.code).toBe(0);
    expect(r.outputs.state).toBe('SUCCESS');
    expect(gh.requests).toEqual([]);
    expect(r.stdout).toContain(
      '::notice::Not commenting on the pull request: pull request #102 comes from the fork alice/gwas',
    );
    expect(r.stdout).not.toMatch(/::(warning|error)/);
  });

  it('takes a 403 from GitHub as a notice, and the step keeps the job’s outcome', async () => {
    gh = await startGitHubServer({ token: TOKEN, readOnly: [REPO] });
    const s = await setup();
    const r = await run(s, gh, { script: 'ok', name: 'gwas', event: eventFile({ number: 103 }) });
    expect(r.code).toBe(0);
    expect(seen(gh)).toEqual([
      `GET /repos/${REPO}/issues/103/comments?per_page=100 -> 200`,
      `POST /repos/${REPO}/issues/103/comments -> 403`,
    ]);
    expect(r.stdout).toMatch(
      /::notice::Not commenting on the pull request: the token may not comment on pull request #103 in genomics-lab\/gwas \(HTTP 403: Resource not accessible by integration/,
    );
    expect(r.stdout).toContain('permissions: pull-requests: write');
    expect(r.stdout).not.toMatch(/::(warning|error)/);
    expect(gh.comments).toEqual([]);
  });

  it('takes a server error as a warning, never a failure', async () => {
    gh = await startGitHubServer({ token: TOKEN });
    gh.failNext(502, { method: 'POST', message: 'Server Error' });
    const s = await setup();
    const r = await run(s, gh, { script: 'ok', name: 'gwas', event: eventFile({ number: 104 }) });
    expect(r.code).toBe(0);
    expect(r.outputs.state).toBe('SUCCESS');
    expect(seen(gh)).toEqual([
      `GET /repos/${REPO}/issues/104/comments?per_page=100 -> 200`,
      `POST /repos/${REPO}/issues/104/comments -> 502`,
    ]);
    expect(r.stdout).toMatch(
      /::warning::Could not comment on pull request #104 in genomics-lab\/gwas: HTTP 502/,
    );
    expect(r.stdout).not.toMatch(/::error/);
  });

  it('sends nothing when comment-on-pr is false, or outside a pull request', async () => {
    gh = await startGitHubServer({ token: TOKEN });
    const s = await setup();
    const off = await run(s, gh, {
      script: 'ok',
      name: 'gwas',
      event: eventFile({ number: 105 }),
      commentOnPr: false,
    });
    expect(off.code).toBe(0);
    const push = await run(s, gh, { script: 'ok', name: 'gwas', eventName: 'push' });
    expect(push.code).toBe(0);
    expect(gh.requests).toEqual([]);
    expect(off.stdout + push.stdout).not.toContain('::notice::Not commenting');
  });
});
