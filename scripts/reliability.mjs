// `npm run reliability`: runs the bundled action many times on the local stack, with 20% of the
// requests to S3 and EMR Serverless failing (500, 503 SlowDown, 429 throttling, connection resets,
// delays; before or after the server acted), then cancel and kill trials, then every bad input.
// Prints the figures issue 4 asks for and writes them to bench/reliability.json.
import { writeFileSync } from 'node:fs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalStack } from '../test/fixtures/local-stack.mjs';
import { localPythonOrExit } from './local-python.mjs';
import { startFaultProxy } from '../test/fixtures/fault-proxy.mjs';
import { awsEnv, eventually, makeWorkspace, runAction } from '../test/fixtures/action-runner.mjs';
import { BAD_INPUTS, GOOD_FILES, GOOD_INPUTS } from '../test/fixtures/bad-inputs.mjs';

const RUNS = Number(process.env.RELIABILITY_RUNS ?? 50);
const TRIALS = Number(process.env.RELIABILITY_TRIALS ?? 20);
const RATE = Number(process.env.RELIABILITY_FAULT_RATE ?? 0.2);
const CONCURRENCY = 4;
const ROLE = 'arn:aws:iam::123456789012:role/hail-job';
const TERMINAL = new Set(['SUCCESS', 'FAILED', 'CANCELLED']);

const stack = await startLocalStack({ python: localPythonOrExit(), emr: { stepMs: 100, logFlushMs: 300 } });
const s3 = new S3Client({
  endpoint: stack.s3Endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});
