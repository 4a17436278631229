// Nothing leaves the workspace, and nothing the job, S3 or the user's inputs say drives the runner.
// Each case runs dist/index.js as the runner does; what the runner would make of the step's stdout
// comes from `runnerView` (the runner's own command parser and secret masker, re-implemented).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runnerView, type RunnerCommand } from '../fixtures/action-runner.mjs';
import { awsEnv, makeWorkspace, runAction, type RunResult } from './harness.js';
import {
  expectRefusedBeforeAnyRequest,
  freshBucket,
  s3Client,
  seedApplication,
  startRecorder,
  startRewriter,
} from './stack.js';

jest.setTimeout(120_000);

const ROLE = 'arn:aws:iam::123456789012:role/hail-job';
const TOKEN = 'ghs_securityTestToken0123456789abcdef';

/** Every kind of workflow command a hostile text might try, each tagged INJECTED. */
const PAYLOAD_LINES = [
  '::add-mask::INJECTED-mask',
  '::error file=.github/workflows/ci.yml,line=1::INJECTED-error',
  '::set-output name=state::INJECTED-output',
  '::warning::INJECTED-warning',
  '  ::notice::INJECTED-indented',
  '::ADD-MASK::INJECTED-upper',
  'text then ##[add-mask]INJECTED-v1',
  '::stop-commands::INJECTED-stop',
];

/**
 * Commands the runner acts on that the action did not issue itself: the action only masks the
 * token, opens and closes groups and stop-commands blocks, and annotates.
 */
function foreignCommands(r: RunResult): RunnerCommand[] {
  const { commands } = runnerView(r.stdout);
  return commands.filter((c) => {
    // An injected command carries the payload as its data; the action's own error line may quote it
    // (escaped, inside its data) and is not one.
    if (/^INJECTED/i.test(c.data) || Object.values(c.properties).some((v) => /INJECTED/i.test(v)))
      return true;
    if (c.command === 'add-mask') return c.data !== TOKEN;
    return !['group', 'endgroup', 'stop-commands', 'warning', 'error', 'notice', 'debug'].includes(c.command);
  });
}

async function prebuilt(bucket: string): Promise<Record<string, string>> {
  const s3 = s3Client();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/hail-all-spark.jar', Body: 'jar' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/pyspark_hail.tar.gz', Body: 'tgz' }));
  return {
    'hail-jar': `s3://${bucket}/a/hail-all-spark.jar`,
    'hail-env-archive': `s3://${bucket}/a/pyspark_hail.tar.gz`,
  };
}

async function setup(script: string) {
  const bucket = await freshBucket();
  const app = await seedApplication();
  const workspace = makeWorkspace({ 'job.py': script });
  const inputs: Record<string, string> = {
    script: 'job.py',
    's3-prefix': `s3://${bucket}/ci`,
    'execution-role-arn': ROLE,
    'application-id': app,
    'hail-version': '0.2.134',
    'github-token': TOKEN,
    ...(await prebuilt(bucket)),
  };
  return { bucket, app, workspace, inputs };
}

