// Figure 1: a 256 MiB file to the local S3 server (moto): the action's uploader against the AWS
// CLI's `aws s3 cp`, same file, same server, alternating runs.
//
// "The action's uploader" is `uploadFile` from src/aws/file-upload.ts (5 MiB parts, 16 in flight,
// streamed from the file through pooled 1 MiB buffers, CRC32 per part) with the S3 client the action builds (`createClients`), bundled by ncc from the same
// sources as dist/ into a tiny CLI (bench/upload-entry.ts) run on the action's Node 24. Both sides
// are timed as whole processes, start-up included, because that is what a workflow waits for. moto's
// own CPU time during each upload is read from /proc, to show when the server is the bottleneck.
// The same uploads then go to a stub that discards the bytes (lib/sink-s3.mjs): the clients' own
// speed, without moto.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE } from '../../test/fixtures/action-runner.mjs';
import { median } from '../lib/stats.mjs';
import { processCpuSeconds, timeCommand } from '../lib/proc.mjs';
import { startSinkS3 } from '../lib/sink-s3.mjs';
import { deleteObject, freshBucket } from '../lib/stack.mjs';

export const AWS_CLI = '/usr/bin/aws';

/**
 * @param {{ stack: any, s3: any, uploadEntry: string, file: string, bytes: number, runs: number, log: (s: string) => void }} ctx
 */
export async function benchUpload(ctx) {
  const { stack, s3, file, bytes } = ctx;
  const bucket = await freshBucket(s3);
  const motoPid = stack.moto.pid;
  const cfgDir = mkdtempSync(join(tmpdir(), 'hes-bench-awscfg-'));
  const baseEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing-secret',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    // No user config: both tools run with their defaults.
    AWS_CONFIG_FILE: join(cfgDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(cfgDir, 'credentials'),
  };
  const haveCli = existsSync(AWS_CLI);
  const tools = {
    action: {
      label: 'action uploadFile (Node 24)',
      run: (key, endpoint = stack.s3Endpoint) =>
        timeCommand(NODE, [ctx.uploadEntry, file, `s3://${bucket}/${key}`], {
          env: { ...baseEnv, AWS_ENDPOINT_URL_S3: endpoint },
        }),
    },
    cli: {
      label: `aws s3 cp (${AWS_CLI})`,
      run: (key, endpoint = stack.s3Endpoint) =>
        timeCommand(
          AWS_CLI,
          [
            '--endpoint-url',
            endpoint,
            's3',
            'cp',
            file,
            `s3://${bucket}/${key}`,
            '--only-show-errors',
            '--no-progress',
          ],
          { env: baseEnv },
        ),
    },
  };
  const samples = { action: [], cli: [] };
  for (let i = 0; i < ctx.runs; i++) {
    const order = i % 2 === 0 ? ['action', 'cli'] : ['cli', 'action'];
    for (const name of order) {
      if (name === 'cli' && !haveCli) continue;
      const key = `upload/${name}-${i}.bin`;
      const cpu0 = processCpuSeconds(motoPid);
      const r = await tools[name].run(key);
      const motoCpuS = processCpuSeconds(motoPid) - cpu0;
      if (r.code !== 0)
        throw new Error(`${tools[name].label} failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
      let inProcessMs;
      if (name === 'action') inProcessMs = JSON.parse(r.stdout.trim().split('\n').pop()).uploadMs;
      const sample = {
        ms: r.ms,
        inProcessMs,
        motoCpuS,
        motoBusy: motoCpuS / (r.ms / 1000),
        clientCpuS: r.userS !== undefined ? r.userS + r.sysS : undefined,
        clientPeakRssKiB: r.peakRssKiB,
      };
      samples[name].push(sample);
      ctx.log(
        `  upload ${name} #${i + 1}: ${(r.ms / 1000).toFixed(2)} s, moto CPU ${motoCpuS.toFixed(2)} s (${Math.round(sample.motoBusy * 100)}% of one core)`,
      );
      await deleteObject(s3, bucket, key); // keep moto's temp files from piling up
    }
  }
  // The clients alone: the same uploads to a stub that discards the bytes.
  const sink = await startSinkS3();
  const sinkSamples = { action: [], cli: [] };
  try {
    for (let i = 0; i < ctx.runs; i++) {
      const order = i % 2 === 0 ? ['action', 'cli'] : ['cli', 'action'];
      for (const name of order) {
        if (name === 'cli' && !haveCli) continue;
        const r = await tools[name].run(`sink/${name}-${i}.bin`, sink.url);
        if (r.code !== 0)
          throw new Error(
            `${tools[name].label} to the stub failed (exit ${r.code}): ${r.stderr.slice(-2000)}`,
          );
        sinkSamples[name].push(r.ms);
      }
    }
  } finally {
    await sink.close();
  }
  ctx.log(
    `  to a discarding stub: action ${(median(sinkSamples.action) / 1000).toFixed(2)} s, aws s3 cp ${(median(sinkSamples.cli) / 1000).toFixed(2)} s`,
  );
  rmSync(cfgDir, { recursive: true, force: true });
  // The CLI's start-up alone, for reference (Python and botocore imports).
  const cliStart = haveCli ? await timeCommand(AWS_CLI, ['--version'], { env: baseEnv }) : undefined;
  const med = (name, f) => median(samples[name].map(f));
  const action = {
    medianMs: med('action', (s) => s.ms),
    medianInProcessMs: med('action', (s) => s.inProcessMs),
    medianMotoBusy: med('action', (s) => s.motoBusy),
    medianClientCpuS: med('action', (s) => s.clientCpuS),
    medianClientPeakRssKiB: med('action', (s) => s.clientPeakRssKiB),
    samples: samples.action,
  };
  const cli = haveCli
    ? {
        medianMs: med('cli', (s) => s.ms),
        medianMotoBusy: med('cli', (s) => s.motoBusy),
        medianClientCpuS: med('cli', (s) => s.clientCpuS),
        medianClientPeakRssKiB: med('cli', (s) => s.clientPeakRssKiB),
        startupMs: cliStart?.ms,
        samples: samples.cli,
      }
    : { missing: `${AWS_CLI} not found (apt-get install awscli)` };
  const ratio = haveCli ? action.medianMs / cli.medianMs : NaN;
  const stub = {
    actionMedianMs: median(sinkSamples.action),
    cliMedianMs: haveCli ? median(sinkSamples.cli) : NaN,
    ratio: haveCli ? median(sinkSamples.action) / median(sinkSamples.cli) : NaN,
  };
  return {
    bytes,
    runsEach: ctx.runs,
    action,
    cli,
    ratio,
    stub,
    // Share of the action's upload time that is moto's (the rest is what the client needs anyway).
    serverShare: 1 - stub.actionMedianMs / action.medianMs,
    throughputMiBs: {
      action: bytes / 2 ** 20 / (action.medianMs / 1000),
      cli: haveCli ? bytes / 2 ** 20 / (cli.medianMs / 1000) : NaN,
    },
  };
}
