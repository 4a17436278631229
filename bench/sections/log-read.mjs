// Figure 5: reading a 1 GiB (uncompressed) driver log with a traceback near the end. The action's
// scanner (scanLog over a gunzip stream, exactly as collect-report.ts feeds it, bundled into
// bench/scan-entry.ts) runs in its own Node 24 process, which reports its time and its peak RSS
// (VmHWM). References on the same file: `gunzip -c > /dev/null` (the speed to be near) and
// `zcat | tail -100` (what the manual procedure does). Runs alternate.
// Then the whole action on the same log: dist/index.js re-attached (job-run-id) to a failed job run
// whose driver stderr.gz was replaced by this log in moto; its peak RSS (VmHWM) and wall time, and
// whether the summary carries the traceback. That run also reads the object from moto over HTTP.
// One-off diagnostics show where the scan's time and memory go: gunzip alone in Node (no scan), and
// the scan with larger gunzip output chunks than zlib's default 16 KiB (32 and 64 KiB).
import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { NODE, makeWorkspace } from '../../test/fixtures/action-runner.mjs';
import { median } from '../lib/stats.mjs';
import { timeCommand } from '../lib/proc.mjs';
import { baseInputs, freshBucket, putObject, seedApplication, timedRun } from '../lib/stack.mjs';

const FAIL_PY = 'import sys\nprint("failing on purpose", file=sys.stderr)\nsys.exit(1)\n';

/** The action re-attached to a finished, failed job run whose stderr.gz is the big log. */
async function wholeAction(ctx, expectHeadline) {
  const { stack, s3 } = ctx;
  const bucket = await freshBucket(s3);
  const applicationId = await seedApplication(stack.emrEndpoint);
  const jar = await putObject(s3, bucket, 'prebuilt/hail-all-spark.jar', 'jar');
  const env = await putObject(s3, bucket, 'prebuilt/pyspark_hail.tar.gz', 'env');
  const ws = makeWorkspace({ 'jobs/fail.py': FAIL_PY });
  const inputs = {
    ...baseInputs({ bucket, applicationId, script: 'jobs/fail.py' }),
    'hail-jar': jar,
    'hail-env-archive': env,
  };
  // The first run (a small log) gives the action's own peak RSS, for comparison.
  const first = await timedRun({
    workspace: ws,
    inputs,
    s3: stack.s3Endpoint,
    emr: stack.emrEndpoint,
    sampleRss: true,
  });
  if (first.outputs.state !== 'FAILED')
    throw new Error(`expected a FAILED job run, got ${first.outputs.state}`);
  const logPrefix = first.outputs['log-uri']; // s3://bucket/.../jobs/<id>/
  const key = `${logPrefix.replace(/^s3:\/\/[^/]+\//, '')}SPARK_DRIVER/stderr.gz`;
  // A Buffer body (not a stream): the SDK then sends it plain, not aws-chunked, which moto takes
  // far faster.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(ctx.logFile.file) }));
  const runs = [];
  for (let i = 0; i < ctx.actionRuns; i++) {
    const r = await timedRun({
      workspace: ws,
      inputs: { ...inputs, 'job-run-id': first.outputs['job-run-id'] },
      s3: stack.s3Endpoint,
      emr: stack.emrEndpoint,
      sampleRss: true,
    });
    const summaryHasExcerpt = r.summary.includes(expectHeadline);
    runs.push({ ms: r.exitedAt - r.spawnedAt, peakRssKiB: r.peakRssKiB, code: r.code, summaryHasExcerpt });
    ctx.log(
      `  whole action re-attached: ${((r.exitedAt - r.spawnedAt) / 1000).toFixed(2)} s, peak RSS ${(r.peakRssKiB / 1024).toFixed(1)} MiB, exit ${r.code}, excerpt in summary: ${summaryHasExcerpt}`,
    );
  }
  return {
    medianMs: median(runs.map((x) => x.ms)),
    peakRssKiB: Math.max(...runs.map((x) => x.peakRssKiB)),
    summaryHasExcerpt: runs.every((x) => x.summaryHasExcerpt),
    smallLogPeakRssKiB: first.peakRssKiB,
    runs,
  };
}

