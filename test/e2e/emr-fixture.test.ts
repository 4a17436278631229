// Proves the local EMR Serverless fixture speaks the real protocol: everything here goes through the
// unmodified AWS SDK clients. The suite runs its own fixture server (so it can change timing knobs
// without disturbing other suites) against the shared moto S3 started by global-setup.js.
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CancelJobRunCommand,
  CreateApplicationCommand,
  EMRServerlessClient,
  GetApplicationCommand,
  GetDashboardForJobRunCommand,
  GetJobRunCommand,
  ListApplicationsCommand,
  ListJobRunAttemptsCommand,
  ListJobRunsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  StartApplicationCommand,
  StartJobRunCommand,
  StopApplicationCommand,
  TagResourceCommand,
  ValidationException,
  type JobRun,
  type StartJobRunCommandInput,
} from '@aws-sdk/client-emr-serverless';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type ControlJob, type EmrServer, type RecordedRequest } from '../fixtures/emr-server.mjs';
import { startOwnEmr, type OwnEmr } from './stack.js';
import { pidAlive, waitUntil } from '../fixtures/proc-util.mjs';

const T = 30_000;
const ROLE = 'arn:aws:iam::123456789012:role/emr-serverless-job-role';
const TERMINAL = ['SUCCESS', 'FAILED', 'CANCELLED'];

let own: OwnEmr;
let server: EmrServer;
let emr: EMRServerlessClient;
let s3: S3Client;
let bucket: string;
let appId: string;

async function control<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function putText(key: string, body: string): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return `s3://${bucket}/${key}`;
}