const control = async (path, body) => {
  const res = await fetch(`${stack.emrEndpoint}/__control/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
};
const jobsOf = async (app) => (await control('jobs')).jobs.filter((j) => j.applicationId === app);
let seq = 0;
async function fresh(script) {
  const n = seq++;
  const bucket = `rel-${Date.now().toString(36)}-${n}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const appId = `00rel${Date.now().toString(36)}${n.toString(36)}`;
  await control('applications', { applicationId: appId, releaseLabel: 'emr-7.5.0', state: 'CREATED' });
  const workspace = makeWorkspace({
    'job.py': script,
    // Uploaded through the faults: three parts (5 + 5 + 1 MiB), so multipart retries are tried too.
    'build/hail-all-spark.jar': Buffer.alloc(11 * 1024 * 1024, n),
    'build/pyspark_hail.tar.gz': Buffer.alloc(512 * 1024, n),
  });
  const inputs = {
    script: 'job.py',
    's3-prefix': `s3://${bucket}/ci`,
    'execution-role-arn': ROLE,
    'application-id': appId,
    'hail-jar': 'build/hail-all-spark.jar',
    'hail-env-archive': 'build/pyspark_hail.tar.gz',
    'output-uri': `s3://${bucket}/out`,
  };
  return { bucket, appId, workspace, inputs };
}
async function pool(n, task) {
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

const faultOptions = (seed) => ({ rate: RATE, seed, phase: 'mixed', delayMs: 300 });
const s3Faults = await startFaultProxy({ target: stack.s3Endpoint, ...faultOptions(11) });
const emrFaults = await startFaultProxy({ target: stack.emrEndpoint, ...faultOptions(29) });
const faultyEnv = () => awsEnv({ s3: s3Faults.url, emr: emrFaults.url });
const started = Date.now();

// 1. Runs under injected faults: each must succeed and start exactly one job run.
const QUICK = 'import json, os\nprint("ok")\n';
const runs = await pool(RUNS, async () => {
  const f = await fresh(QUICK);
  const r = await runAction({
    workspace: f.workspace,
    inputs: f.inputs,
    env: faultyEnv(),
    timeoutMs: 120_000,
  });
  const jobs = await jobsOf(f.appId);
  const ok = r.code === 0 && r.outputs.state === 'SUCCESS';
  if (!ok)
    console.error(
      `run failed (exit ${r.code}):\n${r.stdout
        .split('\n')
        .filter((l) => l.startsWith('::error') || l.startsWith('::warning'))
        .join('\n')}`,
    );
  return { ok, jobs: jobs.length, ms: r.ms };
});
const injected = { s3: { ...s3Faults.counters.injected }, emr: { ...emrFaults.counters.injected } };
const totalRequests = s3Faults.counters.requests + emrFaults.counters.requests;

// 2. Cancel (SIGINT) and kill (SIGKILL, then the post step) trials, still under faults.
const SLEEPY = 'import time\nprint("working", flush=True)\ntime.sleep(120)\n';
const trials = await pool(TRIALS, async (i) => {
  const kind = i % 2 === 0 ? 'SIGINT' : 'SIGKILL';
  const f = await fresh(SLEEPY);
  const main = await runAction({
    workspace: f.workspace,
    inputs: f.inputs,
    env: faultyEnv(),
    timeoutMs: 120_000,
    onSpawn: (child) => {
      void eventually(async () => (await jobsOf(f.appId)).some((j) => j.state === 'RUNNING'), 60_000).then(
        () => child.kill(kind),
      );
    },
  });
  if (kind === 'SIGKILL' || main.code !== 1) {
    // The runner runs the post step after main, whatever happened to main.
    await runAction({
      workspace: f.workspace,
      inputs: f.inputs,
      env: faultyEnv(),
      entry: 'post',
      state: main.state,
    });
  }
  let jobs = [];
  try {
    await eventually(async () => {
      jobs = await jobsOf(f.appId);
      return jobs.every((j) => TERMINAL.has(j.state));
    }, 15_000);
  } catch {
    /* counted below */
  }
  const active = jobs.filter((j) => !TERMINAL.has(j.state) || j.pidAlive).length;
  return { kind, active, jobs: jobs.length };
});

// 3. Bad inputs: refused before any request (no faults needed: nothing should be sent at all).
// Fresh proxies, so that nothing still in flight from the trials can be counted against a bad input.
await s3Faults.close();
await emrFaults.close();
const s3Clean = await startFaultProxy({ target: stack.s3Endpoint, rate: 0 });
const emrClean = await startFaultProxy({ target: stack.emrEndpoint, rate: 0 });
const cleanEnv = () => awsEnv({ s3: s3Clean.url, emr: emrClean.url });
const badWorkspace = makeWorkspace(GOOD_FILES);
const bad = await pool(BAD_INPUTS.length, async (i) => {
  const [input, overrides] = BAD_INPUTS[i];
  const before = s3Clean.counters.requests + emrClean.counters.requests;
  const r = await runAction({
    workspace: badWorkspace,
    inputs: { ...GOOD_INPUTS, ...overrides },
    env: cleanEnv(),
  });
  const after = s3Clean.counters.requests + emrClean.counters.requests;
  // Bad runs run side by side, so a request from any of them would fail this check for all of them.
  const ok = r.code === 1 && r.stdout.includes(`input \`${input}\``) && after === before;
  if (!ok)
    console.error(
      `bad input not refused as expected: ${input} ${JSON.stringify(overrides)} (exit ${r.code})`,
    );
  return ok;
});

const figures = {
  faultRate: RATE,
  runsSucceeded: runs.filter((r) => r.ok).length,
  runs: runs.length,
  duplicateJobRuns: runs.reduce((n, r) => n + Math.max(0, r.jobs - 1), 0),
  runsWithoutJob: runs.filter((r) => r.jobs === 0).length,
  requestsThroughProxies: totalRequests,
  faultsInjected: injected,
  medianRunMs: runs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(runs.length / 2)],
  cancelAndKillTrials: trials.length,
  jobsLeftActive: trials.reduce((n, t) => n + t.active, 0),
  badInputsRejectedBeforeAnyRequest: bad.filter(Boolean).length,
  badInputs: bad.length,
  seconds: Math.round((Date.now() - started) / 1000),
};
await s3Clean.close();
await emrClean.close();
await stack.stop();

const line = (label, value, target) =>
  console.log(`${label.padEnd(66)} ${String(value).padEnd(10)} ${target}`);
console.log(`\nReliability on the local stack (${figures.seconds} s)`);
line(
  `runs under ${RATE * 100}% injected faults that succeeded`,
  `${figures.runsSucceeded}/${figures.runs}`,
  `target ${figures.runs}/${figures.runs}`,
);
line('duplicate job runs started', figures.duplicateJobRuns, 'target 0');
line(
  'faults injected (S3 / EMR)',
  `${sum(injected.s3)} / ${sum(injected.emr)}`,
  `of ${totalRequests} requests`,
);
line(
  'jobs left active after cancel (SIGINT) or kill (SIGKILL + post)',
  `${figures.jobsLeftActive} of ${figures.cancelAndKillTrials} trials`,
  'target 0',
);
line(
  'bad inputs rejected before any request',
  `${figures.badInputsRejectedBeforeAnyRequest}/${figures.badInputs}`,
  `target ${figures.badInputs}/${figures.badInputs}`,
);
writeFileSync(
  new URL('../bench/reliability.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), ...figures }, null, 2) + '\n',
);
const pass =
  figures.runsSucceeded === figures.runs &&
  figures.duplicateJobRuns === 0 &&
  figures.jobsLeftActive === 0 &&
  figures.badInputsRejectedBeforeAnyRequest === figures.badInputs;
process.exitCode = pass ? 0 : 1;

function sum(o) {
  return Object.values(o).reduce((a, b) => a + b, 0);
}