/** @param {{ stack: any, s3: any, actionRuns: number, scanEntry: string, log: (s: string) => void, runs: number, logFile: { file: string, uncompressedBytes: number, compressedBytes: number, cached: boolean } }} ctx */
export async function benchLogRead(ctx) {
  const { file } = ctx.logFile;
  const scan = [];
  const gunzip = [];
  const zcatTail = [];
  let found;
  const runScan = async (extra = []) => {
    const r = await timeCommand(NODE, [ctx.scanEntry, file, '--name', 'stderr', '--tail', '100', ...extra]);
    if (r.code !== 0) throw new Error(`scan-entry failed: ${r.stderr}`);
    return { ...JSON.parse(r.stdout), wallMs: r.ms };
  };
  for (let i = 0; i < ctx.runs; i++) {
    const steps = [
      async () => {
        const r = await runScan();
        found = r;
        scan.push({ ms: r.ms, wallMs: r.wallMs, peakRssKiB: r.peakRssKiB, rssAtStartKiB: r.rssAtStartKiB });
        ctx.log(
          `  scanLog #${i + 1}: ${(r.ms / 1000).toFixed(2)} s, peak RSS ${(r.peakRssKiB / 1024).toFixed(1)} MiB`,
        );
      },
      async () => {
        const r = await timeCommand('bash', ['-c', 'gunzip -c "$1" > /dev/null', 'gunzip', file]);
        if (r.code !== 0) throw new Error(`gunzip failed: ${r.stderr}`);
        gunzip.push({ ms: r.ms, peakRssKiB: r.peakRssKiB });
        ctx.log(`  gunzip -c > /dev/null #${i + 1}: ${(r.ms / 1000).toFixed(2)} s`);
      },
      async () => {
        const r = await timeCommand('bash', [
          '-c',
          'set -o pipefail; zcat "$1" | tail -100 > /dev/null',
          'zcat',
          file,
        ]);
        if (r.code !== 0) throw new Error(`zcat | tail failed: ${r.stderr}`);
        zcatTail.push({ ms: r.ms });
        ctx.log(`  zcat | tail -100 #${i + 1}: ${(r.ms / 1000).toFixed(2)} s`);
      },
    ];
    // Alternate the order between rounds so that no tool always runs first (cold caches, warm CPU).
    if (i % 2 === 1) steps.reverse();
    for (const step of steps) await step();
  }
  const gunzipOnly = await runScan(['--no-scan']);
  const chunks32 = await runScan(['--chunk-size', String(32 * 1024)]);
  const chunks64 = await runScan(['--chunk-size', String(64 * 1024)]);
  ctx.log(
    `  diagnostics: Node gunzip alone ${(gunzipOnly.ms / 1000).toFixed(2)} s (RSS ${(gunzipOnly.peakRssKiB / 1024).toFixed(1)} MiB); scan with 32 KiB gunzip chunks ${(chunks32.ms / 1000).toFixed(2)} s (RSS ${(chunks32.peakRssKiB / 1024).toFixed(1)} MiB), 64 KiB ${(chunks64.ms / 1000).toFixed(2)} s (RSS ${(chunks64.peakRssKiB / 1024).toFixed(1)} MiB)`,
  );
  const action =
    ctx.actionRuns > 0 ? await wholeAction(ctx, 'found 0 samples with a non-missing phenotype') : undefined;
  const scanMs = median(scan.map((s) => s.ms));
  const gunzipMs = median(gunzip.map((s) => s.ms));
  return {
    file,
    uncompressedBytes: ctx.logFile.uncompressedBytes,
    compressedBytes: ctx.logFile.compressedBytes,
    generated: !ctx.logFile.cached,
    runsEach: ctx.runs,
    scan: {
      medianMs: scanMs,
      medianWallMs: median(scan.map((s) => s.wallMs)),
      peakRssKiB: Math.max(...scan.map((s) => s.peakRssKiB)),
      rssAtStartKiB: median(scan.map((s) => s.rssAtStartKiB)),
      samples: scan,
    },
    gunzip: { medianMs: gunzipMs, peakRssKiB: median(gunzip.map((s) => s.peakRssKiB)), samples: gunzip },
    zcatTail: { medianMs: median(zcatTail.map((s) => s.ms)), samples: zcatTail },
    ratioToGunzip: scanMs / gunzipMs,
    mibPerSecond: ctx.logFile.uncompressedBytes / 2 ** 20 / (scanMs / 1000),
    found: {
      totalLines: found.totalLines,
      totalBytes: found.totalBytes,
      tailLines: found.tailLines,
      lastLine: found.lastLine,
      failure: found.failure,
    },
    action,
    diagnostics: {
      nodeGunzipOnlyMs: gunzipOnly.ms,
      nodeGunzipOnlyPeakRssKiB: gunzipOnly.peakRssKiB,
      scanWith32KiBChunksMs: chunks32.ms,
      scanWith32KiBChunksPeakRssKiB: chunks32.peakRssKiB,
      scanWith64KiBChunksMs: chunks64.ms,
      scanWith64KiBChunksPeakRssKiB: chunks64.peakRssKiB,
    },
  };
}