describe('workspace paths are resolved before anything is read', () => {
  let s3: Awaited<ReturnType<typeof startRecorder>>;
  let emr: Awaited<ReturnType<typeof startRecorder>>;
  let workspace: string;
  beforeAll(async () => {
    s3 = await startRecorder(process.env.LOCAL_S3_ENDPOINT);
    emr = await startRecorder(process.env.LOCAL_EMR_ENDPOINT);
    const outside = mkdtempSync(join(tmpdir(), 'hes-outside-'));
    for (const f of ['secret.py', 'hail.jar', 'env.tar.gz', 'requirements.txt', 'lib/mod.py']) {
      mkdirSync(join(outside, f, '..'), { recursive: true });
      writeFileSync(join(outside, f), 'AWS_SECRET_ACCESS_KEY=outside-the-workspace\n');
    }
    workspace = makeWorkspace({ 'jobs/gwas.py': 'print(1)\n', 'jobs/real.py': 'X = 1\n' });
    symlinkSync('/proc/self/environ', join(workspace, 'jobs/helpers.py'));
    symlinkSync(join(outside, 'secret.py'), join(workspace, 'jobs/outside.py'));
    symlinkSync(join(outside, 'hail.jar'), join(workspace, 'hail.jar'));
    symlinkSync(join(outside, 'env.tar.gz'), join(workspace, 'env.tar.gz'));
    symlinkSync(join(outside, 'requirements.txt'), join(workspace, 'requirements.txt'));
    symlinkSync(join(outside, 'lib'), join(workspace, 'lib')); // a directory link: lib/mod.py is outside
    symlinkSync('real.py', join(workspace, 'jobs/alias.py')); // inside: allowed
    execFileSync('mkfifo', [join(workspace, 'jobs/pipe.py')]);
  });
  afterAll(async () => {
    await s3.close();
    await emr.close();
  });

  const base = {
    script: 'jobs/gwas.py',
    's3-prefix': 's3://genomics-bucket/ci',
    'execution-role-arn': ROLE,
    'application-id': '00fsymlink0001',
    'hail-version': '0.2.134',
    'hail-jar': 's3://genomics-bucket/a/hail-all-spark.jar',
    'hail-env-archive': 's3://genomics-bucket/a/pyspark_hail.tar.gz',
  };
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'py-files',
      { 'py-files': 'jobs/helpers.py' },
      /resolves to \/proc\/(self|\d+)\/environ, outside the workspace/,
    ],
    [
      'py-files',
      { 'py-files': 'jobs/real.py\njobs/outside.py' },
      /resolves to .*secret\.py, outside the workspace/,
    ],
    ['py-files', { 'py-files': 'lib/mod.py' }, /outside the workspace/],
    ['script', { script: 'jobs/outside.py' }, /outside the workspace/],
    ['hail-jar', { 'hail-jar': 'hail.jar', 'hail-env-archive': 'env.tar.gz' }, /outside the workspace/],
    ['hail-env-archive', { 'hail-env-archive': 'env.tar.gz' }, /outside the workspace/],
    ['python-requirements', { 'python-requirements': 'requirements.txt' }, /outside the workspace/],
    ['py-files', { 'py-files': 'jobs/pipe.py' }, /not a regular file/],
  ];

  it.each(cases)('%s: %j is refused before any request, naming the input', async (input, overrides, why) => {
    await expectRefusedBeforeAnyRequest(
      { workspace, inputs: { ...base, ...overrides }, s3, emr },
      input,
      why,
    );
  });

  it('accepts a link to a file inside the workspace, under the link’s own name', async () => {
    const r = await runAction({
      workspace,
      inputs: { ...base, 'py-files': 'jobs/alias.py', 'dry-run': 'true' },
      env: awsEnv({ s3: s3.url, emr: emr.url }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--py-files s3:\/\/genomics-bucket\/ci\/scripts\/[0-9a-f]{64}\/alias\.py/);
  });
});

