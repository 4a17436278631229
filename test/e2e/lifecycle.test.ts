// Never leave a job behind: cancellation on SIGINT, the post step as backstop after SIGKILL,
// re-attaching to a job run, finding or creating an application by name.
import { describe, expect, it, jest } from '@jest/globals';
import {
  EMRServerlessClient,
  StartJobRunCommand,
  CreateApplicationCommand,
} from '@aws-sdk/client-emr-serverless';
import { ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { startEmrServer } from '../fixtures/emr-server.mjs';
import { startFaultProxy } from '../fixtures/fault-proxy.mjs';
import { awsEnv, eventually, makeWorkspace, runAction } from './harness.js';
import {
  control,
  freshBucket,
  requestsFor,
  s3Client,
  seedApplication,
  type FixtureRequest,
  jobSetup,
  jobsOf,
  TEST_ROLE,
} from './stack.js';

jest.setTimeout(120_000);

const ROLE = TEST_ROLE;
const SLEEPY_PY = `import time
print("working", flush=True)
time.sleep(60)
`;
const QUICK_PY = `print("quick job done")\n`;

const cancels = (reqs: FixtureRequest[]) => reqs.filter((r) => r.operation === 'CancelJobRun');

describe('cancellation and clean-up', () => {
  it('SIGINT while RUNNING cancels the job run at once and fails the step', async () => {
    const { app, workspace, inputs } = await jobSetup(SLEEPY_PY);
    let signalledAt = 0;
    const r = await runAction({
      workspace,
      inputs,
      env: awsEnv(),
      onSpawn: (child) => {
        void eventually(async () => (await jobsOf(app)).some((j) => j.state === 'RUNNING'), 30_000).then(
          () => {
            signalledAt = Date.now();
            child.kill('SIGINT');
          },
        );
      },
    });
    expect(signalledAt).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/the workflow was cancelled; job run \w+ was cancelled/);
    const cancel = cancels(await requestsFor(app));
    expect(cancel).toHaveLength(1);
    expect(Date.parse((cancel[0] as unknown as { time: string }).time) - signalledAt).toBeLessThan(1000);
    await eventually(async () => (await jobsOf(app))[0]?.state === 'CANCELLED', 10_000);
    expect((await jobsOf(app))[0]?.pidAlive).toBe(false);
  });

  it('after SIGKILL of main, the post step cancels the job run it left active', async () => {
    const { app, workspace, inputs } = await jobSetup(SLEEPY_PY);
    let killedWhileRunning = false;
    const main = await runAction({
      workspace,
      inputs,
      env: awsEnv(),
      onSpawn: (child) => {
        void eventually(async () => (await jobsOf(app)).some((j) => j.state === 'RUNNING'), 30_000).then(
          () => {
            killedWhileRunning = true;
            child.kill('SIGKILL');
          },
        );
      },
    });
    // Our kill, once the job ran (the harness's own timeout also ends in SIGKILL).
    expect(killedWhileRunning).toBe(true);
    expect(main.signal).toBe('SIGKILL');
    expect(main.state['job-run-id']).toMatch(/^[0-9a-z]+$/);
    expect(main.state.finished).toBeUndefined();
    expect(cancels(await requestsFor(app))).toHaveLength(0);

    const post = await runAction({ workspace, inputs, env: awsEnv(), entry: 'post', state: main.state });
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(/cancelled job run \w+ \(was RUNNING\)/);
    expect(cancels(await requestsFor(app))).toHaveLength(1);
    await eventually(async () => (await jobsOf(app))[0]?.state === 'CANCELLED', 10_000);
  });

  it('the post step never cancels a job run that finished', async () => {
    const { app, workspace, inputs } = await jobSetup(QUICK_PY);
    const main = await runAction({ workspace, inputs, env: awsEnv() });
    expect(main.code).toBe(0);
    expect(main.state.finished).toBe('true');
    // Even if the state said otherwise, post checks the job run before cancelling.
    const post = await runAction({
      workspace,
      inputs,
      env: awsEnv(),
      entry: 'post',
      state: { ...main.state, finished: 'false' },
    });
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(/is SUCCESS; nothing to clean up/);
    expect(cancels(await requestsFor(app))).toHaveLength(0);
  });

  it('cancel-on-abort: false leaves the job run alone on SIGINT', async () => {
    const { app, workspace, inputs } = await jobSetup(SLEEPY_PY);
    let signalledWhileRunning = false;
    const r = await runAction({
      workspace,
      inputs: { ...inputs, 'cancel-on-abort': 'false' },
      env: awsEnv(),
      onSpawn: (child) => {
        void eventually(async () => (await jobsOf(app)).some((j) => j.state === 'RUNNING'), 30_000).then(
          () => {
            signalledWhileRunning = true;
            child.kill('SIGINT');
          },
        );
      },
    });
    expect(signalledWhileRunning).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cancel-on-abort is false/);
    const post = await runAction({ workspace, inputs, env: awsEnv(), entry: 'post', state: r.state });
    expect(post.stdout).toMatch(/cancel-on-abort: false/);
    expect(cancels(await requestsFor(app))).toHaveLength(0);
    // Clean up the job this test left running on purpose.
    const job = (await jobsOf(app))[0]!;
    const emr = new EMRServerlessClient({
      endpoint: process.env.LOCAL_EMR_ENDPOINT,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { CancelJobRunCommand } = await import('@aws-sdk/client-emr-serverless');
    await emr.send(new CancelJobRunCommand({ applicationId: app, jobRunId: job.jobRunId }));
  });

  it('wait: false submits, sets the outputs and leaves the job run to finish on its own', async () => {
    const { app, workspace, inputs } = await jobSetup(QUICK_PY);
    const r = await runAction({ workspace, inputs: { ...inputs, wait: 'false' }, env: awsEnv() });
    expect(r.code).toBe(0);
    expect(r.outputs['job-run-id']).toMatch(/^[0-9a-z]+$/);
    expect(r.outputs.state).toBe('SUBMITTED');
    expect(r.state.finished).toBe('true');
    await eventually(async () => (await jobsOf(app))[0]?.state === 'SUCCESS', 10_000);
  });
});

describe('re-attach and applications', () => {
  it('re-attaches to an existing job run with job-run-id and reports it', async () => {
    const { bucket, app, workspace, inputs } = await jobSetup(QUICK_PY);
    await s3Client().send(
      new PutObjectCommand({ Bucket: bucket, Key: 'manual/job.py', Body: 'print("manual run")\n' }),
    );
    const emr = new EMRServerlessClient({
      endpoint: process.env.LOCAL_EMR_ENDPOINT,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const started = await emr.send(
      new StartJobRunCommand({
        applicationId: app,
        executionRoleArn: ROLE,
        jobDriver: { sparkSubmit: { entryPoint: `s3://${bucket}/manual/job.py` } },
        configurationOverrides: {
          monitoringConfiguration: { s3MonitoringConfiguration: { logUri: `s3://${bucket}/manual-logs/` } },
        },
      }),
    );
    const r = await runAction({
      workspace,
      inputs: { ...inputs, 'job-run-id': started.jobRunId! },
      env: awsEnv(),
    });
    expect(r.code).toBe(0);
    expect(r.outputs['job-run-id']).toBe(started.jobRunId);
    expect(r.outputs.state).toBe('SUCCESS');
    expect(r.summary).toContain('manual run');
    const ops = (await requestsFor(app)).map((q) => q.operation);
    expect(ops.filter((o) => o === 'StartJobRun')).toHaveLength(1); // only the test's own
  });

  it('application-name creates an X86_64 application with a compatible release once, then finds it', async () => {
    const { workspace, inputs } = await jobSetup(QUICK_PY);
    const name = `hail-ci-${Date.now()}`;
    const named = { ...inputs, 'application-id': '', 'application-name': name };
    const first = await runAction({ workspace, inputs: named, env: awsEnv() });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`Created application \\w+ "${name}" on emr-7\\.\\d+\\.\\d+`));
    const second = await runAction({ workspace, inputs: named, env: awsEnv() });
    expect(second.code).toBe(0);
    expect(second.outputs['application-id']).toBe(first.outputs['application-id']);
    const { requests } = await control<{ requests: FixtureRequest[] }>(
      'requests?operation=CreateApplication',
    );
    const creates = requests.filter((q) => (q.body as { name?: string })?.name === name);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body).toMatchObject({
      type: 'SPARK',
      architecture: 'X86_64',
      autoStopConfiguration: { enabled: true },
    });
  });

  it('refuses an ARM64 application before uploading anything', async () => {
    const { workspace, inputs } = await jobSetup(QUICK_PY);
    const arm = await seedApplication({ architecture: 'ARM64' });
    const r = await runAction({ workspace, inputs: { ...inputs, 'application-id': arm }, env: awsEnv() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cannot run on emr-7\.5\.0 \(ARM64\)/);
    expect((await requestsFor(arm)).map((q) => q.operation)).toEqual(['GetApplication']);
  });

  it("also runs against moto's own EMR Serverless API (an independent implementation of the protocol)", async () => {
    const { workspace, inputs } = await jobSetup(QUICK_PY);
    const moto = process.env.LOCAL_MOTO_ENDPOINT!;
    const emr = new EMRServerlessClient({
      endpoint: moto,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const created = await emr.send(
      new CreateApplicationCommand({ name: 'moto-app', releaseLabel: 'emr-7.5.0', type: 'SPARK' }),
    );
    const r = await runAction({
      workspace,
      inputs: { ...inputs, 'application-id': created.applicationId! },
      env: awsEnv({ emr: moto }),
    });
    expect(r.code).toBe(0);
    expect(r.outputs.state).toBe('SUCCESS');
    expect(r.outputs['job-run-id']).toMatch(/^[0-9a-z]+$/);
    expect(r.summary).toMatch(/not found|not available|no driver/i); // moto runs nothing, so no logs
  });

  it('starts a stopped application without auto-start (its own start timeout), then submits', async () => {
    const { workspace, inputs } = await jobSetup(QUICK_PY);
    const app = await seedApplication({ state: 'STOPPED', autoStartConfiguration: { enabled: false } });
    const r = await runAction({ workspace, inputs: { ...inputs, 'application-id': app }, env: awsEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is STOPPED without auto-start: starting it/);
    const ops = (await requestsFor(app)).map((q) => q.operation);
    expect(ops.indexOf('StartApplication')).toBeGreaterThan(-1);
    expect(ops.indexOf('StartApplication')).toBeLessThan(ops.indexOf('StartJobRun'));
  });
});

describe('attempts and credentials', () => {
  it('retry-max-attempts: reports each attempt and reads the logs of the last one', async () => {
    const flaky = `import os, sys, time
attempt = int(os.environ.get("EMR_FIXTURE_ATTEMPT", "1"))
print(f"attempt {attempt} says hello", flush=True)
if attempt == 1:
    time.sleep(1)
    raise RuntimeError("transient failure on the first attempt")
time.sleep(7)  # long enough for the live log reader (every 5 s) to follow this attempt
`;
    const { app, workspace, inputs } = await jobSetup(flaky);
    const r = await runAction({ workspace, inputs: { ...inputs, 'retry-max-attempts': '2' }, env: awsEnv() });
    expect(r.code).toBe(0);
    expect(r.outputs.state).toBe('SUCCESS');
    const start = (await requestsFor(app)).find((q) => q.operation === 'StartJobRun');
    expect((start?.body as { retryPolicy?: unknown }).retryPolicy).toEqual({ maxAttempts: 2 });
    expect(r.summary).toContain('attempt 2 says hello'); // the last attempt's driver log
    expect(r.summary).not.toContain('attempt 1 says hello');
    expect(r.summary).toMatch(/Attempt/);
    // Live logs moved on to the second attempt's driver log while it ran.
    expect(r.stdout).toMatch(/Attempt 2 started: following its driver logs/);
    expect(r.stdout.indexOf('attempt 2 says hello')).toBeGreaterThan(r.stdout.indexOf('Attempt 2 started'));
  });

  it('expired credentials mid-wait: says so, how to fix it, and keeps the job run in view', async () => {
    const slow = 'import time\ntime.sleep(5)\nprint("done")\n';
    const { app, workspace, inputs } = await jobSetup(slow);
    const r = await runAction({
      workspace,
      inputs,
      env: awsEnv(),
      onSpawn: () => {
        void eventually(async () => (await jobsOf(app)).length > 0, 20_000).then(() =>
          control('inject-error', {
            operation: 'GetJobRun',
            applicationId: app,
            status: 403,
            errorType: 'ExpiredTokenException',
            message: 'The security token included in the request is expired',
            count: 1000,
          }),
        );
      },
    });
    expect(r.code).toBe(1);
    const jobRunId = r.outputs['job-run-id'];
    expect(jobRunId).toMatch(/^[0-9a-z]+$/);
    expect(r.stdout).toMatch(/AWS credentials expired while waiting/);
    expect(r.stdout).toMatch(/role-duration-seconds/);
    expect(r.stdout).toContain(`job-run-id: ${jobRunId}`);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toHaveLength(1);
    expect(cancels(await requestsFor(app))).toHaveLength(0);
    // The post step does not try again with the same expired credentials: one message, not two.
    const seen = (await requestsFor(app)).length;
    const post = await runAction({ workspace, inputs, env: awsEnv(), entry: 'post', state: r.state });
    expect(post.stdout).not.toMatch(/::error::/);
    expect(post.code).toBe(0);
    expect(post.stdout).toContain(
      `Job run ${jobRunId} was left active by the main step (credentials-expired)`,
    );
    expect(await requestsFor(app)).toHaveLength(seen);
  });
});

describe('cancelled uploads', () => {
  it('SIGINT during a multipart upload aborts it: no object under the final key, no open upload, no job', async () => {
    const bucket = await freshBucket();
    const app = await seedApplication();
    const workspace = makeWorkspace({
      'job.py': QUICK_PY,
      'build/hail-all-spark.jar': Buffer.alloc(40 * 1024 * 1024, 3), // a multipart upload (8 parts of 5 MiB)
      'build/pyspark_hail.tar.gz': 'env',
    });
    // Every part upload is held for 3 s, so the signal lands mid-upload.
    const slow = await startFaultProxy({
      target: process.env.LOCAL_S3_ENDPOINT!,
      rate: 1,
      kinds: ['delay'],
      delayMs: 3000,
      match: (req) => req.method === 'PUT' && req.path.includes('partNumber='),
    });
    try {
      const r = await runAction({
        workspace,
        inputs: {
          script: 'job.py',
          's3-prefix': `s3://${bucket}/ci`,
          'execution-role-arn': ROLE,
          'application-id': app,
          'hail-jar': 'build/hail-all-spark.jar',
          'hail-env-archive': 'build/pyspark_hail.tar.gz',
        },
        env: awsEnv({ s3: slow.url }),
        onSpawn: (child) => {
          void eventually(() => slow.events.some((e) => e.action === 'delay'), 20_000).then(() =>
            child.kill('SIGINT'),
          );
        },
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/the workflow was cancelled while uploading; no job run was started/);
      const s3 = s3Client();
      const artifacts = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ci/artifacts/' }));
      expect((artifacts.Contents ?? []).filter((o) => o.Key?.endsWith('.jar'))).toEqual([]);
      const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      expect(open.Uploads ?? []).toEqual([]);
      expect((await requestsFor(app)).map((q) => q.operation)).not.toContain('StartJobRun');
    } finally {
      await slow.close();
    }
  });
});

describe('late logs', () => {
  it('waits for driver logs that reach S3 after the job run ended, so the traceback is still reported', async () => {
    // Its own server: the final log upload lands 3 s after the terminal state (the service's lag).
    const late = await startEmrServer({
      s3Endpoint: process.env.LOCAL_S3_ENDPOINT,
      logsAfterTerminalMs: 3000,
      logFlushMs: 60_000,
    });
    try {
      // An early upload (at the start) is stale by the end: the action must wait for the last one.
      const { app, workspace, inputs } = await jobSetup(
        'import time\nprint("started", flush=True)\ntime.sleep(7)\nraise SystemExit("late failure: <boom>")\n',
      );
      late.seedApplication({ applicationId: app, releaseLabel: 'emr-7.5.0', state: 'CREATED' });
      const r = await runAction({ workspace, inputs, env: awsEnv({ emr: late.url }) });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/Waiting for the final driver logs to reach S3/);
      expect(r.summary).toContain('late failure: &lt;boom&gt;');
      expect(r.summary).not.toMatch(/stderr: not found/);
    } finally {
      await late.close();
    }
  });
});
