// settle(): what the action does once the wait is over, on a fake EMR client and a fake clock.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { settle } from '../../../src/run/settle.js';
import { fakeClock, fakeEmr, jobRun, jobRunStates, sdkError } from '../fakes/aws.js';

const config = { timeoutMinutes: 5, cancelOnAbort: true };
const running = jobRun({ state: 'RUNNING' });
const notCancellable = () => {
  throw sdkError('ValidationException', 400, 'Job run run1 is not in a cancellable state: SUCCESS');
};

let files: { output: string; state: string };
beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'settle-'));
  files = { output: join(dir, 'output'), state: join(dir, 'state') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  process.env.GITHUB_OUTPUT = files.output;
  process.env.GITHUB_STATE = files.state;
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

describe('settle', () => {
  it('reports a job run that ended as it is, with no further call', async () => {
    const emr = fakeEmr({});
    const run = jobRun({ state: 'FAILED' });
    expect(await settle({ emr }, config, 'app1', 'run1', { kind: 'ended', run })).toEqual({ run });
    expect(emr.sent()).toEqual([]);
  });

  it('on timeout cancels, then reports the CANCELLED state as ended by the action', async () => {
    const clock = fakeClock();
    const emr = fakeEmr({
      CancelJobRunCommand: () => ({}),
      GetJobRunCommand: jobRunStates('CANCELLING', 'CANCELLING', 'CANCELLED'),
    });
    const out = await settle({ emr }, config, 'app1', 'run1', { kind: 'timeout', run: running }, clock);
    expect(out).toMatchObject({ run: { state: 'CANCELLED' }, endedByAction: 'timeout' });
    expect(emr.sent()).toEqual([
      'CancelJobRunCommand',
      'GetJobRunCommand',
      'GetJobRunCommand',
      'GetJobRunCommand',
    ]);
  });

  it('gives up on CANCELLING after a minute and reports what it saw', async () => {
    const clock = fakeClock();
    const emr = fakeEmr({ CancelJobRunCommand: () => ({}), GetJobRunCommand: jobRunStates('CANCELLING') });
    const out = await settle({ emr }, config, 'app1', 'run1', { kind: 'timeout' }, clock);
    expect(out.run.state).toBe('CANCELLING');
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(60_000);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(62_000);
  });

  it.each(['timeout', 'aborted'] as const)(
    'on %s, a job run that ended before the cancel is reported as it ended (no error, not "ended by the action")',
    async (kind) => {
      const emr = fakeEmr({
        CancelJobRunCommand: notCancellable,
        GetJobRunCommand: jobRunStates('SUCCESS'),
      });
      const out = await settle({ emr }, config, 'app1', 'run1', { kind, run: running });
      expect(out).toEqual({ run: { applicationId: 'app1', jobRunId: 'run1', state: 'SUCCESS' } });
      expect(emr.sent()).toEqual(['CancelJobRunCommand', 'GetJobRunCommand']);
    },
  );

  it('a refused cancel of a job run still active is an error (the original one)', async () => {
    const emr = fakeEmr({
      CancelJobRunCommand: () => {
        throw sdkError('AccessDeniedException', 403, 'not authorized to perform emr-serverless:CancelJobRun');
      },
      GetJobRunCommand: jobRunStates('RUNNING'),
    });
    await expect(settle({ emr }, config, 'app1', 'run1', { kind: 'timeout', run: running })).rejects.toThrow(
      /not authorized to perform emr-serverless:CancelJobRun/,
    );
  });

  it('on abort cancels at once and fails the step, saying so', async () => {
    const emr = fakeEmr({ CancelJobRunCommand: () => ({}) });
    await expect(settle({ emr }, config, 'app1', 'run1', { kind: 'aborted', run: running })).rejects.toThrow(
      'the workflow was cancelled; job run run1 was cancelled',
    );
    expect(emr.sent()).toEqual(['CancelJobRunCommand']);
    expect(readFileSync(files.output, 'utf8')).toContain('CANCELLING');
  });

  it('cancel-on-abort false: no cancel, and the step fails saying the job run keeps running', async () => {
    const emr = fakeEmr({});
    await expect(
      settle({ emr }, { ...config, cancelOnAbort: false }, 'app1', 'run1', { kind: 'aborted', run: running }),
    ).rejects.toThrow('left running (cancel-on-abort: false)');
    expect(emr.sent()).toEqual([]);
  });

  it('expired credentials: no AWS call, one message with the re-attach hint, and state for the post step', async () => {
    const emr = fakeEmr({});
    await expect(
      settle({ emr }, config, 'app1', 'run1', {
        kind: 'credentials-expired',
        run: running,
        error: 'expired',
      }),
    ).rejects.toThrow(/was not cancelled.*re-attach in a later step with job-run-id: run1/);
    expect(emr.sent()).toEqual([]);
    expect(readFileSync(files.state, 'utf8')).toMatch(/left-active<<.*\ncredentials-expired\n/);
  });
});