describe('workflow commands from the job, S3 or the inputs never reach the runner', () => {
  it('a job whose exception (and so its stateDetails) carries workflow commands drives nothing', async () => {
    const message = ['boom ##[add-mask]INJECTED-inline', ...PAYLOAD_LINES].join('\\n');
    const { workspace, inputs } = await setup(`raise ValueError("${message}")\n`);
    // AWS's stateDetails quotes the "last few exceptions", several lines of them: the fixture keeps
    // one line, so the proxy adds the rest, as AWS may.
    const proxy = await startRewriter(process.env.LOCAL_EMR_ENDPOINT!, (req, body) => {
      if (req.method !== 'GET' || !/\/jobruns\/[^/?]+(\?|$)/.test(req.path)) return undefined;
      const json = JSON.parse(body.toString()) as { jobRun?: { stateDetails?: string } };
      if (!json.jobRun?.stateDetails) return undefined;
      json.jobRun.stateDetails += '\n' + PAYLOAD_LINES.join('\n') + '\r::warning::INJECTED-cr';
      return Buffer.from(JSON.stringify(json));
    });
    try {
      const r = await runAction({ workspace, inputs, env: awsEnv({ emr: proxy.url }) });
      expect(r.code).toBe(1);
      expect(r.outputs.state).toBe('FAILED');
      expect(r.stdout).toContain('INJECTED-inline'); // the text was printed...
      expect(r.stdout).toContain('INJECTED-cr');
      expect(foreignCommands(r)).toEqual([]); // ...and drove nothing
      expect(r.outputs.state).toBe('FAILED');
    } finally {
      await proxy.close();
    }
  });

  async function dryRunNamed(name: string): Promise<RunResult> {
    const ws = makeWorkspace({ 'job.py': 'print(1)\n' });
    return runAction({
      workspace: ws,
      inputs: {
        script: 'job.py',
        's3-prefix': 's3://genomics-bucket/ci',
        'execution-role-arn': ROLE,
        'application-id': '00fdryrun0001',
        'hail-version': '0.2.134',
        'hail-jar': 's3://genomics-bucket/a/hail-all-spark.jar',
        'hail-env-archive': 's3://genomics-bucket/a/pyspark_hail.tar.gz',
        'dry-run': 'true',
        'github-token': TOKEN,
        name,
      },
      env: awsEnv(),
    });
  }

  it('a dry run whose name holds workflow commands prints it and drives nothing', async () => {
    const r = await dryRunNamed('gwas ##[add-mask]INJECTED-name ##[set-output name=state]INJECTED');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('INJECTED-name'); // printed (request JSON, CLI command)...
    expect(foreignCommands(r)).toEqual([]); // ...inert
  });

  it('a name of several lines is refused (AWS takes one line), and drives nothing', async () => {
    const r = await dryRunNamed(
      'gwas\n::add-mask::INJECTED-mask\n::warning::INJECTED-w\n::stop-commands::INJECTED-stop',
    );
    expect(foreignCommands(r)).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::.*input `name`: .*control character/);
  });

  it('a cache manifest whose fields hold workflow commands drives nothing', async () => {
    const bucket = await freshBucket();
    const app = await seedApplication({ releaseLabel: 'emr-7.5.0' });
    const bin = mkdtempSync(join(tmpdir(), 'stand-in-docker-'));
    writeFileSync(
      join(bin, 'docker'),
      `#!/usr/bin/env bash
if [ "$1" = buildx ] && [ "$2" = version ]; then echo "buildx v0.20.0"; exit 0; fi
for arg in "$@"; do case "$arg" in type=local,dest=*) dest="\${arg#type=local,dest=}" ;; esac; done
mkdir -p "$dest"; echo jar > "$dest/hail-all-spark.jar"; echo env > "$dest/pyspark_hail.tar.gz"
`,
      { mode: 0o755 },
    );
    const ws = makeWorkspace({ 'job.py': 'print(1)\n' });
    const inputs = {
      script: 'job.py',
      's3-prefix': `s3://${bucket}/ci`,
      'execution-role-arn': ROLE,
      'application-id': app,
      'hail-version': '0.2.134',
      'github-token': TOKEN,
    };
    const env = { ...awsEnv(), PATH: `${bin}:${process.env.PATH}` };
    const first = await runAction({ workspace: ws, inputs, env });
    expect(first.outputs['hail-artifacts-source']).toBe('built');
    const jarUri = first.outputs['hail-jar-uri']!;
    const key = `${jarUri.slice(`s3://${bucket}/`.length, jarUri.lastIndexOf('/'))}/manifest.json`;
    const s3 = s3Client();
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const manifest = JSON.parse(await got.Body!.transformToString()) as Record<string, string>;
    manifest.builder = `someone ##[add-mask]INJECTED-builder\n${PAYLOAD_LINES.join('\n')}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(manifest) }));

    const second = await runAction({ workspace: ws, inputs, env });
    expect(second.outputs['hail-artifacts-source']).toBe('cache-hit');
    expect(second.stdout).toContain('INJECTED-builder');
    expect(foreignCommands(second)).toEqual([]);
  });
});

describe('three guards nothing else protects', () => {
  it('the github-token is masked before any line could show it, and a line that shows it is masked', async () => {
    // The job prints the token (as a leaked value would be): the runner must show *** instead.
    const { workspace, inputs } = await setup(
      `import time\nprint("leaked: ${TOKEN}", flush=True)\ntime.sleep(6.5)\n`,
    );
    const r = await runAction({ workspace, inputs, env: awsEnv() });
    expect(r.code).toBe(0);
    const view = runnerView(r.stdout);
    const lines = r.stdout.split(/\r\n|\r|\n/);
    const maskAt = lines.findIndex((l) => l === `::add-mask::${TOKEN}`);
    const firstShowing = lines.findIndex((l) => l.includes(TOKEN) && l !== `::add-mask::${TOKEN}`);
    expect(maskAt).toBeGreaterThanOrEqual(0);
    expect(firstShowing).toBeGreaterThan(maskAt); // the live log printed it, after the mask
    expect(view.lines.join('\n')).toContain('leaked: ***');
    expect(view.lines.join('\n')).not.toContain(TOKEN);
  });

  it.each([
    ['public', { private: false }],
    ['of unknown visibility', undefined],
  ])('the Spark UI link (a bearer link) stays out of a %s repository’s summary and log', async (_, repo) => {
    const { workspace, inputs } = await setup('print("ok")\n');
    const eventPath = join(mkdtempSync(join(tmpdir(), 'hes-event-')), 'event.json');
    writeFileSync(
      eventPath,
      JSON.stringify(repo ? { repository: { full_name: 'genomics-lab/gwas', ...repo } } : {}),
    );
    const r = await runAction({ workspace, inputs, env: { ...awsEnv(), GITHUB_EVENT_PATH: eventPath } });
    expect(r.code).toBe(0);
    expect(r.summary).toContain('Spark UI: open it from the job run in the EMR console');
    expect(r.summary + r.stdout).not.toMatch(/emrappui|authToken/);
  });

  it('a private repository’s summary does get the link (so the check above can see one)', async () => {
    const { workspace, inputs } = await setup('print("ok")\n');
    const eventPath = join(mkdtempSync(join(tmpdir(), 'hes-event-')), 'event.json');
    writeFileSync(
      eventPath,
      JSON.stringify({ repository: { full_name: 'genomics-lab/gwas', private: true } }),
    );
    const r = await runAction({ workspace, inputs, env: { ...awsEnv(), GITHUB_EVENT_PATH: eventPath } });
    expect(r.code).toBe(0);
    expect(r.summary).toMatch(
      /\[Spark UI\]\(<https:\/\/p-[0-9a-z]+-[0-9a-z]+\.emrappui-prod\.us-east-1\.amazonaws\.com\//,
    );
    expect(r.stdout).not.toMatch(/emrappui/);
  });

  it('live driver log lines are printed with workflow commands switched off', async () => {
    const printed = PAYLOAD_LINES.map((l) => `print(${JSON.stringify(l)})`).join('\n');
    const { workspace, inputs } = await setup(
      `import time, sys\n${printed}\nsys.stdout.flush()\ntime.sleep(6.5)\n`,
    );
    const r = await runAction({ workspace, inputs, env: awsEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::group::Driver stdout/);
    const view = runnerView(r.stdout);
    expect(view.lines).toContain('::warning::INJECTED-warning'); // shown as text...
    expect(foreignCommands(r)).toEqual([]); // ...never acted on
  });
});
