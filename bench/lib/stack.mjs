// The benchmark's view of the local stack: an S3 client for set-up, the EMR fixture's control API,
// and a wrapper around the test harness's runAction that records when the action process started
// and exited (epoch ms, same clock as the fixture's request log).
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { awsEnv, runAction } from '../../test/fixtures/action-runner.mjs';

export const ROLE = 'arn:aws:iam::123456789012:role/hail-job';

const nowMs = () => performance.timeOrigin + performance.now();

export function makeS3(endpoint) {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing-secret' },
  });
}

let bucketSeq = 0;
export async function freshBucket(s3) {
  const name = `bench-${process.pid}-${Date.now().toString(36)}-${bucketSeq++}`;
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

export async function putObject(s3, bucket, key, body) {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return `s3://${bucket}/${key}`;
}

export async function deleteObject(s3, bucket, key) {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
}

/** Calls the EMR fixture's control API (GET without body, POST with one). */
export async function control(emrEndpoint, path, body) {
  const res = await fetch(`${emrEndpoint}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

let appSeq = 0;
export async function seedApplication(emrEndpoint) {
  const id = `00bench${process.pid.toString(36)}${(appSeq++).toString(36)}`;
  const out = await control(emrEndpoint, 'applications', {
    applicationId: id,
    releaseLabel: 'emr-7.5.0',
    state: 'STARTED',
    autoStopConfiguration: { enabled: false },
  });
  return out.application.applicationId;
}

/** The kernel's high-water mark of a live process's resident set (VmHWM), in KiB, or NaN. */
export function peakRssKiB(pid) {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Runs dist/index.js like the runner does. Adds `spawnedAt` (just after the process was created)
 * and `exitedAt` (its 'exit' event), both epoch ms; with `sampleRss`, also `peakRssKiB`: the
 * process's VmHWM read every 50 ms (a high-water mark, so a late read still sees an earlier peak).
 * @param {{ workspace: string, inputs: Record<string,string>, s3: string, emr: string, timeoutMs?: number, sampleRss?: boolean }} o
 */
export async function timedRun(o) {
  let spawnedAt = NaN;
  let exitedAt = NaN;
  let rss = NaN;
  let sampler;
  const r = await runAction({
    workspace: o.workspace,
    inputs: o.inputs,
    env: awsEnv({ s3: o.s3, emr: o.emr }),
    timeoutMs: o.timeoutMs ?? 120_000,
    onSpawn: (child) => {
      spawnedAt = nowMs();
      if (o.sampleRss) {
        sampler = setInterval(() => {
          const v = peakRssKiB(child.pid);
          if (Number.isFinite(v)) rss = Number.isFinite(rss) ? Math.max(rss, v) : v;
        }, 50);
      }
      child.once('exit', () => {
        exitedAt = nowMs();
        clearInterval(sampler);
      });
    },
  });
  return { ...r, spawnedAt, exitedAt, ...(o.sampleRss ? { peakRssKiB: rss } : {}) };
}

export function baseInputs({ bucket, applicationId, script }) {
  return {
    script,
    's3-prefix': `s3://${bucket}/ci`,
    'execution-role-arn': ROLE,
    'application-id': applicationId,
    'hail-version': '0.2.134',
  };
}

/** The fixture's record of a job run (state history with times) and of the StartJobRun that made it. */
export async function jobRecords(emrEndpoint, jobRunId) {
  const { jobs } = await control(emrEndpoint, 'jobs');
  const job = jobs.find((j) => j.jobRunId === jobRunId);
  if (!job) throw new Error(`the fixture has no job run ${jobRunId}`);
  const { requests } = await control(emrEndpoint, 'requests');
  const start = requests.find(
    (q) => q.operation === 'StartJobRun' && q.body?.clientToken === job.clientToken,
  );
  const gets = requests.filter((q) => q.operation === 'GetJobRun' && q.path.endsWith(`/jobruns/${jobRunId}`));
  return { job, start, startAt: start ? Date.parse(start.time) : NaN, gets };
}
