// Figure 6: the whole step, as a workflow waits for it. `dist/index.js` runs as the runner runs it
// (process start to exit, `wait: false`) with a fresh `hail-jar` (new bytes each run, so it is hashed
// and uploaded), alternating with `aws s3 cp` of the same file, on two S3 targets:
//   - moto: one Python process, fastest with one stream, the bottleneck for any client;
//   - capped: test/fixtures/capped-s3.mjs, which caps each connection's throughput and adds a per-request
//     latency, as real S3 does (aggregate throughput comes from parallel connections).
// Also: the whole step's peak RSS, a cached run (every object already in S3, the local jar still
// hashed) from process start to StartJobRun, and the same whole step with a 1 GiB jar.
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { makeWorkspace } from '../../test/fixtures/action-runner.mjs';
import { startCappedS3 } from '../../test/fixtures/capped-s3.mjs';
import { startRecorder } from '../lib/recorder.mjs';
import { timeCommand } from '../lib/proc.mjs';
import { median } from '../lib/stats.mjs';
import {
  baseInputs,
  deleteObject,
  freshBucket,
  jobRecords,
  makeS3,
  seedApplication,
  timedRun,
} from '../lib/stack.mjs';
import { AWS_CLI } from './upload.mjs';

const maxFinite = (xs) => Math.max(...xs.filter((x) => Number.isFinite(x)));

export const CAP = { bytesPerSecond: 40 * 2 ** 20, latencyMs: 20 };

/** New content for the jar without rewriting it: its first 32 bytes (the hash, and so the key, change). */
function freshen(file) {
  const fd = openSync(file, 'r+');
  writeSync(fd, randomBytes(32), 0, 32, 0);
  closeSync(fd);
}

/**
 * @param {{ stack: any, jarFile: string, envFile: string, bytes: number, runs: number, cachedRuns: number,
 *   target: 'moto' | 'capped', log: (s: string) => void }} ctx
 */
