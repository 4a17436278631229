// Figure 4: how soon the action notices that a job ended, and how often it polls while waiting.
//
// Short jobs: scripts that sleep a random 1-20 s (seeded PRNG), several actions at once. Detection
// latency = the action process's exit minus the moment the fixture set the terminal state (its
// /__control/jobs history), split into the poll lag (terminal state -> the GetJobRun that saw it)
// and the report (that GetJobRun -> exit: logs, outputs, summary, process exit).
//
// Long wait: one job that sleeps LONG_JOB_S seconds, run in the background while the other figures
// run. Its GetJobRun calls are counted per minute and compared with the schedule that
// src/run/poll-schedule.ts predicts (replayed by bench/schedule-entry.ts); the steady-state rate of a
// long wait (minute 6 on, which a ~2 minute job cannot reach) is computed from that same schedule.
import { NODE, makeWorkspace } from '../../test/fixtures/action-runner.mjs';
import { median, percentile, prng } from '../lib/stats.mjs';
import { timeCommand } from '../lib/proc.mjs';
import { kind, startRecorder } from '../lib/recorder.mjs';
import { baseInputs, freshBucket, jobRecords, putObject, seedApplication, timedRun } from '../lib/stack.mjs';

const TERMINAL = new Set(['SUCCESS', 'FAILED', 'CANCELLED']);
const SLEEP_PY = `import sys, time
print("sleeping", sys.argv[1], "s", flush=True)
time.sleep(float(sys.argv[1]))
print("done")
`;

async function setup(ctx) {
  const { stack, s3 } = ctx;
  const bucket = await freshBucket(s3);
  const applicationId = await seedApplication(stack.emrEndpoint);
  const jar = await putObject(s3, bucket, 'prebuilt/hail-all-spark.jar', 'jar');
  const env = await putObject(s3, bucket, 'prebuilt/pyspark_hail.tar.gz', 'env');
  const ws = makeWorkspace({ 'jobs/sleep.py': SLEEP_PY });
  const inputs = {
    ...baseInputs({ bucket, applicationId, script: 'jobs/sleep.py' }),
    'hail-jar': jar,
    'hail-env-archive': env,
  };
  return { ws, inputs };
}

/** @param {{ stack: any, s3: any, jobs: number, parallel: number, seed: number, log: (s: string) => void }} ctx */
export async function benchDetection(ctx) {
  const { ws, inputs } = await setup(ctx);
  const rand = prng(ctx.seed);
  const durations = Array.from({ length: ctx.jobs }, () => Math.round((1 + 19 * rand()) * 1000) / 1000);
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < durations.length) {
      const seconds = durations[next++];
      const r = await timedRun({
        workspace: ws,
        inputs: { ...inputs, 'script-args': String(seconds) },
        s3: ctx.stack.s3Endpoint,
        emr: ctx.stack.emrEndpoint,
      });
      if (r.code !== 0)
        throw new Error(`action run failed (exit ${r.code}): ${r.stdout.slice(-3000)}${r.stderr}`);
      const { job, gets } = await jobRecords(ctx.stack.emrEndpoint, r.outputs['job-run-id']);
      const terminal = job.history.find((h) => TERMINAL.has(h.state));
      const terminalAt = Date.parse(terminal.at);
      const seenBy = gets.find((q) => Date.parse(q.time) >= terminalAt);
      const seenAt = seenBy ? Date.parse(seenBy.time) : NaN;
      const sample = {
        sleepS: seconds,
        state: terminal.state,
        latencyMs: r.exitedAt - terminalAt,
        pollLagMs: seenAt - terminalAt,
        reportMs: r.exitedAt - seenAt,
        getJobRunCalls: gets.length,
      };
      results.push(sample);
      ctx.log(
        `  job ${results.length}/${durations.length} (sleep ${seconds.toFixed(1)} s): exit ${Math.round(sample.latencyMs)} ms after ${terminal.state} (poll lag ${Math.round(sample.pollLagMs)} ms, report ${Math.round(sample.reportMs)} ms)`,
      );
    }
  };
  await Promise.all(Array.from({ length: ctx.parallel }, worker));
  const lat = results.map((s) => s.latencyMs);
  return {
    jobs: results.length,
    parallel: ctx.parallel,
    seed: ctx.seed,
    medianMs: median(lat),
    p95Ms: percentile(lat, 95),
    maxMs: Math.max(...lat),
    medianPollLagMs: median(results.map((s) => s.pollLagMs)),
    medianReportMs: median(results.map((s) => s.reportMs)),
    samples: results,
  };
}