async function getBytes(key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

function jobInput(entryPoint: string, extra: Partial<StartJobRunCommandInput> = {}): StartJobRunCommandInput {
  return {
    applicationId: appId,
    executionRoleArn: ROLE,
    jobDriver: { sparkSubmit: { entryPoint } },
    configurationOverrides: {
      monitoringConfiguration: { s3MonitoringConfiguration: { logUri: `s3://${bucket}/logs/` } },
    },
    ...extra,
  };
}

async function getJob(jobRunId: string, application = appId, attempt?: number): Promise<JobRun> {
  return (await emr.send(new GetJobRunCommand({ applicationId: application, jobRunId, attempt }))).jobRun!;
}

async function waitJob(jobRunId: string, states: string[] = TERMINAL, application = appId): Promise<JobRun> {
  return waitUntil(
    async () => {
      const jr = await getJob(jobRunId, application);
      return states.includes(jr.state!) ? jr : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 20, what: `job ${jobRunId} in ${states.join('|')}` },
  );
}

async function controlJob(jobRunId: string): Promise<ControlJob> {
  const { jobs } = await control<{ jobs: ControlJob[] }>('jobs');
  return jobs.find((j) => j.jobRunId === jobRunId)!;
}

const logKey = (jobRunId: string, stream: 'stdout' | 'stderr', attempt = 1) =>
  `logs/applications/${appId}/jobs/${jobRunId}/${attempt > 1 ? `attempts/${attempt}/` : ''}SPARK_DRIVER/${stream}.gz`;

beforeAll(async () => {
  own = await startOwnEmr({
    bucketPrefix: 'emr-fixture',
    server: { stepMs: 30, logFlushMs: 100, killGraceMs: 500 },
  });
  ({ server, emr, s3, bucket } = own);
  const app = await emr.send(
    new CreateApplicationCommand({ name: 'fixture-tests', releaseLabel: 'emr-7.12.0', type: 'SPARK' }),
  );
  appId = app.applicationId!;
}, T);

afterAll(() => own?.close(), T);

describe('applications', () => {
  it('creates, gets and lists applications in the real wire format', async () => {
    const created = await emr.send(
      new CreateApplicationCommand({
        name: 'arm',
        releaseLabel: 'emr-7.5.0',
        type: 'SPARK',
        architecture: 'ARM64',
        autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 5 },
      }),
    );
    expect(created.applicationId).toMatch(/^[0-9a-z]{16}$/);
    expect(created.arn).toBe(
      `arn:aws:emr-serverless:us-east-1:123456789012:/applications/${created.applicationId}`,
    );

    const { application } = await emr.send(
      new GetApplicationCommand({ applicationId: created.applicationId }),
    );
    expect(application).toMatchObject({
      applicationId: created.applicationId,
      name: 'arm',
      state: 'CREATED',
      releaseLabel: 'emr-7.5.0',
      architecture: 'ARM64',
      autoStartConfiguration: { enabled: true },
      autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 5 },
    });
    expect(application!.createdAt).toBeInstanceOf(Date);

    // Timestamps on the wire are epoch seconds (numbers), as restJson1 requires.
    const raw = (await (await fetch(`${server.url}/applications/${created.applicationId}`)).json()) as {
      application: { createdAt: unknown };
    };
    expect(typeof raw.application.createdAt).toBe('number');

    const defaultArch = await emr.send(new GetApplicationCommand({ applicationId: appId }));
    expect(defaultArch.application!.architecture).toBe('X86_64');

    const created2 = await emr.send(new ListApplicationsCommand({ states: ['CREATED'] }));
    expect(created2.applications!.map((a) => a.id)).toContain(created.applicationId);
    const started = await emr.send(new ListApplicationsCommand({ states: ['STARTED', 'STOPPED'] }));
    expect(started.applications!.map((a) => a.id)).not.toContain(created.applicationId);

    // Pagination with maxResults/nextToken.
    await emr.send(new CreateApplicationCommand({ releaseLabel: 'emr-7.5.0', type: 'SPARK' }));
    const ids: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await emr.send(new ListApplicationsCommand({ maxResults: 1, nextToken }));
      ids.push(...page.applications!.map((a) => a.id!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([appId, created.applicationId]));
  });

  it('starts and stops an application through STARTING/STOPPING', async () => {
    const { applicationId } = await emr.send(
      new CreateApplicationCommand({ releaseLabel: 'emr-7.12.0', type: 'SPARK' }),
    );
    await emr.send(new StartApplicationCommand({ applicationId }));
    const states = new Set<string>();
    await waitUntil(async () => {
      const s = (await emr.send(new GetApplicationCommand({ applicationId }))).application!.state!;
      states.add(s);
      return s === 'STARTED';
    });
    await emr.send(new StopApplicationCommand({ applicationId }));
    await waitUntil(
      async () =>
        (await emr.send(new GetApplicationCommand({ applicationId }))).application!.state === 'STOPPED',
    );
    expect(states.has('STARTED')).toBe(true);
  });

  it('answers unknown ids and routes with the service error shapes', async () => {
    await expect(
      emr.send(new GetApplicationCommand({ applicationId: '00fnosuchapp0000' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const res = await fetch(`${server.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await res.json()).toHaveProperty('message');
    // A bad body never crashes the server.
    const bad = await fetch(`${server.url}/applications`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('SerializationException');
  });

  it('tags resources', async () => {
    const { application } = await emr.send(new GetApplicationCommand({ applicationId: appId }));
    await emr.send(new TagResourceCommand({ resourceArn: application!.arn, tags: { team: 'genomics' } }));
    const { tags } = await emr.send(new ListTagsForResourceCommand({ resourceArn: application!.arn }));
    expect(tags).toEqual({ team: 'genomics' });
  });
});

describe('job runs', () => {
  it(
    'runs a failing script: FAILED with the last exception, gzipped driver logs in the documented layout',
    async () => {
      const entry = await putText(
        'scripts/fail.py',
        [
          'import sys',
          'print("hello from the driver")',
          'def inner():',
          '    raise ValueError("the answer is not 42")',
          'inner()',
        ].join('\n'),
      );
      const { jobRunId, arn } = await emr.send(new StartJobRunCommand(jobInput(entry, { name: 'fails' })));
      expect(arn).toBe(
        `arn:aws:emr-serverless:us-east-1:123456789012:/applications/${appId}/jobruns/${jobRunId}`,
      );
      const jr = await waitJob(jobRunId!);
      expect(jr.state).toBe('FAILED');
      expect(jr.stateDetails).toBe(
        'Job failed, please check complete logs in configured logging destination. ExitCode: 1. ' +
          'Last few exceptions: ValueError: the answer is not 42',
      );
      expect(jr).toMatchObject({
        applicationId: appId,
        jobRunId,
        name: 'fails',
        executionRole: ROLE,
        releaseLabel: 'emr-7.12.0',
        mode: 'BATCH',
        attempt: 1,
      });
      expect(jr.endedAt).toBeInstanceOf(Date);
      expect(jr.billedResourceUtilization!.vCPUHour).toBeGreaterThan(0);

      const stdout = gunzipSync(await getBytes(logKey(jobRunId!, 'stdout'))).toString();
      const stderr = gunzipSync(await getBytes(logKey(jobRunId!, 'stderr'))).toString();
      expect(stdout).toContain('hello from the driver');
      expect(stderr).toContain('Traceback (most recent call last)');
      expect(stderr).toContain('ValueError: the answer is not 42');

      const cj = await controlJob(jobRunId!);
      expect(cj.history.map((h) => h.state)).toEqual([
        'SUBMITTED',
        'PENDING',
        'SCHEDULED',
        'RUNNING',
        'FAILED',
      ]);
      // The application was auto-started by the submission.
      expect((await emr.send(new GetApplicationCommand({ applicationId: appId }))).application!.state).toBe(
        'STARTED',
      );

      // Cancelling a finished run is a ValidationException, as on the real service.
      await expect(
        emr.send(new CancelJobRunCommand({ applicationId: appId, jobRunId })),
      ).rejects.toBeInstanceOf(ValidationException);
    },
    T,
  );

  it(
    'runs a successful script that writes to S3 with boto3, sees driverEnv and imports --py-files',
    async () => {
      await putText('deps/helper.py', 'def greeting():\n    return "hi from py-files"\n');
      const entry = await putText(
        'scripts/ok.py',
        [
          'import json, os, sys',
          'import boto3',
          'import helper',
          'bucket, key = sys.argv[1], sys.argv[2]',
          'body = json.dumps({"pyspark": os.environ.get("PYSPARK_PYTHON"), "greeting": helper.greeting(),',
          '                   "conf": json.loads(os.environ["EMR_FIXTURE_SPARK_CONF"])})',
          'boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode())',
          'print("wrote", key)',
        ].join('\n'),
      );
      const { jobRunId } = await emr.send(
        new StartJobRunCommand(
          jobInput(entry, {
            jobDriver: {
              sparkSubmit: {
                entryPoint: entry,
                entryPointArguments: [bucket, 'outputs/result.json'],
                sparkSubmitParameters: `--py-files s3://${bucket}/deps/helper.py --conf spark.emr-serverless.driverEnv.PYSPARK_PYTHON=./environment/bin/python`,
              },
            },
            configurationOverrides: {
              applicationConfiguration: [
                {
                  classification: 'spark-defaults',
                  properties: { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer' },
                },
              ],
              monitoringConfiguration: { s3MonitoringConfiguration: { logUri: `s3://${bucket}/logs` } },
            },
          }),
        ),
      );
      const jr = await waitJob(jobRunId!);
      expect(jr.stateDetails).toBe('');
      expect(jr.state).toBe('SUCCESS');
      const result = JSON.parse((await getBytes('outputs/result.json')).toString());
      expect(result).toMatchObject({
        pyspark: './environment/bin/python',
        greeting: 'hi from py-files',
        conf: { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer' },
      });
      expect(gunzipSync(await getBytes(logKey(jobRunId!, 'stdout'))).toString()).toContain(
        'wrote outputs/result.json',
      );
      expect(typeof jr.totalExecutionDurationSeconds).toBe('number');
      expect(jr.startedAt!.getTime()).toBeLessThanOrEqual(jr.endedAt!.getTime());
      // Billed has a one-minute minimum per worker, so it is never below the total.
      expect(jr.billedResourceUtilization!.vCPUHour!).toBeGreaterThanOrEqual(
        jr.totalResourceUtilization!.vCPUHour!,
      );
      expect(jr.billedResourceUtilization!.memoryGBHour!).toBeGreaterThan(0);

      const listed = await emr.send(new ListJobRunsCommand({ applicationId: appId, states: ['SUCCESS'] }));
      expect(listed.jobRuns!.map((j) => j.id)).toContain(jobRunId);
    },
    T,
  );

  it(
    'rewrites the driver log while the job runs, so it can be tailed',
    async () => {
      const entry = await putText(
        'scripts/slow-log.py',
        'import time\nprint("first line", flush=True)\ntime.sleep(1.5)\nprint("second line")\n',
      );
      const { jobRunId } = await emr.send(new StartJobRunCommand(jobInput(entry)));
      const early = await waitUntil(
        async () => {
          if (!(await exists(logKey(jobRunId!, 'stdout')))) return undefined;
          const text = gunzipSync(await getBytes(logKey(jobRunId!, 'stdout'))).toString();
          return text.includes('first line') ? text : undefined;
        },
        { timeoutMs: 10_000, what: 'the first log line' },
      );
      expect(early).not.toContain('second line');
      expect((await getJob(jobRunId!)).state).toBe('RUNNING');
      await waitJob(jobRunId!);
      expect(gunzipSync(await getBytes(logKey(jobRunId!, 'stdout'))).toString()).toContain('second line');
    },
    T,
  );

  it(
    'honours clientToken idempotency',
    async () => {
      const entry = await putText('scripts/noop.py', 'print("noop")\n');
      const clientToken = `token-${randomBytes(6).toString('hex')}`;
      const a = await emr.send(new StartJobRunCommand(jobInput(entry, { clientToken })));
      const b = await emr.send(new StartJobRunCommand(jobInput(entry, { clientToken })));
      expect(b.jobRunId).toBe(a.jobRunId);
      const { requests } = await control<{ requests: RecordedRequest[] }>('requests?operation=StartJobRun');
      expect(requests.filter((r) => r.body?.clientToken === clientToken)).toHaveLength(2);
      const { jobs } = await control<{ jobs: ControlJob[] }>('jobs');
      expect(jobs.filter((j) => j.clientToken === clientToken)).toHaveLength(1);
      // The SDK fills in a fresh clientToken itself when none is given.
      const c = await emr.send(new StartJobRunCommand(jobInput(entry)));
      expect(c.jobRunId).not.toBe(a.jobRunId);
      await waitJob(a.jobRunId!);
      await waitJob(c.jobRunId!);
    },
    T,
  );

  it(
    'cancels a running job: CANCELLING -> CANCELLED and the python process is gone',
    async () => {
      const entry = await putText(
        'scripts/sleep.py',
        'import time\nprint("sleeping", flush=True)\ntime.sleep(60)\n',
      );
      const { jobRunId } = await emr.send(new StartJobRunCommand(jobInput(entry)));
      await waitJob(jobRunId!, ['RUNNING']);
      const running = await waitUntil(async () => {
        const j = await controlJob(jobRunId!);
        return j.pid && j.pidAlive ? j : undefined;
      });
      const out = await emr.send(new CancelJobRunCommand({ applicationId: appId, jobRunId }));
      expect(out).toMatchObject({ applicationId: appId, jobRunId });
      expect(['CANCELLING', 'CANCELLED']).toContain((await getJob(jobRunId!)).state);
      const jr = await waitJob(jobRunId!);
      expect(jr.state).toBe('CANCELLED');
      expect(pidAlive(running.pid)).toBe(false);
      const after = await controlJob(jobRunId!);
      expect(after.pidAlive).toBe(false);
      expect(after.history.map((h) => h.state)).toEqual(
        expect.arrayContaining(['RUNNING', 'CANCELLING', 'CANCELLED']),
      );
    },
    T,
  );

  it(
    'holds new jobs in QUEUED until released',
    async () => {
      const entry = await putText('scripts/queued.py', 'print("released")\n');
      await control('config', { holdQueued: true });
      try {
        const { jobRunId } = await emr.send(new StartJobRunCommand(jobInput(entry)));
        await waitJob(jobRunId!, ['QUEUED']);
        await new Promise((r) => setTimeout(r, 200));
        expect((await getJob(jobRunId!)).state).toBe('QUEUED');
        const { released } = await control<{ released: number }>('release-queued', {});
        expect(released).toBeGreaterThanOrEqual(1);
        const jr = await waitJob(jobRunId!);
        expect(jr.state).toBe('SUCCESS');
        expect(jr.queuedDurationMilliseconds).toBeGreaterThanOrEqual(200);
      } finally {
        await control('config', { holdQueued: false });
      }
    },
    T,
  );

  it(
    'fails a job whose --jars object is missing, naming it; #alias fragments are stripped',
    async () => {
      const entry = await putText('scripts/never.py', 'print("must not run")\n');
      await putText('archives/env.tar.gz', 'not really a tarball');
      const missing = `s3://${bucket}/jars/hail-all-spark.jar`;
      const { jobRunId } = await emr.send(
        new StartJobRunCommand(
          jobInput(entry, {
            jobDriver: {
              sparkSubmit: {
                entryPoint: entry,
                sparkSubmitParameters: `--archives=s3://${bucket}/archives/env.tar.gz#environment --jars ${missing}`,
              },
            },
          }),
        ),
      );
      const jr = await waitJob(jobRunId!);
      expect(jr.state).toBe('FAILED');
      expect(jr.stateDetails).toContain(missing);
      expect(jr.stateDetails).toMatch(/^Job failed, please check complete logs/);
      expect(jr.stateDetails!.length).toBeLessThanOrEqual(256);
      const stdout = gunzipSync(await getBytes(logKey(jobRunId!, 'stdout'))).toString();
      expect(stdout).not.toContain('must not run');

      // Same check for spark-defaults' spark.archives.
      const missingArchive = `s3://${bucket}/archives/missing.tar.gz`;
      const second = await emr.send(
        new StartJobRunCommand(
          jobInput(entry, {
            configurationOverrides: {
              applicationConfiguration: [
                {
                  classification: 'spark-defaults',
                  properties: { 'spark.archives': `${missingArchive}#environment` },
                },
              ],
            },
          }),
        ),
      );
      const jr2 = await waitJob(second.jobRunId!);
      expect(jr2.state).toBe('FAILED');
      expect(jr2.stateDetails).toContain(missingArchive);
      expect(jr2.stateDetails).not.toContain('#environment');
    },
    T,
  );

  it(
    'retries a failed attempt under retryPolicy and lists the attempts',
    async () => {
      const entry = await putText(
        'scripts/flaky.py',
        'import os, sys\nattempt = int(os.environ["EMR_FIXTURE_ATTEMPT"])\nprint("attempt", attempt)\nif attempt < 2:\n    raise RuntimeError("transient")\n',
      );
      const { jobRunId } = await emr.send(
        new StartJobRunCommand(jobInput(entry, { retryPolicy: { maxAttempts: 3 } })),
      );
      const jr = await waitJob(jobRunId!);
      expect(jr.state).toBe('SUCCESS');
      expect(jr.attempt).toBe(2);
      const first = await getJob(jobRunId!, appId, 1);
      expect(first.state).toBe('FAILED');
      expect(first.stateDetails).toContain('RuntimeError: transient');
      const { jobRunAttempts } = await emr.send(
        new ListJobRunAttemptsCommand({ applicationId: appId, jobRunId }),
      );
      expect(jobRunAttempts!.map((a) => [a.attempt, a.state])).toEqual([
        [1, 'FAILED'],
        [2, 'SUCCESS'],
      ]);
      expect(gunzipSync(await getBytes(logKey(jobRunId!, 'stdout', 2))).toString()).toContain('attempt 2');
      expect(gunzipSync(await getBytes(logKey(jobRunId!, 'stdout', 1))).toString()).toContain('attempt 1');
    },
    T,
  );

  it(
    'enforces executionTimeoutMinutes (scaled for tests)',
    async () => {
      const entry = await putText('scripts/forever.py', 'import time\ntime.sleep(60)\n');
      await control('config', { timeoutScale: 300 });
      try {
        const { jobRunId } = await emr.send(
          new StartJobRunCommand(jobInput(entry, { executionTimeoutMinutes: 1 })),
        );
        const jr = await waitJob(jobRunId!);
        expect(jr.state).toBe('FAILED');
        expect(jr.stateDetails).toMatch(/timed out/i);
        expect((await controlJob(jobRunId!)).pidAlive).toBe(false);
      } finally {
        await control('config', { timeoutScale: 60000 });
      }
    },
    T,
  );

  it(
    'returns a Spark UI dashboard URL with a bearer-like token',
    async () => {
      const entry = await putText('scripts/dash.py', 'print(1)\n');
      const { jobRunId } = await emr.send(new StartJobRunCommand(jobInput(entry)));
      const { url } = await emr.send(new GetDashboardForJobRunCommand({ applicationId: appId, jobRunId }));
      expect(url).toMatch(
        new RegExp(
          `^https://p-${jobRunId}-${appId}\\.emrappui-prod\\.us-east-1\\.amazonaws\\.com/shs/history/.*\\?authToken=[\\w-]{32,}$`,
        ),
      );
      await waitJob(jobRunId!);
    },
    T,
  );

  it(
    'rejects invalid submissions with the SDK ValidationException class',
    async () => {
      const entry = `s3://${bucket}/scripts/never.py`;
      const cases: StartJobRunCommandInput[] = [
        jobInput(entry, { executionRoleArn: 'arn:aws:iam::123:role/short-account' }),
        jobInput(entry, { executionRoleArn: 'arn:aws:iam::123456789012:user/not-a-role' }),
        jobInput(entry, { executionTimeoutMinutes: 0 }),
        jobInput(entry, { executionTimeoutMinutes: 10081 }),
        { ...jobInput(entry), jobDriver: { sparkSubmit: {} as never } },
      ];
      for (const input of cases) {
        const err = await emr.send(new StartJobRunCommand(input)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ValidationException);
        expect((err as ValidationException).$metadata.httpStatusCode).toBe(400);
      }
      // emr-7.11+ forbids a 0 timeout for BATCH; older releases accept it (no timeout).
      const old = await emr.send(new CreateApplicationCommand({ releaseLabel: 'emr-7.5.0', type: 'SPARK' }));
      const okOld = await emr.send(
        new StartJobRunCommand({
          ...jobInput(await putText('scripts/zero.py', 'print(0)\n'), { executionTimeoutMinutes: 0 }),
          applicationId: old.applicationId,
        }),
      );
      await waitJob(okOld.jobRunId!, TERMINAL, old.applicationId);
      await expect(
        emr.send(new GetJobRunCommand({ applicationId: appId, jobRunId: '00fnosuchjob0000' })),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
    },
    T,
  );
});
