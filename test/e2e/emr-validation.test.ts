// The local EMR Serverless server validates requests as the service does: against botocore's model
// of EMR Serverless (constraints read from service-2.json.gz, not written here), and it honours
// clientToken idempotency with a ConflictException for a reused token on a different request.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ConflictException,
  CreateApplicationCommand,
  EMRServerlessClient,
  StartJobRunCommand,
  ValidationException,
  type StartJobRunCommandInput,
} from '@aws-sdk/client-emr-serverless';
import { startEmrServer, type ControlJob, type EmrServer } from '../fixtures/emr-server.mjs';

const T = 30_000;
const ROLE = 'arn:aws:iam::123456789012:role/emr-serverless-job-role';
let server: EmrServer;
let emr: EMRServerlessClient;
let appId: string;

beforeAll(async () => {
  // Jobs wait in QUEUED: these tests are about what the service accepts, not about running jobs.
  server = await startEmrServer({ holdQueued: true, stepMs: 10 });
  emr = new EMRServerlessClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    endpoint: server.url,
    maxAttempts: 1,
  });
  appId = (await emr.send(new CreateApplicationCommand({ releaseLabel: 'emr-7.12.0', type: 'SPARK' })))
    .applicationId!;
}, T);

afterAll(async () => {
  emr?.destroy();
  await server?.close();
}, T);

function request(extra: Partial<StartJobRunCommandInput> = {}): StartJobRunCommandInput {
  return {
    applicationId: appId,
    executionRoleArn: ROLE,
    jobDriver: {
      sparkSubmit: { entryPoint: 's3://bucket/scripts/main.py', entryPointArguments: ['--n', '1'] },
    },
    configurationOverrides: {
      applicationConfiguration: [{ classification: 'spark-defaults', properties: { 'spark.a': 'b' } }],
    },
    ...extra,
  };
}

const props = (properties: Record<string, string>): Partial<StartJobRunCommandInput> => ({
  configurationOverrides: { applicationConfiguration: [{ classification: 'spark-defaults', properties }] },
});

async function refusal(input: StartJobRunCommandInput): Promise<string> {
  const jobsBefore = server.state.jobs.size;
  const err = await emr.send(new StartJobRunCommand(input)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationException);
  expect((err as ValidationException).$metadata.httpStatusCode).toBe(400);
  expect(server.state.jobs.size).toBe(jobsBefore); // refused before any job run exists
  return (err as Error).message;
}