/** Polls (seconds after the first) that the schedule predicts for a job in one state for `seconds`. */
export async function predictedPolls(scheduleEntry, seconds) {
  const r = await timeCommand(NODE, [scheduleEntry, String(seconds)]);
  if (r.code !== 0) throw new Error(`schedule-entry failed: ${r.stderr}`);
  return JSON.parse(r.stdout).polls;
}

const countIn = (times, from, to) => times.filter((t) => t >= from && t < to).length;

/**
 * Starts the long job; `done` resolves (later) with its measured and predicted poll rates.
 * @param {{ stack: any, s3: any, seconds: number, scheduleEntry: string, log: (s: string) => void }} ctx
 */
export async function startLongWait(ctx) {
  const { ws, inputs } = await setup(ctx);
  const recorder = await startRecorder(ctx.stack.s3Endpoint);
  const done = (async () => {
    try {
      const r = await timedRun({
        workspace: ws,
        inputs: { ...inputs, 'script-args': String(ctx.seconds) },
        s3: recorder.url,
        emr: ctx.stack.emrEndpoint,
        timeoutMs: (ctx.seconds + 120) * 1000,
      });
      if (r.code !== 0)
        throw new Error(`long action run failed (exit ${r.code}): ${r.stdout.slice(-3000)}${r.stderr}`);
      const { job, gets } = await jobRecords(ctx.stack.emrEndpoint, r.outputs['job-run-id']);
      const t0 = Date.parse(gets[0].time);
      const running = job.history.find((h) => h.state === 'RUNNING');
      const terminal = job.history.find((h) => TERMINAL.has(h.state));
      const measured = gets.map((q) => (Date.parse(q.time) - t0) / 1000);
      const waitS = (Date.parse(terminal.at) - t0) / 1000;
      // The action polls at once (SUBMITTED), sees RUNNING on its next poll 1 s later, and from
      // then on follows the schedule for time-in-state.
      const inState = await predictedPolls(ctx.scheduleEntry, Math.ceil(waitS) + 1);
      const predicted = [0, ...inState.map((p) => 1 + p)];
      const minutes = [];
      for (let m = 0; (m + 1) * 60 <= waitS; m++) {
        minutes.push({
          minute: m + 1,
          measured: countIn(measured, m * 60, (m + 1) * 60),
          predicted: countIn(predicted, m * 60, (m + 1) * 60),
        });
      }
      const s3During = recorder.requests.filter((q) => q.start >= t0 && q.start <= Date.parse(terminal.at));
      const byMethod = {};
      for (const q of s3During) byMethod[kind(q)] = (byMethod[kind(q)] ?? 0) + 1;
      // Minute by minute in one long state, from the schedule alone (an hour).
      const hour = await predictedPolls(ctx.scheduleEntry, 3600);
      const perMinute = Array.from({ length: 60 }, (_, m) => countIn(hour, m * 60, (m + 1) * 60));
      return {
        jobSeconds: ctx.seconds,
        runningAt: running?.at,
        waitS,
        measuredMinutes: minutes,
        s3RequestsPerMinute: s3During.length / (waitS / 60),
        s3ByMethod: byMethod,
        schedule: {
          perMinuteFirst10: perMinute.slice(0, 10),
          steadyStatePerMinute: perMinute[59],
          firstMinute: perMinute[0],
          averageOver4Min: perMinute.slice(0, 4).reduce((a, b) => a + b, 0) / 4,
          averageOver60Min: hour.length / 60,
        },
      };
    } finally {
      await recorder.close();
    }
  })();
  done.catch(() => undefined); // awaited later; avoid an unhandled rejection in the meantime
  return { done };
}
