// The diagnosis end to end: dist/index.js run as the runner runs it, against the local AWS stack
// and the local GitHub server. A failing job whose stderr carries a known signature gets its cause
// and fix in the summary, the PR comment and the annotation; an unknown failure gets no guess; and
// the pre-submit checks annotate the script's lines, with check-only making no request at all.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { startGitHubServer, type GitHubServer } from '../fixtures/github-server.mjs';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import { EMR_ENDPOINT, freshBucket, requestsFor, s3Client, seedApplication, startRecorder } from './stack.js';

jest.setTimeout(180_000);

const ROLE = 'arn:aws:iam::123456789012:role/hail-job-runtime';
const TOKEN = 'ghs_diagnoseTestToken0123456789';
const REPO = 'genomics-lab/gwas';
const NO_KNOWN_CAUSE = 'No known cause matched this failure; the error as reported is shown below.';

// Fails the way Hail does when EMRFS runs out of connections: Hail's FatalError, raised from the
// user's line, with Hail's text (test/data/logs/s3-connection-pool.stderr.txt).
const POOL_PY = `import sys


class FatalError(Exception):
    pass


FatalError.__module__ = "hail.utils.java"
print("writing gwas.ht")
raise FatalError(
    "ConnectionPoolTimeoutException: Timeout waiting for connection from pool\\n\\n"
    "Java stack trace:\\n"
    "com.amazon.ws.emr.hadoop.fs.shaded.org.apache.http.conn.ConnectionPoolTimeoutException: Timeout waiting for connection from pool\\n"
    "\\tat com.amazon.ws.emr.hadoop.fs.shaded.org.apache.http.impl.conn.PoolingHttpClientConnectionManager.leaseConnection(PoolingHttpClientConnectionManager.java:316)\\n\\n"
    "Hail version: 0.2.134-952ae203dbbe\\n"
    "Error summary: ConnectionPoolTimeoutException: Timeout waiting for connection from pool"
)
`;

const UNKNOWN_PY = `def load(path):
    raise ValueError(f"cannot read {path}: no such table")

load("s3://x/missing.ht")
`;

const MISTAKES = readFileSync(new URL('../data/scripts/mistakes.py', import.meta.url), 'utf8');
const lineOf = (text: string): number => MISTAKES.split('\n').findIndex((l) => l.includes(text)) + 1;

function eventFile(number: number): string {
  const payload = {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      base: { ref: 'main', repo: { full_name: REPO } },
      head: { ref: 'feature', repo: { full_name: REPO } },
    },
    repository: { full_name: REPO, private: false },
  };
  const path = join(mkdtempSync(join(tmpdir(), 'hes-event-')), 'event.json');
  writeFileSync(path, JSON.stringify(payload));
  return path;
}

async function prebuilt(bucket: string): Promise<{ jar: string; env: string }> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = s3Client();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'prebuilt/hail-all-spark.jar', Body: 'jar' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'prebuilt/pyspark_hail.tar.gz', Body: 'tgz' }));
  return {
    jar: `s3://${bucket}/prebuilt/hail-all-spark.jar`,
    env: `s3://${bucket}/prebuilt/pyspark_hail.tar.gz`,
  };
}

async function runFailing(script: string, gh: GitHubServer, pr: number) {
  const bucket = await freshBucket();
  const app = await seedApplication();
  const a = await prebuilt(bucket);
  return runAction({
    workspace: makeWorkspace({ 'jobs/gwas.py': script }),
    inputs: {
      script: 'jobs/gwas.py',
      's3-prefix': `s3://${bucket}/ci`,
      'execution-role-arn': ROLE,
      'application-id': app,
      'hail-version': '0.2.134',
      'hail-jar': a.jar,
      'hail-env-archive': a.env,
      name: 'gwas',
      'comment-on-pr': 'true',
      'github-token': TOKEN,
    },
    env: {
      ...awsEnv(),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile(pr),
      GITHUB_API_URL: gh.url,
    },
  });
}

/** The annotation commands the step printed (`::error file=...::message`), message decoded. */
function annotations(stdout: string, kind: 'error' | 'warning'): { props: string; message: string }[] {
  const decode = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(`::${kind}`))
    .map((l) => {
      const m = /^::\w+ ?([^:]*)::(.*)$/.exec(l)!;
      return { props: decode(m[1]!), message: decode(m[2]!) };
    });
}

