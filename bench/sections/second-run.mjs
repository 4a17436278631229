// Figure 2: what a second run uploads when nothing changed. The action runs with the same local
// artifacts (a 256 MiB jar and a 2 MiB environment archive in the workspace) several times, its S3
// traffic going through a recording proxy in front of moto. The first run uploads them (and gives a
// cross-check of figure 1 through dist/index.js itself: the jar's multipart upload as seen on the
// wire); the later runs must send 0 artifact bytes.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace } from '../../test/fixtures/action-runner.mjs';
import { median } from '../lib/stats.mjs';
import { startRecorder, summarize } from '../lib/recorder.mjs';
import { baseInputs, freshBucket, jobRecords, seedApplication, timedRun } from '../lib/stack.mjs';

const isUpload = (q) => q.method === 'PUT' || q.method === 'POST';

/** @param {{ stack: any, s3: any, jarFile: string, envFile: string, secondRuns: number, log: (s: string) => void }} ctx */
export async function benchSecondRun(ctx) {
  const { stack, s3 } = ctx;
  const bucket = await freshBucket(s3);
  const applicationId = await seedApplication(stack.emrEndpoint);
  const ws = makeWorkspace({ 'jobs/q.py': 'print("second run")\n' });
  mkdirSync(join(ws, 'build'), { recursive: true });
  copyFileSync(ctx.jarFile, join(ws, 'build/hail-all-spark.jar'));
  copyFileSync(ctx.envFile, join(ws, 'build/pyspark_hail.tar.gz'));
  const inputs = {
    ...baseInputs({ bucket, applicationId, script: 'jobs/q.py' }),
    'hail-jar': 'build/hail-all-spark.jar',
    'hail-env-archive': 'build/pyspark_hail.tar.gz',
  };
  const recorder = await startRecorder(stack.s3Endpoint);
  try {
    const runOnce = async () => {
      recorder.requests.length = 0;
      const r = await timedRun({ workspace: ws, inputs, s3: recorder.url, emr: stack.emrEndpoint });
      if (r.code !== 0)
        throw new Error(`action run failed (exit ${r.code}): ${r.stdout.slice(-3000)}${r.stderr}`);
      const { startAt } = await jobRecords(stack.emrEndpoint, r.outputs['job-run-id']);
      return { r, requests: [...recorder.requests], startAt };
    };

    // Cold: everything uploaded.
    const cold = await runOnce();
    const jar = cold.requests.filter(
      (q) => q.path.includes('/artifacts/') && q.path.includes('hail-all-spark.jar'),
    );
    const jarUploads = jar.filter(isUpload);
    const coldSummary = summarize(cold.requests);
    const coldInfo = {
      source: cold.r.outputs['hail-artifacts-source'],
      uploadBytes: coldSummary.uploadBytes,
      byMethod: coldSummary.byMethod,
      jarParts: jarUploads.filter((q) => q.method === 'PUT').length,
      // From the jar's first PUT/POST (CreateMultipartUpload) to the end of its last (Complete).
      jarUploadMs: jarUploads.length
        ? Math.max(...jarUploads.map((q) => q.end ?? q.start)) - Math.min(...jarUploads.map((q) => q.start))
        : NaN,
      // Process start to the jar's HEAD: Node start, bundle load, inputs, hashing both files.
      spawnToFirstJarRequestMs: jar.length ? jar[0].start - cold.r.spawnedAt : NaN,
      spawnToStartJobRunMs: cold.startAt - cold.r.spawnedAt,
    };
    ctx.log(
      `  cold run: ${coldInfo.source}, ${(coldInfo.uploadBytes / 2 ** 20).toFixed(1)} MiB sent, jar multipart ${(coldInfo.jarUploadMs / 1000).toFixed(2)} s (${coldInfo.jarParts} parts)`,
    );

    // Second runs: same workspace, nothing changed.
    const seconds = [];
    for (let i = 0; i < ctx.secondRuns; i++) {
      const run = await runOnce();
      const before = run.requests.filter((q) => q.start <= run.startAt);
      const s = summarize(run.requests);
      const artifactBytes = run.requests
        .filter((q) => isUpload(q) && q.path.includes('/artifacts/'))
        .reduce((n, q) => n + q.bytes, 0);
      seconds.push({
        source: run.r.outputs['hail-artifacts-source'],
        artifactBytes,
        uploadBytes: s.uploadBytes,
        uploadRequests: run.requests.filter(isUpload).length,
        byMethod: s.byMethod,
        beforeStartJobRun: summarize(before).byMethod,
        spawnToStartJobRunMs: run.startAt - run.r.spawnedAt,
      });
      ctx.log(
        `  second run #${i + 1}: ${artifactBytes} artifact bytes, ${s.uploadBytes} bytes PUT/POST, requests ${JSON.stringify(s.byMethod)}`,
      );
    }
    return {
      jarBytes: ctx.jarBytes,
      envBytes: ctx.envBytes,
      cold: coldInfo,
      second: {
        runs: seconds.length,
        maxArtifactBytes: Math.max(...seconds.map((s) => s.artifactBytes)),
        maxUploadBytes: Math.max(...seconds.map((s) => s.uploadBytes)),
        maxUploadRequests: Math.max(...seconds.map((s) => s.uploadRequests)),
        byMethod: seconds[seconds.length - 1].byMethod,
        beforeStartJobRun: seconds[seconds.length - 1].beforeStartJobRun,
        sources: [...new Set(seconds.map((s) => s.source))],
        medianSpawnToStartJobRunMs: median(seconds.map((s) => s.spawnToStartJobRunMs)),
        samples: seconds,
      },
    };
  } finally {
    await recorder.close();
    rmSync(ws, { recursive: true, force: true }); // the workspace holds a copy of the big jar
  }
}
