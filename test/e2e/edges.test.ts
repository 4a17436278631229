// Edges that must end cleanly (issue 11): a job that ends while the action gives up, unreadable or
// missing driver logs, a queued job, a burst of server errors while waiting, and one job run per
// request however often the step is retried.
import { gzipSync } from 'node:zlib';
import { describe, expect, it, jest } from '@jest/globals';
import { EMRServerlessClient, GetJobRunCommand } from '@aws-sdk/client-emr-serverless';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startEmrServer } from '../fixtures/emr-server.mjs';
import { awsEnv, eventually, runAction } from './harness.js';
import {
  control,
  jobSetup,
  jobsOf,
  requestsFor,
  s3Client,
  startRewriter,
  type FixtureRequest,
} from './stack.js';

jest.setTimeout(150_000);

const QUICK_PY = 'print("quick job done")\n';
const FAILING_PY = `import sys
for i in range(300):
    print(f"working on chunk {i}", file=sys.stderr)
def load(path):
    raise ValueError(f"cannot parse {path}")
load("cohort.vcf")
`;

const ops = (reqs: FixtureRequest[], name: string) => reqs.filter((r) => r.operation === name);
const errorLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error::'));

function emrClient(endpoint = process.env.LOCAL_EMR_ENDPOINT!): EMRServerlessClient {
  return new EMRServerlessClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** Uses up the errors injected for GetJobRun on this job run (each failed call consumes one). */
async function drainGetJobRunErrors(app: string, jobRunId: string): Promise<void> {
  const emr = emrClient();
  for (let i = 0; i < 200; i++) {
    const ok = await emr
      .send(new GetJobRunCommand({ applicationId: app, jobRunId }))
      .then(() => true)
      .catch(() => false);
    if (ok) return;
  }
  throw new Error('GetJobRun kept failing');
}

describe('a job run that ends while the action gives up on it', () => {
  it('is reported as finished (summary, outputs, no error, quiet post step) instead of failing on CancelJobRun', async () => {
    const { app, workspace, inputs } = await jobSetup(QUICK_PY);
    // The action cannot see the job end: every GetJobRun fails (5 calls' worth of SDK retries).
    await control('inject-error', { operation: 'GetJobRun', applicationId: app, status: 500, count: 40 });
    let signalled = false;
    const r = await runAction({
      workspace,
      inputs,
      env: awsEnv(),
      timeoutMs: 90_000,
      onSpawn: (child, io) => {
        void (async () => {
          const job = await eventually(async () => {
            const [j] = await jobsOf(app);
            return j?.state === 'SUCCESS' && io.stdout().includes('GetJobRun failed') ? j : undefined;
          }, 60_000);
          // The workflow is cancelled after the job ended: the action's cancel meets a finished job.
          signalled = true;
          child.kill('SIGINT');
          await drainGetJobRunErrors(app, job!.jobRunId);
        })();
      },
    });
    expect(signalled).toBe(true);
    const reqs = await requestsFor(app);
    const cancel = ops(reqs, 'CancelJobRun');
    expect(cancel).toHaveLength(1);
    expect(cancel[0]).toMatchObject({ errorType: 'ValidationException' });
    expect(r.stdout).toMatch(/job run \w+ had already ended SUCCESS/);
    expect(errorLines(r.stdout)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs.state).toBe('SUCCESS');
    expect(r.summary).toContain('quick job done');
    expect(r.state.finished).toBe('true');

    const post = await runAction({ workspace, inputs, env: awsEnv(), entry: 'post', state: r.state });
    expect(post.code).toBe(0);
    expect(errorLines(post.stdout)).toEqual([]);
    expect(ops(await requestsFor(app), 'CancelJobRun')).toHaveLength(1);
  });
});

/** The job's driver log key for `name`, as the fixture wrote it. */
async function driverLogKey(app: string, name: 'stdout' | 'stderr'): Promise<string> {
  const [job] = await jobsOf(app);
  const key = job?.logKeys?.[name];
  if (!key) throw new Error(`no ${name} log for ${app}`);
  return key;
}

/**
 * An HTTP proxy to the EMR server that makes every job run look older (its timestamps moved back),
 * as if the step re-attached to a job run that ended long ago.
 */
function startAgingProxy(
  target: string,
  ageSeconds: number,
): Promise<{ url: string; close(): Promise<void> }> {
  return startRewriter(target, (_req, body) => {
    const text = body.toString('utf8');
    if (!text.includes('"jobRun"')) return undefined;
    const parsed = JSON.parse(text) as { jobRun: Record<string, unknown> };
    for (const f of ['createdAt', 'updatedAt', 'startedAt', 'endedAt']) {
      if (typeof parsed.jobRun[f] === 'number') parsed.jobRun[f] = (parsed.jobRun[f] as number) - ageSeconds;
    }
    return Buffer.from(JSON.stringify(parsed));
  });
}

describe('driver logs that are damaged or gone', () => {
  it('keeps what a truncated stderr.gz decompressed, traceback included', async () => {
    const { bucket, app, workspace, inputs } = await jobSetup(FAILING_PY);
    const first = await runAction({ workspace, inputs, env: awsEnv() });
    expect(first.code).toBe(1);
    expect(first.summary).toContain('ValueError: cannot parse cohort.vcf');
    const jobRunId = first.outputs['job-run-id']!;
    // Replace the driver's stderr with a gzip cut short (its trailer and last bytes missing).
    const key = await driverLogKey(app, 'stderr');
    const text = Array.from({ length: 300 }, (_, i) => `working on chunk ${i}`).join('\n');
    const gz = gzipSync(
      `${text}\nTraceback (most recent call last):\n  File "job.py", line 6, in <module>\n` +
        `ValueError: cannot parse truncated.vcf\nthe last line, lost with the cut\n`,
    );
    await s3Client().send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: gz.subarray(0, gz.length - 30) }),
    );

    const r = await runAction({ workspace, inputs: { ...inputs, 'job-run-id': jobRunId }, env: awsEnv() });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/Could not read driver stderr/);
    expect(r.stdout).toMatch(/driver stderr.*ended early/i);
    expect(r.summary).toContain('ValueError: cannot parse truncated.vcf');
    expect(r.summary).toContain('working on chunk 299');
    expect(errorLines(r.stdout)).toEqual([expect.stringContaining('ValueError: cannot parse truncated.vcf')]);
  });

  it('does not wait for the driver logs of a job run that ended long ago', async () => {
    const { bucket, app, workspace, inputs } = await jobSetup(QUICK_PY);
    const first = await runAction({ workspace, inputs, env: awsEnv() });
    expect(first.code).toBe(0);
    for (const name of ['stdout', 'stderr'] as const) {
      await s3Client().send(new DeleteObjectCommand({ Bucket: bucket, Key: await driverLogKey(app, name) }));
    }
    const aged = await startAgingProxy(process.env.LOCAL_EMR_ENDPOINT!, 3600);
    try {
      const r = await runAction({
        workspace,
        inputs: { ...inputs, 'job-run-id': first.outputs['job-run-id']! },
        env: awsEnv({ emr: aged.url }),
        timeoutMs: 120_000,
      });
      expect(r.code).toBe(0);
      expect(r.outputs.state).toBe('SUCCESS');
      expect(r.stdout).not.toMatch(/Waiting for the final driver logs/);
      expect(r.ms).toBeLessThan(30_000);
      expect(r.summary).toMatch(/stdout/);
    } finally {
      await aged.close();
    }
  });
});

