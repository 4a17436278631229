// The fault proxy injects failures the way the SDK would meet them from AWS: S3 XML errors for S3,
// restJson1 errors (x-amzn-errortype) for EMR Serverless, connection resets and delays.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  EMRServerlessClient,
  InternalServerException,
  ListApplicationsCommand,
  StartJobRunCommand,
} from '@aws-sdk/client-emr-serverless';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  startEmrServer,
  type ControlJob,
  type EmrServer,
  type RecordedRequest,
} from '../fixtures/emr-server.mjs';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../fixtures/fault-proxy.mjs';
import { startLocalStack, type LocalStack } from '../fixtures/local-stack.mjs';

const T = 30_000;
const region = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let ownStack: LocalStack | undefined;
let s3Endpoint: string;
let server: EmrServer;
let bucket: string;
const proxies: FaultProxy[] = [];

async function proxy(options: Omit<FaultProxyOptions, 'target'> & { target?: string }): Promise<FaultProxy> {
  const p = await startFaultProxy({ target: s3Endpoint, ...options });
  proxies.push(p);
  return p;
}
const s3Via = (endpoint: string, maxAttempts = 2) =>
  new S3Client({ region, credentials, endpoint, forcePathStyle: true, maxAttempts });
const emrVia = (endpoint: string, maxAttempts = 2) =>
  new EMRServerlessClient({ region, credentials, endpoint, maxAttempts });

interface SdkError {
  name: string;
  code?: string;
  message: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}
const failure = (p: Promise<unknown>): Promise<SdkError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: SdkError) => e,
  );

beforeAll(async () => {
  s3Endpoint = process.env.LOCAL_S3_ENDPOINT ?? '';
  if (!s3Endpoint) {
    ownStack = await startLocalStack();
    s3Endpoint = ownStack.s3Endpoint;
  }
  server = await startEmrServer({ s3Endpoint, stepMs: 20 });
  bucket = `fault-proxy-${randomBytes(4).toString('hex')}`;
  const direct = s3Via(s3Endpoint);
  await direct.send(new CreateBucketCommand({ Bucket: bucket }));
  await direct.send(new PutObjectCommand({ Bucket: bucket, Key: 'present.txt', Body: 'present' }));
  direct.destroy();
}, T);

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await server?.close();
  await ownStack?.stop();
}, T);