describe('diagnosis after a failure, end to end', () => {
  let gh: GitHubServer | undefined;
  afterEach(async () => {
    await gh?.close();
    gh = undefined;
  });

  it('a known signature: the cause and the fix in the summary, the PR comment and the annotations', async () => {
    gh = await startGitHubServer({ token: TOKEN });
    const r = await runFailing(POOL_PY, gh, 7);
    expect(r.code).toBe(1);
    expect(r.outputs.state).toBe('FAILED');

    // Summary: first under "Why it did not succeed", with the spark-conf line to paste.
    const why = r.summary.indexOf('### Why it did not succeed');
    const cause = r.summary.indexOf('**Cause: EMRFS ran out of S3 connections.**');
    expect(why).toBeGreaterThan(0);
    expect(cause).toBeGreaterThan(why);
    expect(cause).toBeLessThan(r.summary.indexOf('EMR Serverless reports the job run as failed.'));
    expect(r.summary).toContain('```yaml\nspark-conf: |\n  spark.hadoop.fs.s3.maxConnections=2000\n```');
    expect(r.summary).not.toContain(NO_KNOWN_CAUSE);

    // PR comment: the same block.
    const comment = gh.comments.find((c) => c.user.login === 'github-actions[bot]')!;
    expect(comment.body).toContain('**Cause: EMRFS ran out of S3 connections.**');
    expect(comment.body).toContain('spark.hadoop.fs.s3.maxConnections=2000');

    // Annotations: on the raising line of the script, and the step's failure message.
    const errors = annotations(r.stdout, 'error');
    const onLine = errors.find((e) => e.props.includes('file=jobs/gwas.py'))!;
    expect(onLine.props).toContain('line=10');
    expect(onLine.message).toMatch(/^hail\.utils\.java\.FatalError: ConnectionPoolTimeoutException/);
    expect(onLine.message).toContain('\nCause: EMRFS ran out of S3 connections.');
    expect(onLine.message).toContain('\nspark-conf: |\n  spark.hadoop.fs.s3.maxConnections=2000');
    const failed = errors.find((e) => e.message.startsWith('hail-emr-serverless failed:'))!;
    expect(failed.message).toContain('Fix: Raise the EMRFS connection pool,');
  });

  it('an unknown failure: the excerpt, no guess, and it says so', async () => {
    gh = await startGitHubServer({ token: TOKEN });
    const r = await runFailing(UNKNOWN_PY, gh, 8);
    expect(r.code).toBe(1);
    expect(r.summary).toContain(NO_KNOWN_CAUSE);
    expect(r.summary).not.toContain('**Cause:');
    expect(r.summary).toContain('ValueError: cannot read s3://x/missing.ht: no such table');
    const comment = gh.comments.find((c) => c.user.login === 'github-actions[bot]')!;
    expect(comment.body).toContain(NO_KNOWN_CAUSE);
    expect(comment.body).not.toContain('**Cause:');
    for (const e of annotations(r.stdout, 'error')) expect(e.message).not.toContain('Cause:');
  });
});

describe('pre-submit checks, end to end', () => {
  it('check-only annotates the lines to fix, fails on a certain failure, and sends nothing', async () => {
    const s3 = await startRecorder();
    const emr = await startRecorder(EMR_ENDPOINT());
    try {
      const r = await runAction({
        workspace: makeWorkspace({ 'jobs/mistakes.py': MISTAKES }),
        inputs: { script: 'jobs/mistakes.py', 'check-only': 'true' },
        env: { ...awsEnv({ s3: s3.url, emr: emr.url }), AWS_REGION: '', AWS_DEFAULT_REGION: '' },
      });
      const warnings = annotations(r.stdout, 'warning');
      const errors = annotations(r.stdout, 'error');
      expect(
        warnings.find((w) => w.props.includes(`line=${lineOf('s3a://hail-ci-data')}`))!.message,
      ).toContain('write `s3://hail-ci-data/sites.vcf.bgz`');
      expect(
        warnings.find((w) => w.props.includes(`line=${lineOf('tmp_dir="/tmp/hail"')}`))!.props,
      ).toContain('file=jobs/mistakes.py');
      // Only GitHub's 10 per type become annotations; the rest are in the log.
      expect(warnings).toHaveLength(10);
      expect(r.stdout).toMatch(/^warning: jobs\/mistakes\.py:\d+: /m);
      // output-uri is not known in check-only: HAIL_OUTPUT_URI is a warning; the Kryo override an error.
      const kryo = errors.find((e) => e.props.includes(`line=${lineOf('JavaSerializer')}`))!;
      expect(kryo.props).toContain('file=jobs/mistakes.py');
      expect(kryo.message).toContain(
        'Hail refuses to start unless it is `org.apache.spark.serializer.KryoSerializer`',
      );
      expect(r.code).toBe(1);
      expect(errors.at(-1)!.message).toMatch(
        /^hail-emr-serverless failed: the pre-submit checks found 1 problem/,
      );
      expect(s3.requests).toEqual([]);
      expect(emr.requests).toEqual([]);
    } finally {
      await s3.close();
      await emr.close();
    }
  });

  it('check-only with warnings only succeeds', async () => {
    const r = await runAction({
      workspace: makeWorkspace({ 'job.py': 'import hail as hl\nhl.init(tmp_dir="/tmp")\n' }),
      inputs: { script: 'job.py', 'check-only': 'true' },
      env: awsEnv({ s3: 'http://127.0.0.1:9', emr: 'http://127.0.0.1:9' }),
    });
    expect(r.code).toBe(0);
    expect(annotations(r.stdout, 'warning').map((w) => w.props)).toEqual([
      expect.stringContaining('file=job.py,line=2'),
    ]);
  });

  it('a normal run stops before any upload or request when the script is certain to fail', async () => {
    const s3 = await startRecorder();
    const app = await seedApplication();
    try {
      const r = await runAction({
        workspace: makeWorkspace({ 'jobs/mistakes.py': MISTAKES }),
        inputs: {
          script: 'jobs/mistakes.py',
          's3-prefix': 's3://never-touched/ci',
          'execution-role-arn': ROLE,
          'application-id': app,
          'hail-version': '0.2.134',
        },
        env: awsEnv({ s3: s3.url }),
      });
      expect(r.code).toBe(1);
      const errors = annotations(r.stdout, 'error');
      expect(errors.filter((e) => e.props.includes('file=jobs/mistakes.py')).map((e) => e.props)).toEqual([
        expect.stringContaining(`line=${lineOf('JavaSerializer')}`),
      ]);
      expect(errors.at(-1)!.message).toMatch(
        /^hail-emr-serverless failed: the pre-submit checks found 1 problem/,
      );
      expect(s3.requests).toEqual([]);
      expect(await requestsFor(app)).toEqual([]);
    } finally {
      await s3.close();
    }
  });
});
