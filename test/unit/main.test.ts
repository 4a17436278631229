// run() read top to bottom on typed fakes of the SDK clients (no network): inputs, application,
// re-attach, wait, settle, report and outputs, and the one failure line.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { JobRunState } from '@aws-sdk/client-emr-serverless';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { parseFileCommands } from '../fixtures/action-runner.mjs';
import { setRunnerEnv, type RunnerFiles } from './fakes/runner-env.js';
import { fakeEmr, fakeS3, jobRun, jobRunStates, sdkError, type FakeEmr, type FakeS3 } from './fakes/aws.js';

let clients: { emr: FakeEmr; s3: FakeS3; region: string } | undefined;
let created = 0;
jest.unstable_mockModule('../../src/aws/clients.js', () => ({
  createClients: (region: string) => {
    created++;
    return { ...clients!, region };
  },
}));
const { run } = await import('../../src/main.js');

const LOG_PREFIX = 'logs/applications/app1/jobs/run1/';
let files: RunnerFiles;
let stdout = '';

beforeEach(() => {
  files = setRunnerEnv('print("hi")\n', { GITHUB_RUN_ID: '1', RUNNER_TEMP: tmpdir() });
  process.chdir(files.workspace);
  process.exitCode = undefined;
  created = 0;
  stdout = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
});

function logsBucket(stderr: string): FakeS3 {
  const objects: Record<string, Buffer> = {
    [`${LOG_PREFIX}SPARK_DRIVER/stderr.gz`]: gzipSync(stderr),
    [`${LOG_PREFIX}SPARK_DRIVER/stdout.gz`]: gzipSync('hello from the job\n'),
  };
  return fakeS3({
    ListObjectsV2Command: (input) => ({
      Contents: Object.keys(objects)
        .filter((k) => k.startsWith(String(input.Prefix)))
        .map((Key) => ({ Key, Size: objects[Key]!.length, LastModified: new Date() })),
    }),
    GetObjectCommand: (input) => {
      const body = objects[String(input.Key)];
      if (!body) throw sdkError('NoSuchKey', 404);
      return { Body: Readable.from([body]), ContentLength: body.length };
    },
  });
}

const application = () => ({
  application: {
    applicationId: 'app1',
    state: 'STARTED',
    releaseLabel: 'emr-7.5.0',
    architecture: 'X86_64',
    autoStartConfiguration: { enabled: true },
  },
});
const ended = (state: JobRunState, stateDetails = '') =>
  jobRun({
    state,
    stateDetails,
    startedAt: new Date(Date.now() - 7_200_000),
    endedAt: new Date(Date.now() - 3_600_000),
    configurationOverrides: {
      monitoringConfiguration: { s3MonitoringConfiguration: { logUri: 's3://bkt/logs/' } },
    },
  });

describe('run()', () => {
  it('refuses a bad input before any AWS client exists, with the one failure prefix', async () => {
    process.env['INPUT_TIMEOUT-MINUTES'] = 'soon';
    await run();
    expect(created).toBe(0);
    expect(stdout).toMatch(/^::error::hail-emr-serverless failed: input `timeout-minutes`/m);
    expect(process.exitCode).toBe(1);
  });

  it('re-attaches to a job run that failed: waits, reports, sets outputs and fails with its headline', async () => {
    const emr = fakeEmr({
      GetApplicationCommand: application,
      GetJobRunCommand: () => ({ jobRun: ended('FAILED', 'Job failed, exit 1') }),
      GetDashboardForJobRunCommand: () => ({ url: 'https://ui.example/run1' }),
    });
    clients = {
      emr,
      s3: logsBucket('Traceback (most recent call last):\nValueError: bad cohort\n'),
      region: 'x',
    };
    process.env['INPUT_JOB-RUN-ID'] = 'run1';
    await run();
    expect(emr.sent()).toEqual([
      'GetApplicationCommand',
      'GetJobRunCommand', // attach
      'GetJobRunCommand', // the wait's first poll: already ended
      'GetDashboardForJobRunCommand',
    ]);
    const outputs = parseFileCommands(readFileSync(files.output, 'utf8'));
    expect(outputs).toMatchObject({ 'job-run-id': 'run1', state: 'FAILED', 'application-id': 'app1' });
    expect(readFileSync(files.summary, 'utf8')).toContain('ValueError: bad cohort');
    expect(stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      '::error::hail-emr-serverless failed: job run run1 ended FAILED: ValueError: bad cohort',
    ]);
    expect(process.exitCode).toBe(1);
    // An ended job run is the post step's business no longer.
    expect(parseFileCommands(readFileSync(files.state, 'utf8')).finished).toBe('true');
  });

  it('a job run that succeeded leaves the step green', async () => {
    const emr = fakeEmr({
      GetApplicationCommand: application,
      GetJobRunCommand: () => ({ jobRun: ended('SUCCESS') }),
      GetDashboardForJobRunCommand: () => ({}),
    });
    clients = { emr, s3: logsBucket(''), region: 'x' };
    process.env['INPUT_JOB-RUN-ID'] = 'run1';
    await run();
    expect(process.exitCode).toBeUndefined();
    expect(stdout).not.toContain('::error::');
    expect(parseFileCommands(readFileSync(files.output, 'utf8')).state).toBe('SUCCESS');
  });

  it('expired credentials while waiting: one error, the job run left for the post step to leave alone', async () => {
    const states = jobRunStates('RUNNING');
    let polls = 0;
    const emr = fakeEmr({
      GetApplicationCommand: application,
      GetJobRunCommand: (input) => {
        if (++polls === 1) return states(input);
        throw sdkError('ExpiredTokenException', 403, 'The security token included in the request is expired');
      },
    });
    clients = { emr, s3: logsBucket(''), region: 'x' };
    process.env['INPUT_JOB-RUN-ID'] = 'run1';
    await run();
    expect(stdout.split('\n').filter((l) => l.startsWith('::error::'))).toHaveLength(1);
    expect(stdout).toContain('re-attach in a later step with job-run-id: run1');
    const saved = parseFileCommands(readFileSync(files.state, 'utf8'));
    expect(saved).toMatchObject({ 'job-run-id': 'run1', 'left-active': 'credentials-expired' });
    expect(saved.finished).toBeUndefined();
    expect(emr.sent()).not.toContain('CancelJobRunCommand');
  });
});