describe('fault proxy', () => {
  it('passes everything through at rate 0', async () => {
    const p = await proxy({ rate: 0 });
    const s3 = s3Via(p.url);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'via-proxy.txt', Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'via-proxy.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'present.txt' }));
    expect(p.counters.forwarded).toBe(3);
    expect(p.counters.injected).toEqual({});
    s3.destroy();
  });

  it(
    'injects S3 503 SlowDown: a retryable throttling error after all attempts',
    async () => {
      const p = await proxy({ rate: 1, kinds: ['503'] });
      const s3 = s3Via(p.url, 2);
      const head = await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'present.txt' })));
      expect(head.$metadata?.httpStatusCode).toBe(503);
      expect(head.$metadata?.attempts).toBe(2);
      const get = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'present.txt' })));
      expect(get.name).toBe('SlowDown');
      // The SDK's retry strategy classifies SlowDown as throttling and retried it (no $retryable is set).
      expect(get.$metadata?.attempts).toBe(2);
      expect(p.counters.injected['503']).toBe(4);
      expect(p.counters.forwarded).toBe(0);
      // phase 'before': the target never saw the request.
      const put = await failure(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'never.txt', Body: 'x' })),
      );
      expect(put.name).toBe('SlowDown');
      const direct = s3Via(s3Endpoint, 1);
      expect(
        (await failure(direct.send(new HeadObjectCommand({ Bucket: bucket, Key: 'never.txt' })))).$metadata
          ?.httpStatusCode,
      ).toBe(404);
      s3.destroy();
      direct.destroy();
    },
    T,
  );

  it(
    'injects restJson1 errors the SDK maps to its classes (500, 429)',
    async () => {
      const p500 = await proxy({ target: server.url, rate: 1, kinds: ['500'] });
      const e500 = await failure(emrVia(p500.url, 2).send(new ListApplicationsCommand({})));
      expect(e500).toBeInstanceOf(InternalServerException);
      expect(e500.$metadata?.attempts).toBe(2);

      const p429 = await proxy({ target: server.url, rate: 1, kinds: ['429'] });
      const e429 = await failure(emrVia(p429.url, 2).send(new ListApplicationsCommand({})));
      expect(e429.name).toBe('ThrottlingException');
      expect(e429.$metadata?.httpStatusCode).toBe(429);
      expect(e429.$metadata?.attempts).toBe(2);
      expect(p429.counters.injected).toEqual({ '429': 2 });
    },
    T,
  );

  it(
    'resets connections; the SDK retries them as transient errors',
    async () => {
      const p = await proxy({ target: server.url, rate: 1, kinds: ['reset'] });
      const err = await failure(emrVia(p.url, 2).send(new ListApplicationsCommand({})));
      // Under jest's VM contexts Node's socket error is not `instanceof Error` of the test realm, so the SDK
      // hands back its "AWS SDK error wrapper for TimeoutError: read ECONNRESET"; outside jest it is the
      // raw error (name TimeoutError, code ECONNRESET). Match on the text either way.
      expect(`${err.code ?? ''} ${err.name} ${err.message}`).toMatch(/ECONNRESET|socket hang up/i);
      expect(err.$metadata?.attempts).toBe(2);
      expect(p.counters.injected.reset).toBe(2);
    },
    T,
  );

  it(
    "phase 'after': the target handles the request, the reply is lost, the retry is idempotent",
    async () => {
      await server.reset();
      const app = server.seedApplication({
        applicationId: 'faultapp',
        releaseLabel: 'emr-7.12.0',
        state: 'STARTED',
      });
      const direct = s3Via(s3Endpoint);
      await direct.send(new PutObjectCommand({ Bucket: bucket, Key: 'noop.py', Body: 'print("ok")\n' }));
      direct.destroy();
      const p = await proxy({
        target: server.url,
        phase: 'after',
        script: ['reset'],
        match: (r) => r.method === 'POST',
      });
      const out = await emrVia(p.url, 3).send(
        new StartJobRunCommand({
          applicationId: app.applicationId,
          executionRoleArn: 'arn:aws:iam::123456789012:role/r',
          jobDriver: { sparkSubmit: { entryPoint: `s3://${bucket}/noop.py` } },
        }),
      );
      expect(p.counters.injected).toEqual({ reset: 1 });
      const { requests } = (await (
        await fetch(`${server.url}/__control/requests?operation=StartJobRun`)
      ).json()) as {
        requests: RecordedRequest[];
      };
      expect(requests).toHaveLength(2);
      // The SDK fills in the idempotency token (a UUID) once per command, so both tries carry it.
      expect(requests[0].body?.clientToken).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      expect(requests[0].body?.clientToken).toBe(requests[1].body?.clientToken);
      const { jobs } = (await (await fetch(`${p.url}/__control/jobs`)).json()) as { jobs: ControlJob[] };
      expect(jobs.map((j) => j.jobRunId)).toEqual([out.jobRunId]);
    },
    T,
  );

  it(
    'delays requests by delayMs',
    async () => {
      const p = await proxy({ script: ['delay'], delayMs: 300 });
      const s3 = s3Via(p.url);
      const t0 = Date.now();
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'present.txt' }));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      expect(p.counters).toMatchObject({ forwarded: 1, injected: { delay: 1 } });
      s3.destroy();
    },
    T,
  );

  it(
    'is deterministic for a seed, and never touches /__control/',
    async () => {
      const run = async (seed: number) => {
        const p = await proxy({ target: server.url, rate: 0.5, kinds: ['500', '503', '429'], seed });
        for (let i = 0; i < 20; i++) await fetch(`${p.url}/applications`);
        const control = await fetch(`${p.url}/__control/health`);
        expect(control.status).toBe(200);
        return p.events.map((e) => e.action);
      };
      const a = await run(42);
      const b = await run(42);
      const c = await run(7);
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
      expect(a.at(-1)).toBe('forward');
      expect(a.filter((x) => x !== 'forward').length).toBeGreaterThan(3);
    },
    T,
  );
});
