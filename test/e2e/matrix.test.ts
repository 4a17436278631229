// A matrix job: three legs of one workflow run (same run id, attempt, job and step) run the same
// script with different script-args. Each leg must start its own job run and report its own
// outputs; with a client token derived from the step and the script alone, every leg was handed
// the first leg's job run (or, on a service that checks the parameters, a ConflictException).
import { describe, expect, it, jest } from '@jest/globals';
import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import { freshBucket, requestsFor, s3Client, seedApplication } from './stack.js';

jest.setTimeout(120_000);

const LEG_PY = `import sys
print("leg", sys.argv[1:])
`;

describe('matrix legs of one step', () => {
  it('get one job run each, each leg reports its own, and a retried leg gets its job run again', async () => {
    const bucket = await freshBucket();
    const app = await seedApplication();
    const s3 = s3Client();
    for (const key of ['prebuilt/hail-all-spark.jar', 'prebuilt/pyspark_hail.tar.gz']) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    }
    const ws = makeWorkspace({ 'jobs/leg.py': LEG_PY });
    // What the runner gives every leg of one matrix job alike.
    const sameStep = {
      GITHUB_RUN_ID: `${Date.now()}${process.pid}`,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'per-chromosome',
      GITHUB_ACTION: 'run-hail',
    };
    const chromosomes = ['chr1', 'chr2', 'chr3'];
    const runLeg = (chrom: string) =>
      runAction({
        workspace: ws,
        inputs: {
          script: 'jobs/leg.py',
          's3-prefix': `s3://${bucket}/ci`,
          'execution-role-arn': 'arn:aws:iam::123456789012:role/hail-job',
          'application-id': app,
          'hail-version': '0.2.134',
          'hail-jar': `s3://${bucket}/prebuilt/hail-all-spark.jar`,
          'hail-env-archive': `s3://${bucket}/prebuilt/pyspark_hail.tar.gz`,
          'script-args': `--chrom\n${chrom}`,
          'live-logs': 'false',
        },
        env: { ...awsEnv(), ...sameStep },
        timeoutMs: 100_000,
      });
    const legs = await Promise.all(chromosomes.map(runLeg));

    for (const leg of legs) {
      expect(leg.stdout).not.toMatch(/^::error::/m);
      expect(leg.code).toBe(0);
      expect(leg.outputs.state).toBe('SUCCESS');
    }
    const jobRunIds = legs.map((l) => l.outputs['job-run-id']);
    expect(new Set(jobRunIds).size).toBe(3);

    // The service saw three StartJobRun requests, three tokens, each leg's own arguments.
    const starts = (await requestsFor(app)).filter((q) => q.operation === 'StartJobRun');
    const bodies = starts.map((q) => q.body as unknown as StartJobRunCommandInput);
    expect(new Set(bodies.map((b) => b.clientToken)).size).toBe(3);
    expect(bodies.map((b) => b.jobDriver?.sparkSubmit?.entryPointArguments?.[1]).sort()).toEqual(chromosomes);

    // A retry of the same leg (same step, same request) is idempotent: the same job run, no new one.
    const retry = await runLeg('chr1');
    expect(retry.code).toBe(0);
    expect(retry.outputs['job-run-id']).toBe(legs[0]!.outputs['job-run-id']);
    const startsAfter = (await requestsFor(app)).filter((q) => q.operation === 'StartJobRun');
    const jobsAfter = new Set(startsAfter.map((q) => (q.body as { clientToken?: string }).clientToken));
    expect(jobsAfter.size).toBe(3);

    // Each leg's report is its own job's: its own driver output, not another leg's.
    legs.forEach((leg, i) => {
      expect(leg.summary).toContain(`leg ['--chrom', '${chromosomes[i]}']`);
      for (const other of chromosomes.filter((_, j) => j !== i)) {
        expect(leg.summary).not.toContain(`'${other}'`);
      }
    });
  });
});
