// The cached run of figure 6, one request at a time: where the time goes from process start to
// StartJobRun when every object is already in S3 and the local 256 MiB jar is hashed.
//
//   node bench/cached-timeline.mjs [runs]
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace } from '../test/fixtures/action-runner.mjs';
import { startLocalStack } from '../test/fixtures/local-stack.mjs';
import { ensureRandomFile } from './lib/files.mjs';
import { startRecorder } from './lib/recorder.mjs';
import {
  baseInputs,
  control,
  freshBucket,
  jobRecords,
  makeS3,
  seedApplication,
  timedRun,
} from './lib/stack.mjs';

const runs = Number(process.argv[2] ?? 3);
const stack = await startLocalStack({ emr: { stepMs: 50 } });
const ws = makeWorkspace({ 'jobs/q.py': 'print("cached")\n' });
try {
  const s3 = makeS3(stack.s3Endpoint);
  const bucket = await freshBucket(s3);
  const applicationId = await seedApplication(stack.emrEndpoint);
  mkdirSync(join(ws, 'build'), { recursive: true });
  copyFileSync(ensureRandomFile(256 << 20), join(ws, 'build/hail-all-spark.jar'));
  copyFileSync(ensureRandomFile(2 << 20), join(ws, 'build/pyspark_hail.tar.gz'));
  const inputs = {
    ...baseInputs({ bucket, applicationId, script: 'jobs/q.py' }),
    'hail-jar': 'build/hail-all-spark.jar',
    'hail-env-archive': 'build/pyspark_hail.tar.gz',
    wait: 'false',
  };
  const recorder = await startRecorder(stack.s3Endpoint);
  for (let i = 0; i <= runs; i++) {
    recorder.requests.length = 0;
    const r = await timedRun({ workspace: ws, inputs, s3: recorder.url, emr: stack.emrEndpoint });
    if (r.code !== 0) throw new Error(r.stdout);
    const { startAt } = await jobRecords(stack.emrEndpoint, r.outputs['job-run-id']);
    const { requests } = await control(stack.emrEndpoint, 'requests');
    const at = (t) => Math.round(t - r.spawnedAt);
    const events = [
      ...requests
        .filter((q) => Date.parse(q.time) >= Math.floor(r.spawnedAt) && Date.parse(q.time) <= startAt)
        .map((q) => [at(Date.parse(q.time)), `EMR ${q.operation}`]),
      ...recorder.requests.map((q) => [
        at(q.start),
        `S3 ${q.method} ${q.path.replace(/^\/[^/]+\//, '').slice(0, 50)} (${Math.round(q.end - q.start)} ms)`,
      ]),
    ].sort((a, b) => a[0] - b[0]);
    console.log(
      `${i === 0 ? 'upload run' : `cached run ${i}`}: StartJobRun at ${at(startAt)} ms, exit at ${at(r.exitedAt)} ms`,
    );
    if (i > 0) for (const [t, e] of events) console.log(`  ${String(t).padStart(5)} ms  ${e}`);
  }
  await recorder.close();
} finally {
  rmSync(ws, { recursive: true, force: true });
  await stack.stop();
}
