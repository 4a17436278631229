// Run history and provenance, end to end: records written per run under <s3-prefix>/history/,
// read back with one LIST, the summary's table and charts, the pull-request comparison, and
// <output-uri>/_hail_run.json matching what ran.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import { freshBucket, requestsFor, s3Client, seedApplication, startRecorder } from './stack.js';

jest.setTimeout(120_000);

const ROLE = 'arn:aws:iam::123456789012:role/hail-job';
const JOB_PY = `import os, boto3
out = os.environ.get("HAIL_OUTPUT_URI")
if out:
    bucket, _, prefix = out[len("s3://"):].partition("/")
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/gwas.ht/_SUCCESS", Body=b"")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/top.tsv", Body=b"variant\\tp\\n")
print("done")
`;

async function setup() {
  const bucket = await freshBucket();
  const app = await seedApplication();
  const s3 = s3Client();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'prebuilt/hail-all-spark.jar', Body: 'jar' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'prebuilt/pyspark_hail.tar.gz', Body: 'tgz' }));
  const ws = makeWorkspace({ 'jobs/gwas.py': JOB_PY, 'jobs/util.py': 'X = 1\n' });
  const inputs = (over: Record<string, string> = {}) => ({
    script: 'jobs/gwas.py',
    'py-files': 'jobs/util.py',
    's3-prefix': `s3://${bucket}/ci`,
    'execution-role-arn': ROLE,
    'application-id': app,
    'hail-version': '0.2.134',
    'hail-jar': `s3://${bucket}/prebuilt/hail-all-spark.jar`,
    'hail-env-archive': `s3://${bucket}/prebuilt/pyspark_hail.tar.gz`,
    ...over,
  });
  return { bucket, app, ws, inputs, s3 };
}

function pushEnv(runNumber: number, sha: string) {
  return { GITHUB_RUN_NUMBER: String(runNumber), GITHUB_SHA: sha, GITHUB_REF: 'refs/heads/main' };
}

async function historyKeys(bucket: string): Promise<string[]> {
  const out = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ci/history/' }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

describe('run history', () => {
  it('shows the last runs with charts, and compares a pull request with the base branch', async () => {
    const { bucket, ws, inputs } = await setup();
    for (const n of [1, 2, 3]) {
      const r = await runAction({
        workspace: ws,
        inputs: inputs(),
        env: { ...awsEnv(), ...pushEnv(n, `${n}`.repeat(40)) },
      });
      expect(r.code).toBe(0);
    }
    expect(await historyKeys(bucket)).toHaveLength(3);

    // A pull request that doubles the executors: more billed vCPU-hours, a warning past 10%.
    const event = join(ws, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 5, base: { ref: 'main' } } }));
    const recorder = await startRecorder();
    let r;
    try {
      r = await runAction({
        workspace: ws,
        inputs: inputs({ 'spark-conf': 'spark.executor.instances=9', 'cost-increase-threshold': '10' }),
        env: {
          ...awsEnv({ s3: recorder.url }),
          GITHUB_RUN_NUMBER: '4',
          GITHUB_SHA: 'f'.repeat(40),
          GITHUB_REF: 'refs/pull/5/merge',
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_EVENT_PATH: event,
        },
      });
    } finally {
      await recorder.close();
    }
    expect(r.code).toBe(0);
    // Reading the history cost one LIST; writing it one PUT.
    const historyRequests = recorder.requests.filter((q) => q.path.includes('history'));
    expect(historyRequests.map((q) => q.method).sort()).toEqual(['GET', 'PUT']);
    expect(historyRequests.find((q) => q.method === 'GET')!.path).toMatch(/list-type=2/);

    const pct = Number(r.outputs['cost-change-percent']);
    expect(pct).toBeGreaterThan(10);
    expect(r.summary).toContain('### History');
    expect(r.summary).toMatch(
      new RegExp(`\\*\\*Compared with the base branch:\\*\\* cost \\+${Math.round(pct)}%.* vs main@3333333`),
    );
    const charts = r.summary.match(/```mermaid\nxychart-beta\n[\s\S]*?```/g) ?? [];
    expect(charts).toHaveLength(2);
    expect(charts[0]).toContain('x-axis ["#1", "#2", "#3", "#4 (this run)"]');
    expect(r.summary.split('\n').filter((l) => /^\| \\#\d/.test(l))).toHaveLength(4);
    expect(r.stdout).toMatch(
      /^::warning title=Cost increase::estimated cost \+\d+%25 against the base branch/m,
    );
    expect(await historyKeys(bucket)).toHaveLength(4);

    // Asked to fail on it, the same increase fails the step.
    const failing = await runAction({
      workspace: ws,
      inputs: inputs({
        'spark-conf': 'spark.executor.instances=9',
        'cost-increase-threshold': '10',
        'fail-on-cost-increase': 'true',
      }),
      env: {
        ...awsEnv(),
        GITHUB_RUN_NUMBER: '5',
        GITHUB_REF: 'refs/pull/5/merge',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
      },
    });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/::error::hail-emr-serverless failed: estimated cost \+\d+%25/);
  });

  it('loses no record when runs of one analysis end at the same time', async () => {
    const { bucket, ws, inputs } = await setup();
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        runAction({ workspace: ws, inputs: inputs(), env: { ...awsEnv(), GITHUB_RUN_NUMBER: String(n) } }),
      ),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const keys = await historyKeys(bucket);
    expect(keys).toHaveLength(4);
    expect(new Set(keys.map((k) => k.split('/')[2])).size).toBe(1); // one analysis folder
  });

  it('writes nothing with history: false', async () => {
    const { bucket, ws, inputs } = await setup();
    const r = await runAction({ workspace: ws, inputs: inputs({ history: 'false' }), env: awsEnv() });
    expect(r.code).toBe(0);
    expect(await historyKeys(bucket)).toEqual([]);
    expect(r.summary).not.toContain('### History');
  });
});