describe('waiting', () => {
  it('a QUEUED job run is waited for, not taken as its end', async () => {
    // Its own server: holdQueued would otherwise hold every other test's jobs too.
    const queued = await startEmrServer({ s3Endpoint: process.env.LOCAL_S3_ENDPOINT, holdQueued: true });
    try {
      const { app, workspace, inputs } = await jobSetup(QUICK_PY);
      queued.seedApplication({ applicationId: app, releaseLabel: 'emr-7.5.0', state: 'CREATED' });
      let released: Promise<unknown> = Promise.resolve();
      const r = await runAction({
        workspace,
        inputs,
        env: awsEnv({ emr: queued.url }),
        onSpawn: (child, io) => {
          // Release the job only after the action has seen it QUEUED and polled it again.
          const polledWhileQueued = async () => {
            if (!/-> QUEUED/.test(io.stdout())) return false;
            const { requests } = await control<{ requests: FixtureRequest[] }>(
              'requests?operation=GetJobRun',
              undefined,
              queued.url,
            );
            return requests.length >= 3;
          };
          released = eventually(
            async () => child.exitCode !== null || (await polledWhileQueued()),
            30_000,
          ).then(() =>
            child.exitCode === null ? control('release-queued', {}, queued.url) : 'the action had exited',
          );
        },
      });
      expect(await released).toEqual({ released: 1 });
      expect(r.stdout).toMatch(/-> QUEUED/);
      expect(r.code).toBe(0);
      expect(r.outputs.state).toBe('SUCCESS');
      const [job] = await jobsOf(app, queued.url);
      expect(job?.history.map((h) => h.state)).toEqual(
        expect.arrayContaining(['QUEUED', 'RUNNING', 'SUCCESS']),
      );
    } finally {
      await queued.close();
    }
  });

  it('waits out a burst of 5xx answers to GetJobRun longer than the SDK retries absorb', async () => {
    const { app, workspace, inputs } = await jobSetup(
      'import time\ntime.sleep(1)\nprint("survived the burst")\n',
    );
    // 12 failures in a row: more than one GetJobRun call's 8 SDK attempts.
    await control('inject-error', {
      operation: 'GetJobRun',
      applicationId: app,
      status: 503,
      errorType: 'ServiceUnavailableException',
      count: 12,
    });
    const r = await runAction({ workspace, inputs, env: awsEnv(), timeoutMs: 90_000 });
    const failed = ops(await requestsFor(app), 'GetJobRun').filter(
      (q) => (q as { status?: number }).status === 503,
    );
    expect(failed).toHaveLength(12);
    expect(r.stdout).toMatch(/GetJobRun failed \(.*\); still waiting for \w+/);
    expect(r.code).toBe(0);
    expect(r.outputs.state).toBe('SUCCESS');
    expect(r.summary).toContain('survived the burst');
  });
});

