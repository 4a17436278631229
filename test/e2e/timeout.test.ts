// timeout-minutes bounds the wait: when it expires the action cancels the job run and fails with a
// message that says so. (The shortest allowed timeout is one minute, so this test takes a minute.)
import { describe, expect, it, jest } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import { control, freshBucket, requestsFor, s3Client, seedApplication } from './stack.js';

jest.setTimeout(150_000);

describe('timeout-minutes', () => {
  it('cancels the job run when the wait expires, and says so', async () => {
    // The service's own executionTimeoutMinutes would end the job at about the same moment; stretch
    // the fixture's minute so that the action's deadline is the one tested.
    await control('config', { timeoutScale: 600_000 });
    const bucket = await freshBucket();
    const app = await seedApplication();
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: 'a/h.jar', Body: 'j' }));
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: 'a/e.tar.gz', Body: 'e' }));
    const ws = makeWorkspace({
      'slow.py': 'import time\nprint("still going", flush=True)\ntime.sleep(600)\n',
    });
    const r = await runAction({
      workspace: ws,
      inputs: {
        script: 'slow.py',
        's3-prefix': `s3://${bucket}/ci`,
        'execution-role-arn': 'arn:aws:iam::123456789012:role/hail-job',
        'application-id': app,
        'hail-jar': `s3://${bucket}/a/h.jar`,
        'hail-env-archive': `s3://${bucket}/a/e.tar.gz`,
        'timeout-minutes': '1',
      },
      env: awsEnv(),
      timeoutMs: 120_000,
    });
    await control('config', { timeoutScale: 60_000 });
    expect(r.code).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(60_000);
    expect(r.stdout).toMatch(/timeout-minutes \(1\) expired: cancelling job run/);
    expect(r.stdout).toMatch(
      /::error::hail-emr-serverless failed: job run \w+ ended CANCELLED \(timeout-minutes expired; the action cancelled it\)/,
    );
    expect(r.outputs.state).toBe('CANCELLED');
    const ops = (await requestsFor(app)).map((q) => q.operation);
    expect(ops.filter((o) => o === 'CancelJobRun')).toHaveLength(1);
    const start = (await requestsFor(app)).find((q) => q.operation === 'StartJobRun');
    expect((start?.body as { executionTimeoutMinutes?: number }).executionTimeoutMinutes).toBe(1);
    const { jobs } = await control<{ jobs: { applicationId: string; state: string }[] }>('jobs');
    expect(jobs.find((j) => j.applicationId === app)?.state).toBe('CANCELLED');
    expect(r.summary).toMatch(/Timed out/);
    expect(r.summary).toMatch(/reached the action.s time limit/);
    // Polling slowed down during the minute: far fewer GetJobRun calls than one a second.
    const polls = ops.filter((o) => o === 'GetJobRun').length;
    expect(polls).toBeLessThanOrEqual(60);
  });
});
