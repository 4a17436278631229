// The wait loop on a fake clock and a fake EMR client: deadlines, QUEUED, server errors, expired
// credentials and cancellation, without waiting.
import { describe, expect, it } from '@jest/globals';
import { describeStateChange, waitForJobRun, type WaitOptions } from '../../../src/run/wait.js';
import { fakeClock, fakeEmr, jobRunStates, sdkError } from '../fakes/aws.js';

const MINUTE = 60_000;

function options(
  emr: WaitOptions['emr'],
  clock: ReturnType<typeof fakeClock>,
  over: Partial<WaitOptions> = {},
) {
  const lines: string[] = [];
  const o: WaitOptions = {
    emr,
    applicationId: 'app1',
    jobRunId: 'run1',
    deadline: clock.now() + 30 * MINUTE,
    signal: new AbortController().signal,
    log: { info: (m) => lines.push(`info ${m}`), warning: (m) => lines.push(`warning ${m}`) },
    now: clock.now,
    sleep: clock.sleep,
    ...over,
  };
  return { o, lines };
}

describe('waitForJobRun', () => {
  it('polls through every non-terminal state, QUEUED included, until the job run ends', async () => {
    const clock = fakeClock();
    const emr = fakeEmr({
      GetJobRunCommand: jobRunStates('SUBMITTED', 'QUEUED', 'QUEUED', 'PENDING', 'RUNNING', 'SUCCESS'),
    });
    const { o, lines } = options(emr, clock);
    const out = await waitForJobRun(o);
    expect(out).toMatchObject({ kind: 'ended', run: { state: 'SUCCESS' } });
    expect(emr.sent()).toHaveLength(6);
    // One line per state change, not per poll.
    expect(lines.filter((l) => l.includes('->')).map((l) => /-> (\w+)/.exec(l)![1])).toEqual([
      'SUBMITTED',
      'QUEUED',
      'PENDING',
      'RUNNING',
      'SUCCESS',
    ]);
  });

  it.each(['FAILED', 'CANCELLED'])('%s ends the wait too', async (state) => {
    const clock = fakeClock();
    const emr = fakeEmr({ GetJobRunCommand: jobRunStates('RUNNING', state) });
    const out = await waitForJobRun(options(emr, clock).o);
    expect(out).toMatchObject({ kind: 'ended', run: { state } });
  });

  it('gives up at the deadline, never sleeping past it, with the last state seen', async () => {
    const clock = fakeClock();
    const start = clock.now();
    const emr = fakeEmr({ GetJobRunCommand: jobRunStates('RUNNING') });
    const { o } = options(emr, clock, { deadline: start + 7 * MINUTE });
    const out = await waitForJobRun(o);
    expect(out).toMatchObject({ kind: 'timeout', run: { state: 'RUNNING' } });
    expect(clock.now()).toBe(start + 7 * MINUTE);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(10_000);
    // Polls ramp down: seven minutes cost far fewer than one GetJobRun a second.
    expect(emr.sent().length).toBeGreaterThan(7 * 6 - 10);
    expect(emr.sent().length).toBeLessThan(120);
  });

  it('waits out a burst of server errors, giving back the time they cost', async () => {
    const clock = fakeClock();
    const start = clock.now();
    let calls = 0;
    const emr = fakeEmr({
      GetJobRunCommand: (input) => {
        calls++;
        if (calls >= 3 && calls <= 8) {
          clock.advance(20_000); // the SDK's own retries of one call
          throw sdkError('ServiceUnavailableException', 503);
        }
        return jobRunStates(calls < 12 ? 'RUNNING' : 'SUCCESS')(input);
      },
    });
    const { o, lines } = options(emr, clock, { deadline: start + 3 * MINUTE });
    const out = await waitForJobRun(o);
    expect(out).toMatchObject({ kind: 'ended', run: { state: 'SUCCESS' } });
    expect(lines.filter((l) => l.startsWith('warning GetJobRun failed'))).toHaveLength(6);
    // Two minutes went to failing calls: the three-minute deadline alone would have ended the wait.
    expect(clock.now() - start).toBeGreaterThan(2 * MINUTE);
  });

  it('gives back at most ten minutes: an outage that does not end is a timeout', async () => {
    const clock = fakeClock();
    const start = clock.now();
    const emr = fakeEmr({
      GetJobRunCommand: () => {
        clock.advance(30_000);
        throw sdkError('InternalServerException', 500);
      },
    });
    const out = await waitForJobRun(options(emr, clock, { deadline: start + 5 * MINUTE }).o);
    expect(out.kind).toBe('timeout');
    expect(clock.now() - start).toBeGreaterThanOrEqual(15 * MINUTE);
    expect(clock.now() - start).toBeLessThan(16 * MINUTE);
  });

  it('stops at once on expired credentials, keeping the last state seen', async () => {
    const clock = fakeClock();
    let calls = 0;
    const emr = fakeEmr({
      GetJobRunCommand: (input) => {
        if (++calls === 1) return jobRunStates('RUNNING')(input);
        throw sdkError('ExpiredTokenException', 403, 'The security token included in the request is expired');
      },
    });
    const out = await waitForJobRun(options(emr, clock).o);
    expect(out).toMatchObject({ kind: 'credentials-expired', run: { state: 'RUNNING' } });
    expect(emr.sent()).toHaveLength(2);
  });

  it('rethrows an error that waiting cannot fix', async () => {
    const clock = fakeClock();
    const emr = fakeEmr({
      GetJobRunCommand: () => {
        throw sdkError('AccessDeniedException', 403, 'not authorized to perform emr-serverless:GetJobRun');
      },
    });
    await expect(waitForJobRun(options(emr, clock).o)).rejects.toThrow(/not authorized/);
  });

  it('returns aborted when the workflow is cancelled, without another poll', async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    let calls = 0;
    const emr = fakeEmr({
      GetJobRunCommand: (input) => {
        if (++calls === 2) controller.abort();
        return jobRunStates('RUNNING')(input);
      },
    });
    const out = await waitForJobRun(options(emr, clock, { signal: controller.signal }).o);
    expect(out).toMatchObject({ kind: 'aborted', run: { state: 'RUNNING' } });
    expect(calls).toBe(2);
  });

  it('hands every successful poll to onPoll', async () => {
    const clock = fakeClock();
    const seen: string[] = [];
    const emr = fakeEmr({ GetJobRunCommand: jobRunStates('PENDING', 'RUNNING', 'SUCCESS') });
    await waitForJobRun(options(emr, clock, { onPoll: (r) => seen.push(r.state!) }).o);
    expect(seen).toEqual(['PENDING', 'RUNNING', 'SUCCESS']);
  });
});

describe('describeStateChange', () => {
  it('names both states, the time, the queue time, the attempt and the details', () => {
    const line = describeStateChange(
      {
        jobRunId: 'r1',
        state: 'FAILED',
        queuedDurationMilliseconds: 2500,
        attempt: 2,
        stateDetails: 'exit 1',
      } as never,
      { state: 'RUNNING' } as never,
      12.34,
    );
    expect(line).toBe('Job run r1: RUNNING -> FAILED after 12.3 s · queued 2.5 s · attempt 2 · exit 1');
  });
});
