// Figure 3: the action's overhead before the job: from the process start (just after the runner's
// spawn) to the moment the EMR fixture receives StartJobRun, with the artifacts already in S3
// (prebuilt s3:// URIs) and the script already uploaded by a warm-up run. `wait: false`, since
// nothing after StartJobRun counts here. Also: Node's bare start, the bundle's size, and a run with
// an invalid input (exits after loading the bundle and validating, before any AWS call).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { NODE, ROOT, awsEnv, inputEnv, makeWorkspace } from '../../test/fixtures/action-runner.mjs';
import { median } from '../lib/stats.mjs';
import { timeCommand } from '../lib/proc.mjs';
import { startRecorder } from '../lib/recorder.mjs';
import {
  baseInputs,
  control,
  freshBucket,
  jobRecords,
  putObject,
  seedApplication,
  timedRun,
} from '../lib/stack.mjs';

/** @param {{ stack: any, s3: any, runs: number, log: (s: string) => void }} ctx */
export async function benchOverhead(ctx) {
  const { stack, s3 } = ctx;
  const bucket = await freshBucket(s3);
  const applicationId = await seedApplication(stack.emrEndpoint);
  const jar = await putObject(s3, bucket, 'prebuilt/hail-all-spark.jar', 'jar');
  const env = await putObject(s3, bucket, 'prebuilt/pyspark_hail.tar.gz', 'env');
  const ws = makeWorkspace({ 'jobs/q.py': 'print("overhead")\n' });
  const inputs = {
    ...baseInputs({ bucket, applicationId, script: 'jobs/q.py' }),
    'hail-jar': jar,
    'hail-env-archive': env,
    wait: 'false',
  };
  const recorder = await startRecorder(stack.s3Endpoint);
  try {
    const samples = [];
    for (let i = 0; i <= ctx.runs; i++) {
      recorder.requests.length = 0;
      const r = await timedRun({ workspace: ws, inputs, s3: recorder.url, emr: stack.emrEndpoint });
      if (r.code !== 0)
        throw new Error(`action run failed (exit ${r.code}): ${r.stdout.slice(-3000)}${r.stderr}`);
      const { startAt } = await jobRecords(stack.emrEndpoint, r.outputs['job-run-id']);
      const { requests } = await control(stack.emrEndpoint, 'requests');
      const emrCalls = requests
        .filter((q) => Date.parse(q.time) >= Math.floor(r.spawnedAt) && Date.parse(q.time) <= startAt)
        .map((q) => ({ at: Date.parse(q.time) - r.spawnedAt, call: `EMR ${q.operation}` }));
      const s3Calls = recorder.requests
        .filter((q) => q.start <= startAt)
        .map((q) => ({
          at: q.start - r.spawnedAt,
          call: `S3 ${q.method} ${q.path.replace(/^\/[^/]+\//, '').slice(0, 60)}`,
        }));
      const timeline = [...emrCalls, ...s3Calls]
        .sort((a, b) => a.at - b.at)
        .map((e) => ({ ...e, at: Math.round(e.at) }));
      const sample = {
        spawnToStartJobRunMs: startAt - r.spawnedAt,
        spawnToFirstAwsCallMs: timeline.length ? timeline[0].at : NaN,
        timeline,
      };
      if (i === 0) {
        ctx.log(
          `  warm-up run: ${Math.round(sample.spawnToStartJobRunMs)} ms to StartJobRun (script uploaded)`,
        );
        continue;
      }
      samples.push(sample);
      ctx.log(
        `  run #${i}: ${Math.round(sample.spawnToStartJobRunMs)} ms to StartJobRun, first AWS call at ${Math.round(sample.spawnToFirstAwsCallMs)} ms`,
      );
    }

    // Node alone, and the bundle loaded + inputs validated (an invalid hail-version: exit 1, no AWS call).
    const nodeStart = [];
    for (let i = 0; i < ctx.runs; i++) nodeStart.push((await timeCommand(NODE, ['-e', '0'])).ms);
    const badInput = [];
    recorder.requests.length = 0;
    const emrBefore = (await control(stack.emrEndpoint, 'requests')).requests.length;
    for (let i = 0; i < ctx.runs; i++) {
      const r = await timedRun({
        workspace: ws,
        inputs: { ...inputs, 'hail-version': 'not-a-version' },
        s3: recorder.url,
        emr: stack.emrEndpoint,
      });
      if (r.code !== 1 || !/not a Hail version/.test(r.stdout)) {
        throw new Error(
          `the invalid-input run did not fail as expected (exit ${r.code}): ${r.stdout.slice(-2000)}`,
        );
      }
      badInput.push(r.exitedAt - r.spawnedAt);
    }
    // Peak RSS of the action process with the bundle loaded (the same invalid-input run, under GNU time).
    const loaded = await timeCommand(NODE, [join(ROOT, 'dist/index.js')], {
      cwd: ws,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        GITHUB_WORKSPACE: ws,
        ...awsEnv({ s3: recorder.url, emr: stack.emrEndpoint }),
        ...inputEnv({ ...inputs, 'hail-version': 'not-a-version' }),
      },
    });
    const awsCallsOnBadInput =
      recorder.requests.length + (await control(stack.emrEndpoint, 'requests')).requests.length - emrBefore;

    const med = median(samples.map((s) => s.spawnToStartJobRunMs));
    // The run closest to the median, for its timeline.
    const typical = [...samples].sort(
      (a, b) => Math.abs(a.spawnToStartJobRunMs - med) - Math.abs(b.spawnToStartJobRunMs - med),
    )[0];
    const dist = join(ROOT, 'dist/index.js');
    return {
      runs: samples.length,
      medianSpawnToStartJobRunMs: med,
      maxSpawnToStartJobRunMs: Math.max(...samples.map((s) => s.spawnToStartJobRunMs)),
      medianSpawnToFirstAwsCallMs: median(samples.map((s) => s.spawnToFirstAwsCallMs)),
      typicalTimeline: typical.timeline,
      nodeBareStartMs: median(nodeStart),
      badInputRunMs: median(badInput),
      loadedPeakRssKiB: loaded.peakRssKiB,
      awsCallsOnBadInput,
      bundle: {
        path: 'dist/index.js',
        bytes: statSync(dist).size,
        mtime: statSync(dist).mtime.toISOString(),
      },
      samples: samples.map((s) => ({
        spawnToStartJobRunMs: s.spawnToStartJobRunMs,
        spawnToFirstAwsCallMs: s.spawnToFirstAwsCallMs,
      })),
    };
  } finally {
    await recorder.close();
  }
}
