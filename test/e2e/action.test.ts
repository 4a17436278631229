// The action end to end, run as the runner runs it (node dist/index.js), against moto's S3 and the
// local EMR Serverless server, which really runs the job's script with python3.
import { describe, expect, it, jest } from '@jest/globals';
import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import { freshBucket, requestsFor, s3Client, seedApplication, startRecorder } from './stack.js';

jest.setTimeout(90_000);

const ROLE = 'arn:aws:iam::123456789012:role/hail-job';

const SUCCESS_PY = `import json, os, sys
import boto3

out = os.environ["HAIL_OUTPUT_URI"]
bucket, _, prefix = out[len("s3://"):].partition("/")
s3 = boto3.client("s3")
for i in range(3):
    s3.put_object(Bucket=bucket, Key=f"{prefix}/gwas.ht/rows/parts/part-{i}", Body=b"x" * 1000)
s3.put_object(Bucket=bucket, Key=f"{prefix}/gwas.ht/_SUCCESS", Body=b"")
s3.put_object(Bucket=bucket, Key=f"{prefix}/summary.tsv", Body=b"a\\tb\\n")
s3.put_object(Bucket=bucket, Key=f"{prefix}/_action_result.json",
              Body=json.dumps({"n_variants": 1000, "min_p": 1.2e-9}))
print("args", sys.argv[1:])
print("tmp", os.environ.get("HAIL_TMP_DIR"))
print("done <b>not bold</b>")
`;

const FAIL_PY = `import sys

def load(path):
    raise ValueError(f"cannot read {path}: <no such table>")

def main():
    print("starting analysis")
    load("s3://x/missing.ht")

main()
`;

async function uploadArtifacts(bucket: string): Promise<{ jar: string; env: string }> {
  const s3 = s3Client();
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'prebuilt/hail-all-spark.jar', Body: 'jar' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'prebuilt/pyspark_hail.tar.gz', Body: 'tgz' }));
  return {
    jar: `s3://${bucket}/prebuilt/hail-all-spark.jar`,
    env: `s3://${bucket}/prebuilt/pyspark_hail.tar.gz`,
  };
}

function baseInputs(bucket: string, applicationId: string, script: string): Record<string, string> {
  return {
    script,
    's3-prefix': `s3://${bucket}/ci`,
    'execution-role-arn': ROLE,
    'application-id': applicationId,
    'hail-version': '0.2.134',
  };
}