export async function benchWholeStep(ctx) {
  const { stack } = ctx;
  const capped = ctx.target === 'capped' ? await startCappedS3(CAP) : undefined;
  const endpoint = capped?.url ?? stack.s3Endpoint;
  const s3 = makeS3(endpoint);
  const bucket = await freshBucket(s3);
  const applicationId = await seedApplication(stack.emrEndpoint);
  const ws = makeWorkspace({ 'jobs/q.py': 'print("whole step")\n' });
  mkdirSync(join(ws, 'build'), { recursive: true });
  const jar = join(ws, 'build/hail-all-spark.jar');
  copyFileSync(ctx.jarFile, jar);
  copyFileSync(ctx.envFile, join(ws, 'build/pyspark_hail.tar.gz'));
  const inputs = {
    ...baseInputs({ bucket, applicationId, script: 'jobs/q.py' }),
    'hail-jar': 'build/hail-all-spark.jar',
    'hail-env-archive': 'build/pyspark_hail.tar.gz',
    wait: 'false',
  };
  const cfgDir = mkdtempSync(join(tmpdir(), 'hes-bench-awscfg-'));
  const cliEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing-secret',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(cfgDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(cfgDir, 'credentials'),
  };
  const jarKeys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ci/artifacts/' }))).Contents ?? [])
      .map((o) => o.Key)
      .filter((k) => k.endsWith('.jar'));
  const runAction = async () => {
    const r = await timedRun({
      workspace: ws,
      inputs,
      s3: endpoint,
      emr: stack.emrEndpoint,
      sampleRss: true,
    });
    if (r.code !== 0)
      throw new Error(`action run failed (exit ${r.code}): ${r.stdout.slice(-3000)}${r.stderr}`);
    const { startAt } = await jobRecords(stack.emrEndpoint, r.outputs['job-run-id']);
    return { ms: r.exitedAt - r.spawnedAt, toStartJobRunMs: startAt - r.spawnedAt, peakRssKiB: r.peakRssKiB };
  };
  const runCli = async (key) => {
    const r = await timeCommand(
      AWS_CLI,
      [
        '--endpoint-url',
        endpoint,
        's3',
        'cp',
        jar,
        `s3://${bucket}/${key}`,
        '--only-show-errors',
        '--no-progress',
      ],
      { env: cliEnv },
    );
    if (r.code !== 0) throw new Error(`aws s3 cp failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
    return { ms: r.ms, peakRssKiB: r.peakRssKiB };
  };

  // One more run through a recording proxy (not timed with the others: the proxy costs a hop) to split
  // the step into the issue's phases, from what crossed the wire.
  const phaseRun = async () => {
    freshen(jar);
    const recorder = await startRecorder(endpoint);
    try {
      const r = await timedRun({ workspace: ws, inputs, s3: recorder.url, emr: stack.emrEndpoint });
      if (r.code !== 0) throw new Error(`action run failed (exit ${r.code}): ${r.stdout.slice(-3000)}`);
      const { startAt } = await jobRecords(stack.emrEndpoint, r.outputs['job-run-id']);
      const q = recorder.requests.filter((x) => x.path.includes('hail-all-spark.jar'));
      const head = q.find((x) => x.method === 'HEAD');
      const parts = q.filter((x) => x.method === 'PUT');
      const complete = q.find((x) => x.method === 'POST' && /uploadId=/.test(x.path));
      const t0 = r.spawnedAt;
      return {
        startToJarHeadMs: head.start - t0,
        headToFirstPartMs: Math.min(...parts.map((x) => x.start)) - head.start,
        partsMs: Math.max(...parts.map((x) => x.end)) - Math.min(...parts.map((x) => x.start)),
        parts: parts.length,
        completeMs: complete ? complete.end - complete.start : NaN,
        lastRequestToStartJobRunMs: startAt - Math.max(...q.map((x) => x.end ?? x.start)),
        totalMs: r.exitedAt - t0,
      };
    } finally {
      await recorder.close(); // its jar stays: the cached runs find it
    }
  };

  // On a loaded machine moto answers a 1 GiB CompleteMultipartUpload with 500 now and then (the
  // CLI's read timeout and retry meet moto still joining the parts): one retry, then the run is
  // recorded as failed (no time) rather than losing the whole benchmark. Both are counted.
  const retried = { action: 0, cli: 0 };
  const failed = { action: [], cli: [] };
  const once = async (name, f) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await f();
      } catch (err) {
        const why = String(err.message).split('\n')[0].slice(0, 300);
        ctx.log(`  ${ctx.target} ${name} failed (attempt ${attempt}): ${why}`);
        if (attempt === 2) {
          failed[name].push(why);
          return { ms: NaN, peakRssKiB: NaN };
        }
        retried[name]++;
      }
    }
  };
  const samples = { action: [], cli: [] };
  try {
    for (let i = 0; i < ctx.runs; i++) {
      freshen(jar);
      const order = i % 2 === 0 ? ['action', 'cli'] : ['cli', 'action'];
      for (const name of order) {
        const s = await once(name, () => (name === 'action' ? runAction() : runCli(`cli/${i}.jar`)));
        samples[name].push(s);
        ctx.log(
          `  ${ctx.target} ${name} #${i + 1}: ${(s.ms / 1000).toFixed(2)} s, peak RSS ${Math.round(s.peakRssKiB / 1024)} MiB${s.toStartJobRunMs ? `, StartJobRun at ${Math.round(s.toStartJobRunMs)} ms` : ''}`,
        );
      }
      // Keep moto's memory from filling up.
      await deleteObject(s3, bucket, `cli/${i}.jar`);
      for (const k of await jarKeys()) await deleteObject(s3, bucket, k);
    }
    const phases = await phaseRun();
    ctx.log(
      `  ${ctx.target} phases: ${Object.entries(phases)
        .map(([k, v]) => `${k} ${Math.round(v)}`)
        .join(', ')}`,
    );
    const cached = [];
    for (let i = 0; i < ctx.cachedRuns; i++) {
      const s = await runAction();
      cached.push(s);
      ctx.log(`  ${ctx.target} cached run #${i + 1}: StartJobRun at ${Math.round(s.toStartJobRunMs)} ms`);
    }
    for (const k of await jarKeys()) await deleteObject(s3, bucket, k);
    const med = (name, f) => median(samples[name].map(f));
    const action = {
      medianMs: med('action', (s) => s.ms),
      maxPeakRssKiB: maxFinite(samples.action.map((s) => s.peakRssKiB)),
      samples: samples.action,
    };
    const cli = {
      medianMs: med('cli', (s) => s.ms),
      maxPeakRssKiB: maxFinite(samples.cli.map((s) => s.peakRssKiB)),
      samples: samples.cli,
    };
    return {
      target: ctx.target,
      ...(capped ? { cap: CAP, server: { ...capped.stats, openUploadsAtEnd: capped.openUploads() } } : {}),
      bytes: ctx.bytes,
      runsEach: ctx.runs,
      action,
      cli,
      ratio: action.medianMs / cli.medianMs,
      phases,
      retried,
      failed,
      cached: cached.length
        ? { medianToStartJobRunMs: median(cached.map((s) => s.toStartJobRunMs)), samples: cached }
        : undefined,
    };
  } finally {
    rmSync(ws, { recursive: true, force: true });
    rmSync(cfgDir, { recursive: true, force: true });
    await capped?.close();
  }
}