describe('provenance', () => {
  it('writes <output-uri>/_hail_run.json describing exactly what ran', async () => {
    const { bucket, app, ws, inputs, s3 } = await setup();
    const outputUri = `s3://${bucket}/results/run1`;
    const r = await runAction({
      workspace: ws,
      inputs: inputs({
        'output-uri': outputUri,
        'script-args': '--chrom\n22',
        'spark-conf': 'spark.my.password=hunter2',
      }),
      env: { ...awsEnv(), GITHUB_ACTOR: 'octocat' },
    });
    expect(r.stdout).not.toMatch(/::warning::/);
    expect(r.code).toBe(0);
    expect(r.outputs['provenance-uri']).toBe(`${outputUri}/_hail_run.json`);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'results/run1/_hail_run.json' }));
    const text = await got.Body!.transformToString();
    expect(readFileSync(r.outputs['provenance-path']!, 'utf8')).toBe(text);
    expect(text).not.toContain('hunter2');
    const p = JSON.parse(text);

    const sha = (f: string) =>
      createHash('sha256')
        .update(readFileSync(join(ws, f)))
        .digest('hex');
    expect(p.script).toEqual({
      path: 'jobs/gwas.py',
      uri: r.outputs['script-uri'],
      sha256: sha('jobs/gwas.py'),
    });
    expect(p.pyFiles).toEqual([
      expect.objectContaining({ path: 'jobs/util.py', sha256: sha('jobs/util.py') }),
    ]);
    expect(p.github).toMatchObject({ repository: 'genomics-lab/gwas', actor: 'octocat', event: 'push' });
    expect(p.hail).toMatchObject({ version: '0.2.134', artifactsSource: 'prebuilt' });
    expect(p.hail.jar.uri).toBe(`s3://${bucket}/prebuilt/hail-all-spark.jar`);

    // The Spark settings and arguments are those the service received (secrets aside).
    const start = (await requestsFor(app)).find((q) => q.operation === 'StartJobRun')!;
    const body = start.body as unknown as StartJobRunCommandInput;
    const sent = { ...body.configurationOverrides!.applicationConfiguration![0]!.properties! };
    sent['spark.my.password'] = '(redacted)';
    expect(p.emrServerless.applicationConfiguration[0].properties).toEqual(sent);
    expect(p.emrServerless.entryPointArguments).toEqual(['--chrom', '22']);
    expect(p.emrServerless.sparkSubmitParameters).toBe(body.jobDriver!.sparkSubmit!.sparkSubmitParameters);
    expect(p.emrServerless.jobRunId).toBe(r.outputs['job-run-id']);
    expect(p.emrServerless.state).toBe('SUCCESS');

    // The outputs as listed, with ETags, and the record itself not among them.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'results/run1/' }));
    const objects = (listed.Contents ?? [])
      .filter((o) => !o.Key!.endsWith('_hail_run.json'))
      .map((o) => ({ key: o.Key, size: o.Size, etag: o.ETag }));
    expect(objects.length).toBeGreaterThanOrEqual(2);
    expect(p.outputs.objects).toEqual(objects);
    expect(r.summary).toContain(`(provenance): <code>s3://${bucket}/results/run1/\\_hail\\_run.json</code>`);
  });
});