describe('the action, end to end on the local stack', () => {
  it('runs a successful job: outputs, result, output listing and summary', async () => {
    const bucket = await freshBucket();
    const app = await seedApplication();
    const art = await uploadArtifacts(bucket);
    const ws = makeWorkspace({ 'jobs/gwas.py': SUCCESS_PY });
    const r = await runAction({
      workspace: ws,
      inputs: {
        ...baseInputs(bucket, app, 'jobs/gwas.py'),
        'hail-jar': art.jar,
        'hail-env-archive': art.env,
        'output-uri': `s3://${bucket}/results/run1`,
        'script-args': '--n-variants\n1000',
        tags: 'team=genomics',
        'cloudwatch-log-group': '/aws/emr-serverless/hail-ci',
      },
      env: awsEnv(),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.state).toBe('SUCCESS');
    expect(r.outputs['application-id']).toBe(app);
    expect(r.outputs['job-run-id']).toMatch(/^[0-9a-z]+$/);
    expect(r.outputs['hail-artifacts-source']).toBe('prebuilt');
    expect(r.outputs['hail-jar-uri']).toBe(art.jar);
    expect(r.outputs['script-uri']).toMatch(new RegExp(`^s3://${bucket}/ci/scripts/[0-9a-f]{64}/gwas\\.py$`));
    expect(r.outputs['log-uri']).toBe(
      `s3://${bucket}/ci/logs/applications/${app}/jobs/${r.outputs['job-run-id']}/`,
    );
    expect(JSON.parse(r.outputs.result!)).toEqual({ n_variants: 1000, min_p: 1.2e-9 });
    expect(Number(r.outputs['estimated-cost-usd'])).toBeGreaterThan(0);

    // What reached the service: the Spark settings Hail needs, our tags, the timeout.
    const start = (await requestsFor(app)).find((q) => q.operation === 'StartJobRun')!;
    const body = start.body as unknown as StartJobRunCommandInput;
    expect(body.jobDriver?.sparkSubmit?.entryPointArguments).toEqual(['--n-variants', '1000']);
    expect(body.jobDriver?.sparkSubmit?.sparkSubmitParameters).toContain(`--archives ${art.env}#environment`);
    const props = body.configurationOverrides?.applicationConfiguration?.[0]?.properties;
    expect(props?.['spark.kryo.registrator']).toBe('is.hail.kryo.HailKryoRegistrator');
    expect(body.executionTimeoutMinutes).toBe(120);
    expect(body.configurationOverrides?.monitoringConfiguration?.cloudWatchLoggingConfiguration).toEqual({
      enabled: true,
      logGroupName: '/aws/emr-serverless/hail-ci',
    });
    expect(body.tags).toMatchObject({ team: 'genomics', 'github-repository': 'genomics-lab/gwas' });
    expect(body.clientToken).toMatch(/^[0-9a-f]{64}$/);

    // The summary: outcome, the grouped outputs, the escaped stdout tail, the script saw its env.
    expect(r.summary).toContain('✅ Succeeded');
    expect(r.summary).toContain('gwas.ht');
    expect(r.summary).toContain('#logsV2:log-groups/log-group/$252Faws$252Femr-serverless$252Fhail-ci');
    expect(r.summary).toContain('summary.tsv');
    expect(r.summary).toContain('1.2e-9'); // from _action_result.json
    expect(r.summary).toContain('&lt;b&gt;not bold&lt;/b&gt;');
    expect(r.summary).not.toContain('<b>not bold</b>');
    expect(r.summary).toContain(`tmp s3://${bucket}/ci/tmp/`);
  });

  it('fails the step on a failed job, with the traceback first in the summary and an annotation on the line', async () => {
    const bucket = await freshBucket();
    const app = await seedApplication();
    const art = await uploadArtifacts(bucket);
    const ws = makeWorkspace({ 'jobs/fail.py': FAIL_PY });
    const r = await runAction({
      workspace: ws,
      inputs: {
        ...baseInputs(bucket, app, 'jobs/fail.py'),
        'hail-jar': art.jar,
        'hail-env-archive': art.env,
      },
      env: awsEnv(),
    });
    expect(r.code).toBe(1);
    expect(r.outputs.state).toBe('FAILED');
    expect(r.outputs['state-details']).toMatch(/ExitCode: 1/);
    expect(r.stdout).toMatch(
      /::error::hail-emr-serverless failed: job run \w+ ended FAILED: ValueError: cannot read/,
    );
    expect(r.stdout).toMatch(/::error [^:]*file=jobs\/fail\.py,line=4[^:]*::ValueError: cannot read/);
    const excerpt = r.summary.indexOf('ValueError: cannot read');
    const stdoutTail = r.summary.indexOf('starting analysis');
    expect(excerpt).toBeGreaterThan(-1);
    expect(stdoutTail).toBeGreaterThan(excerpt); // the failure comes before the log tails
    expect(r.summary).toContain('&lt;no such table&gt;');
  });

  it('uploads local artifacts under their content hash once, and re-uploads nothing on the second run', async () => {
    const bucket = await freshBucket();
    const app = await seedApplication();
    const jar = Buffer.alloc(6 * 1024 * 1024, 7);
    const ws = makeWorkspace({
      'jobs/gwas.py': SUCCESS_PY,
      'build/hail-all-spark.jar': jar,
      'build/pyspark_hail.tar.gz': 'env',
    });
    const recorder = await startRecorder();
    try {
      const inputs = {
        ...baseInputs(bucket, app, 'jobs/gwas.py'),
        'hail-jar': 'build/hail-all-spark.jar',
        'hail-env-archive': 'build/pyspark_hail.tar.gz',
        'output-uri': `s3://${bucket}/results/cached`,
      };
      const env = awsEnv({ s3: recorder.url });
      const first = await runAction({ workspace: ws, inputs, env });
      expect(first.stdout).not.toContain('::error');
      expect(first.code).toBe(0);
      expect(first.outputs['hail-artifacts-source']).toBe('uploaded');
      const firstPutBytes = recorder.requests
        .filter((q) => q.method === 'PUT')
        .reduce((n, q) => n + q.bytes, 0);
      expect(firstPutBytes).toBeGreaterThanOrEqual(jar.length);

      recorder.requests.length = 0;
      const second = await runAction({ workspace: ws, inputs, env });
      expect(second.code).toBe(0);
      expect(second.outputs['hail-artifacts-source']).toBe('prebuilt');
      expect(second.outputs['hail-jar-uri']).toBe(first.outputs['hail-jar-uri']);
      // No artifact, no script: the only writes are the run's own records (history, provenance).
      const puts = recorder.requests.filter((q) => q.method === 'PUT' || q.method === 'POST');
      expect(puts.map((q) => q.path.split('?')[0]!.replace(/\/history\/.*/, '/history/…'))).toEqual(
        expect.arrayContaining([`/${bucket}/ci/history/…`, `/${bucket}/results/cached/_hail_run.json`]),
      );
      expect(puts).toHaveLength(2);
      expect(recorder.requests.filter((q) => q.method === 'HEAD').length).toBeGreaterThanOrEqual(3);
    } finally {
      await recorder.close();
    }
  });

  it('dry run: prints the request and the CLI command, and nothing reaches either server', async () => {
    const bucket = 'dry-run-bucket';
    const app = '00drydryrun';
    const recorder = await startRecorder();
    try {
      const ws = makeWorkspace({ 'jobs/gwas.py': SUCCESS_PY });
      const r = await runAction({
        workspace: ws,
        inputs: {
          ...baseInputs(bucket, app, 'jobs/gwas.py'),
          'dry-run': 'true',
          'release-label': 'emr-7.5.0',
          'hail-jar': 's3://dry-run-bucket/a/hail-all-spark.jar',
          'hail-env-archive': 's3://dry-run-bucket/a/pyspark_hail.tar.gz',
        },
        env: awsEnv({ s3: recorder.url }),
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('"entryPoint": "s3://dry-run-bucket/ci/scripts/');
      expect(r.stdout).toContain('aws emr-serverless start-job-run');
      expect(r.stdout).toContain('--application-id 00drydryrun');
      expect(r.outputs.state).toBe('DRY_RUN');
      expect(recorder.requests).toEqual([]);
      expect(await requestsFor(app)).toEqual([]);
    } finally {
      await recorder.close();
    }
  });

  it('dry run with hail-artifacts auto shows the cache entry it would use, without looking it up', async () => {
    const recorder = await startRecorder();
    try {
      const ws = makeWorkspace({ 'jobs/gwas.py': SUCCESS_PY });
      const r = await runAction({
        workspace: ws,
        inputs: {
          ...baseInputs('dry-bucket', '00dryauto', 'jobs/gwas.py'),
          'dry-run': 'true',
          'release-label': 'emr-7.5.0',
        },
        env: awsEnv({ s3: recorder.url }),
      });
      expect(r.code).toBe(0);
      expect(r.outputs['hail-artifacts-source']).toBe('not-checked');
      expect(r.outputs['hail-jar-uri']).toMatch(
        /^s3:\/\/dry-bucket\/ci\/hail\/[0-9a-f]{64}\/hail-all-spark\.jar$/,
      );
      expect(recorder.requests).toEqual([]);
    } finally {
      await recorder.close();
    }
  });

  it('refuses an impossible Hail/EMR pair before any AWS call', async () => {
    const app = await seedApplication();
    const ws = makeWorkspace({ 'jobs/gwas.py': SUCCESS_PY });
    const r = await runAction({
      workspace: ws,
      inputs: { ...baseInputs('some-bucket', app, 'jobs/gwas.py'), 'release-label': 'emr-6.13.0' },
      env: awsEnv(),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error::hail-emr-serverless failed: input `release-label`: hail 0\.2\.134 cannot run on emr-6\.13\.0/,
    );
    expect(await requestsFor(app)).toEqual([]);
  });
});