describe("the service's own time limit", () => {
  it('a job run the service stops at executionTimeoutMinutes is reported with the reason, not cancelled again', async () => {
    // Its own server, whose minute lasts 2 s: the service's limit (timeout-minutes, sent as
    // executionTimeoutMinutes) ends the job long before the action's own one-minute deadline.
    const fast = await startEmrServer({ s3Endpoint: process.env.LOCAL_S3_ENDPOINT, timeoutScale: 2_000 });
    try {
      const { workspace, inputs } = await jobSetup(
        'import time\nprint("started", flush=True)\ntime.sleep(600)\n',
      );
      const app = fast.seedApplication({ releaseLabel: 'emr-7.5.0', state: 'CREATED' }).applicationId;
      const r = await runAction({
        workspace,
        inputs: { ...inputs, 'application-id': app, 'timeout-minutes': '1' },
        env: awsEnv({ emr: fast.url }),
      });
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(45_000);
      expect(errorLines(r.stdout)).toEqual([
        expect.stringMatching(/job run \w+ ended FAILED: .*timed out.*executionTimeoutMinutes/),
      ]);
      expect(r.outputs.state).toBe('FAILED');
      const { requests } = await control<{ requests: FixtureRequest[] }>('requests', undefined, fast.url);
      expect(ops(requests, 'CancelJobRun')).toHaveLength(0);
      expect(r.summary).toContain('started');
    } finally {
      await fast.close();
    }
  });
});

describe('idempotent submission', () => {
  it('the same request submitted twice (a retried step) starts one job run', async () => {
    const { app, workspace, inputs } = await jobSetup(QUICK_PY);
    // Everything that identifies the step is the same both times, as when a runner retries it.
    const same = { ...awsEnv(), GITHUB_RUN_ID: `${Date.now()}42`, GITHUB_RUN_ATTEMPT: '1' };
    const first = await runAction({ workspace, inputs, env: same });
    const second = await runAction({ workspace, inputs, env: same });
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const starts = ops(await requestsFor(app), 'StartJobRun');
    expect(starts).toHaveLength(2);
    expect(await jobsOf(app)).toHaveLength(1);
    expect(second.outputs['job-run-id']).toBe(first.outputs['job-run-id']);
  });
});
