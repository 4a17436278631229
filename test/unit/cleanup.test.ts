// The post step (runPost) on a fake EMR client: what it leaves alone, what it cancels, and that it
// ends quietly when the job run ended by itself or main already reported why it left it active.
import { describe, expect, it, jest, beforeEach } from '@jest/globals';
import { fakeEmr, jobRunStates, sdkError, type FakeEmr } from './fakes/aws.js';

let emr: FakeEmr = fakeEmr({});
jest.unstable_mockModule('../../src/aws/emr-client.js', () => ({
  MAX_ATTEMPTS: 8,
  createEmrClient: () => emr,
}));
const { runPost } = await import('../../src/cleanup.js');

let out = '';
beforeEach(() => {
  out = '';
  process.exitCode = undefined;
  for (const k of Object.keys(process.env)) if (k.startsWith('STATE_')) delete process.env[k];
  jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
});

function state(values: Record<string, string>) {
  for (const [k, v] of Object.entries(values)) process.env[`STATE_${k}`] = v;
}
const active = {
  'job-run-id': 'run1',
  'application-id': 'app1',
  region: 'us-east-1',
  'cancel-on-abort': 'true',
};

describe('runPost', () => {
  it('does nothing without a job run, or once main saw it finish', async () => {
    emr = fakeEmr({});
    await runPost();
    state({ ...active, finished: 'true' });
    await runPost();
    expect(emr.sent()).toEqual([]);
    expect(process.exitCode).toBeUndefined();
  });

  it('cancels a job run main left active', async () => {
    emr = fakeEmr({ GetJobRunCommand: jobRunStates('RUNNING'), CancelJobRunCommand: () => ({}) });
    state(active);
    await runPost();
    expect(emr.sent()).toEqual(['GetJobRunCommand', 'CancelJobRunCommand']);
    expect(out).toContain(
      '::warning::The main step ended without finishing; cancelled job run run1 (was RUNNING)',
    );
    expect(process.exitCode).toBeUndefined();
  });

  it('never cancels a job run that already ended', async () => {
    emr = fakeEmr({ GetJobRunCommand: jobRunStates('SUCCESS') });
    state(active);
    await runPost();
    expect(emr.sent()).toEqual(['GetJobRunCommand']);
    expect(out).toContain('Job run run1 is SUCCESS; nothing to clean up');
  });

  it('a job run that ends between its GetJobRun and the cancel is no error', async () => {
    const states = jobRunStates('RUNNING', 'FAILED');
    emr = fakeEmr({
      GetJobRunCommand: states,
      CancelJobRunCommand: () => {
        throw sdkError('ValidationException', 400, 'Job run run1 is not in a cancellable state: FAILED');
      },
    });
    state(active);
    await runPost();
    expect(emr.sent()).toEqual(['GetJobRunCommand', 'CancelJobRunCommand', 'GetJobRunCommand']);
    expect(out).toContain('Job run run1 ended FAILED on its own; nothing to clean up');
    expect(out).not.toContain('::error::');
    expect(process.exitCode).toBeUndefined();
  });

  it('leaves a job run main left active on purpose (expired credentials), with no AWS call and no error', async () => {
    emr = fakeEmr({});
    state({ ...active, 'left-active': 'credentials-expired' });
    await runPost();
    expect(emr.sent()).toEqual([]);
    expect(out).toContain('Job run run1 was left active by the main step (credentials-expired)');
    expect(out).not.toContain('::error::');
  });

  it('cancel-on-abort false: says the job run may still run, and leaves it', async () => {
    emr = fakeEmr({});
    state({ ...active, 'cancel-on-abort': 'false' });
    await runPost();
    expect(emr.sent()).toEqual([]);
    expect(out).toContain('may still be running (cancel-on-abort: false)');
  });

  it('fails the post step when it cannot cancel an active job run', async () => {
    emr = fakeEmr({
      GetJobRunCommand: jobRunStates('RUNNING'),
      CancelJobRunCommand: () => {
        throw sdkError('AccessDeniedException', 403, 'not authorized');
      },
    });
    state(active);
    await runPost();
    expect(out).toContain(
      '::error::hail-emr-serverless post step could not cancel job run run1: not authorized',
    );
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
  });
});
