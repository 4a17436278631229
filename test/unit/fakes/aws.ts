// Typed in-memory stand-ins for the SDK clients: each command is answered by a handler keyed by the
// command's class name, every call is recorded, and nothing touches the network.
import type { EMRServerlessClient, JobRun } from '@aws-sdk/client-emr-serverless';
import type { S3Client } from '@aws-sdk/client-s3';

type Handler = (input: Record<string, unknown>) => unknown;

export interface Call {
  command: string;
  input: Record<string, unknown>;
}

interface Fake {
  calls: Call[];
  /** Names of the commands sent, in order. */
  sent(): string[];
}

/** An SDK-shaped error: what the SDK throws for a service error (name, HTTP status). */
export function sdkError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function fakeClient(handlers: Record<string, Handler>): Fake & { send: (cmd: object) => Promise<unknown> } {
  const calls: Call[] = [];
  return {
    calls,
    sent: () => calls.map((c) => c.command),
    async send(cmd: object) {
      const command = cmd.constructor.name;
      const input = (cmd as { input: Record<string, unknown> }).input;
      calls.push({ command, input });
      const handler = handlers[command];
      if (!handler) throw new Error(`fake client: no handler for ${command}`);
      return handler(input);
    },
  };
}

export type FakeEmr = EMRServerlessClient & Fake;
export type FakeS3 = S3Client & Fake;

export function fakeEmr(handlers: Record<string, Handler>): FakeEmr {
  return fakeClient(handlers) as unknown as FakeEmr;
}

export function fakeS3(handlers: Record<string, Handler>): FakeS3 {
  return fakeClient(handlers) as unknown as FakeS3;
}

/** Answers GetJobRun with the given states in turn (the last one repeats). */
export function jobRunStates(...states: string[]): Handler {
  let i = 0;
  return (input) => {
    const state = states[Math.min(i++, states.length - 1)];
    return { jobRun: { applicationId: input.applicationId, jobRunId: input.jobRunId, state } };
  };
}

/** A clock that only moves when the code under test sleeps (or the test moves it). */
export function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => void (t += ms),
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

/** A JobRun with the fields the service always sets filled in, and the given ones on top. */
export function jobRun(fields: Partial<JobRun> = {}): JobRun {
  const t = new Date('2026-11-01T10:00:00Z');
  return {
    applicationId: 'app1',
    jobRunId: 'run1',
    arn: 'arn:aws:emr-serverless:us-east-1:123456789012:/applications/app1/jobruns/run1',
    createdBy: 'arn:aws:iam::123456789012:user/ci',
    createdAt: t,
    updatedAt: t,
    executionRole: 'arn:aws:iam::123456789012:role/hail-job',
    state: 'RUNNING',
    stateDetails: '',
    releaseLabel: 'emr-7.5.0',
    jobDriver: { sparkSubmit: { entryPoint: 's3://b/job.py' } },
    ...fields,
  };
}
