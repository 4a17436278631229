// The EMR Serverless helpers and the SDK error classifier, on a fake client.
import { describe, expect, it } from '@jest/globals';
import {
  cancelJobRunUnlessEnded,
  findApplicationByName,
  getJobRun,
  isTerminal,
  listJobRunAttempts,
  startJobRun,
} from '../../../src/aws/emr.js';
import { isExpiredCredentials, isNotFound, isTransient } from '../../../src/aws/errors.js';
import { fakeEmr, jobRunStates, sdkError } from '../fakes/aws.js';

describe('isTerminal', () => {
  it.each(['SUCCESS', 'FAILED', 'CANCELLED'])('%s is terminal', (s) => expect(isTerminal(s)).toBe(true));
  it.each(['SUBMITTED', 'PENDING', 'SCHEDULED', 'QUEUED', 'RUNNING', 'CANCELLING', undefined])(
    '%s is not',
    (s) => expect(isTerminal(s)).toBe(false),
  );
});

describe('cancelJobRunUnlessEnded', () => {
  it('sends CancelJobRun and returns nothing when the cancel is accepted', async () => {
    const emr = fakeEmr({ CancelJobRunCommand: () => ({}) });
    expect(await cancelJobRunUnlessEnded(emr, 'app1', 'run1')).toBeUndefined();
    expect(emr.calls).toEqual([
      { command: 'CancelJobRunCommand', input: { applicationId: 'app1', jobRunId: 'run1' } },
    ]);
  });

  it('returns the ended job run when the service refuses to cancel a finished one', async () => {
    const emr = fakeEmr({
      CancelJobRunCommand: () => {
        throw sdkError('ValidationException', 400, 'Job run run1 is not in a cancellable state: SUCCESS');
      },
      GetJobRunCommand: jobRunStates('SUCCESS'),
    });
    expect(await cancelJobRunUnlessEnded(emr, 'app1', 'run1')).toMatchObject({ state: 'SUCCESS' });
  });

  it('rethrows the refusal when the job run is still active, or its state cannot be read', async () => {
    const refused = () => {
      throw sdkError('ValidationException', 400, 'refused');
    };
    const active = fakeEmr({ CancelJobRunCommand: refused, GetJobRunCommand: jobRunStates('CANCELLING') });
    await expect(cancelJobRunUnlessEnded(active, 'app1', 'run1')).rejects.toThrow('refused');
    const unreadable = fakeEmr({
      CancelJobRunCommand: refused,
      GetJobRunCommand: () => {
        throw sdkError('ExpiredTokenException', 403);
      },
    });
    await expect(cancelJobRunUnlessEnded(unreadable, 'app1', 'run1')).rejects.toThrow('refused');
  });
});

describe('reads', () => {
  it('getJobRun and startJobRun refuse an answer without the resource', async () => {
    const emr = fakeEmr({ GetJobRunCommand: () => ({}), StartJobRunCommand: () => ({}) });
    await expect(getJobRun(emr, 'app1', 'run1')).rejects.toThrow('GetJobRun returned no job run for run1');
    await expect(startJobRun(emr, { applicationId: 'app1' } as never)).rejects.toThrow(
      'StartJobRun returned no jobRunId',
    );
  });

  it('findApplicationByName pages through the list and takes the newest match', async () => {
    const emr = fakeEmr({
      ListApplicationsCommand: (input) =>
        input.nextToken
          ? { applications: [{ id: 'new', name: 'hail', createdAt: new Date('2026-02-01') }] }
          : {
              applications: [
                { id: 'old', name: 'hail', createdAt: new Date('2026-01-01') },
                { id: 'other', name: 'not-hail', createdAt: new Date('2026-03-01') },
              ],
              nextToken: 'p2',
            },
    });
    expect(await findApplicationByName(emr, 'hail')).toBe('new');
    expect(await findApplicationByName(emr, 'missing')).toBeUndefined();
    expect(emr.calls[0]!.input.states).not.toContain('TERMINATED');
  });

  it('listJobRunAttempts pages and sorts by attempt', async () => {
    const emr = fakeEmr({
      ListJobRunAttemptsCommand: (input) =>
        input.nextToken
          ? { jobRunAttempts: [{ attempt: 1 }] }
          : { jobRunAttempts: [{ attempt: 3 }, { attempt: 2 }], nextToken: 'n' },
    });
    expect((await listJobRunAttempts(emr, 'app1', 'run1')).map((a) => a.attempt)).toEqual([1, 2, 3]);
  });
});

describe('error classification', () => {
  it.each([
    [sdkError('InternalServerException', 500), true],
    [sdkError('ServiceUnavailableException', 503), true],
    [sdkError('ThrottlingException', 400), true],
    [sdkError('TooManyRequestsException', 429), true],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    [new Error('SDK error wrapper for TimeoutError: socket hang up'), true],
    [sdkError('ValidationException', 400), false],
    [sdkError('AccessDeniedException', 403), false],
    [sdkError('ResourceNotFoundException', 404), false],
    ['a string', false],
  ])('isTransient(%p) is %p', (err, expected) => expect(isTransient(err)).toBe(expected));

  it('knows expired credentials by name or message, and nothing else', () => {
    expect(isExpiredCredentials(sdkError('ExpiredTokenException', 403))).toBe(true);
    expect(
      isExpiredCredentials(
        sdkError('UnrecognizedClientException', 403, 'The security token included in the request is expired'),
      ),
    ).toBe(true);
    expect(isExpiredCredentials(sdkError('AccessDeniedException', 403, 'not authorized'))).toBe(false);
  });

  it('isNotFound: S3 missing keys (NotFound, NoSuchKey, 404), not a 403', () => {
    expect(isNotFound(sdkError('NotFound', 404))).toBe(true);
    expect(isNotFound(sdkError('NoSuchKey', 404))).toBe(true);
    expect(isNotFound(sdkError('Forbidden', 403))).toBe(false);
  });
});