describe('request validation from the service model', () => {
  it('accepts a valid request (so the refusals below are about the broken field)', async () => {
    const out = await emr.send(new StartJobRunCommand(request({ name: 'n'.repeat(256), tags: { a: 'b' } })));
    expect(out.jobRunId).toMatch(/^[0-9a-z]+$/);
  });

  it('refuses tag keys and values outside ASCII [A-Za-z0-9 /_.:=+@-]', async () => {
    expect(await refusal(request({ tags: { 'team!': 'x' } }))).toBe(
      "1 validation error detected: Value '{team!=x}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [A-Za-z0-9 /_.:=+@-]+]",
    );
    expect(await refusal(request({ tags: { team: 'génomique' } }))).toContain(
      "at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must satisfy regular expression pattern: [A-Za-z0-9 /_.:=+@-]*]",
    );
  });

  it('refuses a job run name longer than 256 characters', async () => {
    const name = 'n'.repeat(257);
    expect(await refusal(request({ name }))).toBe(
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
  });

  it('refuses more than 100 properties in one classification', async () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`spark.p${i}`, 'v']));
    expect(await refusal(request(props(many)))).toContain(
      "at 'configurationOverrides.applicationConfiguration.1.member.properties' failed to satisfy constraint: Member must have length less than or equal to 100",
    );
  });

  it('refuses a Spark property value longer than 1,024 characters, or blank', async () => {
    expect(await refusal(request(props({ 'spark.jars': 'j'.repeat(1025) })))).toContain(
      'Map value must satisfy constraint: [Member must have length less than or equal to 1024]',
    );
    expect(await refusal(request(props({ 'spark.jars': '' })))).toContain(
      'Map value must satisfy constraint: [Member must satisfy regular expression pattern: .*\\S.*]',
    );
    // 1,024 characters exactly is fine
    await emr.send(new StartJobRunCommand(request(props({ 'spark.jars': 'j'.repeat(1024) }))));
  });

  it('refuses more than 1,024 entry-point arguments, and blank ones', async () => {
    const args = Array.from({ length: 1025 }, (_, i) => `a${i}`);
    const tooMany = request({
      jobDriver: { sparkSubmit: { entryPoint: 's3://b/m.py', entryPointArguments: args } },
    });
    expect(await refusal(tooMany)).toContain(
      "at 'jobDriver.sparkSubmit.entryPointArguments' failed to satisfy constraint: Member must have length less than or equal to 1024",
    );
    const blank = request({
      jobDriver: { sparkSubmit: { entryPoint: 's3://b/m.py', entryPointArguments: ['x', ' '] } },
    });
    expect(await refusal(blank)).toContain(
      "at 'jobDriver.sparkSubmit.entryPointArguments.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\S.*",
    );
  });

  it('refuses a clientToken outside [A-Za-z0-9._-]{1,64}', async () => {
    expect(await refusal(request({ clientToken: 'run 1/leg:2' }))).toBe(
      "1 validation error detected: Value 'run 1/leg:2' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9._-]+",
    );
    expect(await refusal(request({ clientToken: 'a'.repeat(65) }))).toContain(
      'Member must have length less than or equal to 64',
    );
  });

  it('reports every broken member at once, and required members that are missing', async () => {
    const res = await fetch(`${server.url}/applications/${appId}/jobruns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jobDriver: { sparkSubmit: { entryPoint: 's3://b/m.py' } },
        name: 'x'.repeat(300),
      }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
    const { message } = (await res.json()) as { message: string };
    expect(message).toMatch(/^3 validation errors detected: /);
    expect(message).toContain(
      "Value null at 'clientToken' failed to satisfy constraint: Member must not be null",
    );
    expect(message).toContain(
      "Value null at 'executionRoleArn' failed to satisfy constraint: Member must not be null",
    );
    expect(message).toContain(
      "at 'name' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
  });

  it('validates CreateApplication too (application name pattern and length)', async () => {
    const err = await emr
      .send(new CreateApplicationCommand({ name: 'my app', releaseLabel: 'emr-7.12.0', type: 'SPARK' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toBe(
      "1 validation error detected: Value 'my app' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9._/#-]+",
    );
  });
});

describe('clientToken idempotency', () => {
  it('returns the first job run for the same request, and a ConflictException for a different one', async () => {
    const clientToken = `tok-${Date.now()}`;
    const first = await emr.send(new StartJobRunCommand(request({ clientToken })));
    const again = await emr.send(new StartJobRunCommand(request({ clientToken })));
    expect(again.jobRunId).toBe(first.jobRunId);

    const otherArgs = request({
      clientToken,
      jobDriver: {
        sparkSubmit: { entryPoint: 's3://bucket/scripts/main.py', entryPointArguments: ['--n', '2'] },
      },
    });
    const err = await emr.send(new StartJobRunCommand(otherArgs)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictException);
    expect((err as ConflictException).$metadata.httpStatusCode).toBe(409);
    const conf = await emr
      .send(new StartJobRunCommand({ ...request(props({ 'spark.a': 'c' })), clientToken }))
      .catch((e: unknown) => e);
    expect(conf).toBeInstanceOf(ConflictException);

    // a fresh token for the different request makes a second job run
    const second = await emr.send(new StartJobRunCommand({ ...otherArgs, clientToken: `${clientToken}-2` }));
    expect(second.jobRunId).not.toBe(first.jobRunId);
    const { jobs } = (await (await fetch(`${server.url}/__control/jobs`)).json()) as { jobs: ControlJob[] };
    expect(jobs.filter((j) => j.clientToken === clientToken)).toHaveLength(1);
  });

  it('treats a CreateApplication token the same way', async () => {
    const clientToken = `app-${Date.now()}`;
    const a = await emr.send(
      new CreateApplicationCommand({ releaseLabel: 'emr-7.12.0', type: 'SPARK', clientToken }),
    );
    const b = await emr.send(
      new CreateApplicationCommand({ releaseLabel: 'emr-7.12.0', type: 'SPARK', clientToken }),
    );
    expect(b.applicationId).toBe(a.applicationId);
    await expect(
      emr.send(new CreateApplicationCommand({ releaseLabel: 'emr-7.5.0', type: 'SPARK', clientToken })),
    ).rejects.toBeInstanceOf(ConflictException);
  });
});
