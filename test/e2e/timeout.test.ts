// timeout-minutes bounds the wait: when it expires the action cancels the job run and fails with a
// message that says so. The shortest allowed timeout is one whole minute and the action's deadline is
// wall-clock time, so this one test takes a minute; everything else about deadlines is tested on a
// fake clock (test/unit/run/wait.test.ts, settle.test.ts). The service's own executionTimeoutMinutes,
// which the fixture can scale down, is tested quickly in edges.test.ts.
import { describe, expect, it, jest } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startEmrServer } from '../fixtures/emr-server.mjs';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import { control, freshBucket, s3Client, type FixtureRequest } from './stack.js';

jest.setTimeout(150_000);

describe('timeout-minutes', () => {
  it('cancels the job run when the wait expires, and says so', async () => {
    // Its own server, whose minute of executionTimeoutMinutes lasts ten: the action's deadline is the
    // one tested, and no other test's server config is touched.
    const server = await startEmrServer({ s3Endpoint: process.env.LOCAL_S3_ENDPOINT, timeoutScale: 600_000 });
    try {
      const bucket = await freshBucket();
      const app = server.seedApplication({ releaseLabel: 'emr-7.5.0', state: 'CREATED' }).applicationId;
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
        env: awsEnv({ emr: server.url }),
        timeoutMs: 120_000,
      });
      expect(r.code).toBe(1);
      expect(r.ms).toBeGreaterThanOrEqual(60_000);
      expect(r.stdout).toMatch(/timeout-minutes \(1\) expired: cancelling job run/);
      expect(r.stdout).toMatch(
        /::error::hail-emr-serverless failed: job run \w+ ended CANCELLED \(timeout-minutes expired; the action cancelled it\)/,
      );
      expect(r.outputs.state).toBe('CANCELLED');
      const { requests } = await control<{ requests: FixtureRequest[] }>('requests', undefined, server.url);
      const ops = requests.map((q) => q.operation);
      expect(ops.filter((o) => o === 'CancelJobRun')).toHaveLength(1);
      const start = requests.find((q) => q.operation === 'StartJobRun');
      expect((start?.body as { executionTimeoutMinutes?: number }).executionTimeoutMinutes).toBe(1);
      const { jobs } = await control<{ jobs: { state: string }[] }>('jobs', undefined, server.url);
      expect(jobs.map((j) => j.state)).toEqual(['CANCELLED']);
      expect(r.summary).toContain('⏱️ Timed out');
      expect(r.summary).toMatch(/reached the action.s time limit/);
      // Polling slowed down during the minute: far fewer GetJobRun calls than one a second.
      const polls = ops.filter((o) => o === 'GetJobRun').length;
      expect(polls).toBeGreaterThan(5);
      expect(polls).toBeLessThanOrEqual(60);
    } finally {
      await server.close();
    }
  });
});
