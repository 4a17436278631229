// Helpers for e2e tests: real SDK clients on the local stack, a recorder of what S3 received,
// and the EMR fixture's control API.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { EMRServerlessClient, type EMRServerlessClientConfig } from '@aws-sdk/client-emr-serverless';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startEmrServer, type EmrServer, type EmrServerOptions } from '../fixtures/emr-server.mjs';
import { startLocalStack } from '../fixtures/local-stack.mjs';
import { expect } from '@jest/globals';
import { awsEnv, makeWorkspace, runAction } from './harness.js';

export const S3_ENDPOINT = () => process.env.LOCAL_S3_ENDPOINT!;
export const EMR_ENDPOINT = () => process.env.LOCAL_EMR_ENDPOINT!;

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing-secret' };

export function s3Client(endpoint = S3_ENDPOINT()): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
}

let bucketSeq = 0;
/** A fresh bucket per test, so tests running side by side never see each other's objects. */
export async function freshBucket(s3 = s3Client()): Promise<string> {
  const name = `t${process.pid}-${Date.now().toString(36)}-${bucketSeq++}`;
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

export async function putText(bucket: string, key: string, body: string): Promise<void> {
  await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export interface RecordedRequest {
  method: string;
  path: string;
  bytes: number;
}

/** A transparent HTTP proxy in front of the S3 server that records every request it forwards. */
export async function startRecorder(target = S3_ENDPOINT()): Promise<{
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}> {
  const t = new URL(target);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', bytes: 0 };
    requests.push(rec);
    const upstream = httpRequest(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.on('data', (d: Buffer) => (rec.bytes += d.length));
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

type Recorder = Awaited<ReturnType<typeof startRecorder>>;

/**
 * Runs the action with an input it must refuse: exit 1, the `::error::` line names the input and says
 * `problem`, and neither recorder saw a request.
 */
export async function expectRefusedBeforeAnyRequest(
  run: { workspace: string; inputs: Record<string, string>; s3: Recorder; emr: Recorder },
  input: string,
  problem: RegExp,
): Promise<void> {
  const { s3, emr } = run;
  const before = s3.requests.length + emr.requests.length;
  const r = await runAction({
    workspace: run.workspace,
    inputs: run.inputs,
    env: awsEnv({ s3: s3.url, emr: emr.url }),
  });
  expect(r.code).toBe(1);
  const errorLine = r.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
  expect(errorLine).toContain(`input \`${input}\``);
  expect(errorLine).toMatch(problem);
  expect(s3.requests.length + emr.requests.length).toBe(before);
}

/** Calls the EMR fixture's control API (not part of AWS). */
export async function control<T = unknown>(
  path: string,
  body?: unknown,
  endpoint = EMR_ENDPOINT(),
): Promise<T> {
  const res = await fetch(`${endpoint}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

let appSeq = 0;
/** Seeds an application in the EMR fixture and returns its id. */
export async function seedApplication(fields: Record<string, unknown> = {}): Promise<string> {
  const id = `00t${process.pid.toString(36)}${Date.now().toString(36)}${(appSeq++).toString(36)}`.slice(
    0,
    64,
  );
  const out = await control<{ application: { applicationId: string } }>('applications', {
    applicationId: id,
    releaseLabel: 'emr-7.5.0',
    state: 'CREATED',
    ...fields,
  });
  return out.application.applicationId;
}

export interface FixtureRequest {
  method: string;
  path: string;
  operation?: string;
  body?: Record<string, unknown>;
}

/** Requests the EMR fixture received that concern one application. */
export async function requestsFor(applicationId: string): Promise<FixtureRequest[]> {
  const { requests } = await control<{ requests: FixtureRequest[] }>('requests');
  return requests.filter((r) => r.path.includes(applicationId));
}

/**
 * An HTTP proxy that may rewrite a response body (JSON APIs): `rewrite` gets the request and the
 * upstream body and returns a replacement, or undefined to pass it through unchanged.
 */
export async function startRewriter(
  target: string,
  rewrite: (req: { method: string; path: string }, body: Buffer) => Buffer | undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (d: Buffer) => chunks.push(d));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          const out = rewrite({ method: req.method ?? '', path: req.url ?? '' }, body) ?? body;
          const headers = { ...up.headers, 'content-length': String(out.length) };
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(out);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A job run as the EMR fixture's control API lists it. */
export interface ControlJob {
  applicationId: string;
  jobRunId: string;
  clientToken?: string;
  state: string;
  pidAlive?: boolean;
  history: { state: string }[];
  logKeys?: { bucket: string; stdout: string; stderr: string } | null;
}

/** The job runs of one application, as the EMR fixture (or another one at `endpoint`) has them. */
export async function jobsOf(app: string, endpoint?: string): Promise<ControlJob[]> {
  const { jobs } = await control<{ jobs: ControlJob[] }>('jobs', undefined, endpoint);
  return jobs.filter((j) => j.applicationId === app);
}

export const TEST_ROLE = 'arn:aws:iam::123456789012:role/hail-job';

/** A fresh bucket with stand-in Hail artifacts, an application, and a workspace running `script`. */
export async function jobSetup(script: string) {
  const bucket = await freshBucket();
  const app = await seedApplication();
  const s3 = s3Client();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/hail-all-spark.jar', Body: 'jar' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/pyspark_hail.tar.gz', Body: 'tgz' }));
  const workspace = makeWorkspace({ 'job.py': script });
  const inputs: Record<string, string> = {
    script: 'job.py',
    's3-prefix': `s3://${bucket}/ci`,
    'execution-role-arn': TEST_ROLE,
    'application-id': app,
    'hail-jar': `s3://${bucket}/a/hail-all-spark.jar`,
    'hail-env-archive': `s3://${bucket}/a/pyspark_hail.tar.gz`,
  };
  return { bucket, app, workspace, inputs };
}

export interface OwnEmr {
  server: EmrServer;
  emr: EMRServerlessClient;
  s3: S3Client;
  /** A fresh bucket on that S3. */
  bucket: string;
  close(): Promise<void>;
}

/**
 * An EMR fixture of the suite's own (its options and hooks) on the shared stack's S3, or on moto
 * itself (`s3: 'moto'`) for keys only the suite's hooks know; SDK clients for both and a fresh
 * bucket. Starts a stack of its own when the suite runs without the shared one.
 */
export async function startOwnEmr(o: {
  bucketPrefix: string;
  server: Omit<EmrServerOptions, 's3Endpoint'>;
  s3?: 'shared' | 'moto';
  emrClient?: Partial<EMRServerlessClientConfig>;
}): Promise<OwnEmr> {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const shared = o.s3 === 'moto' ? process.env.LOCAL_MOTO_ENDPOINT : process.env.LOCAL_S3_ENDPOINT;
  const ownStack = shared ? undefined : await startLocalStack();
  const s3Endpoint = shared ?? (o.s3 === 'moto' ? ownStack!.motoEndpoint : ownStack!.s3Endpoint);
  const server = await startEmrServer({ ...o.server, s3Endpoint });
  const emr = new EMRServerlessClient({
    region: 'us-east-1',
    credentials,
    endpoint: server.url,
    ...o.emrClient,
  });
  const s3 = new S3Client({ region: 'us-east-1', credentials, endpoint: s3Endpoint, forcePathStyle: true });
  const bucket = `${o.bucketPrefix}-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    server,
    emr,
    s3,
    bucket,
    close: async () => {
      emr.destroy();
      s3.destroy();
      await server.close();
      await ownStack?.stop();
    },
  };
}
