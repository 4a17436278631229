// The local EMR Serverless server's authorization hooks: every operation is put to `authorize`
// with its IAM action, resource ARN and condition context (as the Service Authorization Reference
// maps them), a denial is AWS's 403 AccessDeniedException, and `credentialsForRole` gives a job
// the execution role's credentials (or fails it when the role cannot be assumed).
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  CreateApplicationCommand,
  EMRServerlessClient,
  EMRServerlessServiceException,
  GetApplicationCommand,
  GetJobRunCommand,
  ListApplicationsCommand,
  StartJobRunCommand,
  type JobRun,
} from '@aws-sdk/client-emr-serverless';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type AuthorizeHook, type EmrServer } from '../fixtures/emr-server.mjs';
import { startOwnEmr, type OwnEmr } from './stack.js';
import { waitUntil } from '../fixtures/proc-util.mjs';

jest.setTimeout(60_000);
const ROLE = 'arn:aws:iam::123456789012:role/job-role';
const NO_CREDS_ROLE = 'arn:aws:iam::123456789012:role/cannot-assume';
const CALLER = 'AKIACALLER0000000001';

type Call = { accessKeyId?: string; action: string; resource: string; context: Record<string, unknown> };
const calls: Call[] = [];
let deny: string | undefined;
const authorize: AuthorizeHook = (accessKeyId, action, resource, context) => {
  calls.push({ accessKeyId, action, resource, context });
  return { allowed: action !== deny };
};

let own: OwnEmr;
let server: EmrServer;
let emr: EMRServerlessClient;
let s3: S3Client;
let bucket: string;
let appId: string;

beforeAll(async () => {
  // moto itself, not the shared stack's IAM proxy: this suite's role key is known only to this
  // server's own hooks (the IAM suites judge S3 through the proxy).
  own = await startOwnEmr({
    bucketPrefix: 'emr-authz',
    s3: 'moto',
    server: {
      stepMs: 20,
      logFlushMs: 100,
      authorize,
      credentialsForRole: (roleArn) =>
        roleArn === ROLE
          ? { accessKeyId: 'AKIAJOBROLE000000001', secretAccessKey: 'role-secret' }
          : undefined,
    },
    emrClient: { credentials: { accessKeyId: CALLER, secretAccessKey: 'x' }, maxAttempts: 1 },
  });
  ({ server, emr, s3, bucket } = own);
  appId = (await emr.send(new CreateApplicationCommand({ releaseLabel: 'emr-7.12.0', type: 'SPARK' })))
    .applicationId!;
});

afterAll(() => own?.close());

beforeEach(() => {
  calls.length = 0;
  deny = undefined;
});

const appArn = (id: string) => `arn:aws:emr-serverless:us-east-1:123456789012:/applications/${id}`;

async function startJob(executionRoleArn: string, tags?: Record<string, string>) {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'main.py',
      Body: 'import os\nprint("key", os.environ["AWS_ACCESS_KEY_ID"])\n',
    }),
  );
  return emr.send(
    new StartJobRunCommand({
      applicationId: appId,
      executionRoleArn,
      tags,
      jobDriver: { sparkSubmit: { entryPoint: `s3://${bucket}/main.py` } },
      configurationOverrides: {
        monitoringConfiguration: { s3MonitoringConfiguration: { logUri: `s3://${bucket}/logs/` } },
      },
    }),
  );
}

async function finished(jobRunId: string): Promise<JobRun> {
  return waitUntil(
    async () => {
      const jr = (await emr.send(new GetJobRunCommand({ applicationId: appId, jobRunId }))).jobRun!;
      return ['SUCCESS', 'FAILED', 'CANCELLED'].includes(jr.state!) ? jr : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 30, what: `job ${jobRunId}` },
  );
}

describe('authorize hook', () => {
  it('authorizes each operation with its IAM action and resource, with the SigV4 access key', async () => {
    await emr.send(new ListApplicationsCommand({}));
    await emr.send(new GetApplicationCommand({ applicationId: appId }));
    expect(calls).toEqual([
      { accessKeyId: CALLER, action: 'emr-serverless:ListApplications', resource: '*', context: {} },
      { accessKeyId: CALLER, action: 'emr-serverless:GetApplication', resource: appArn(appId), context: {} },
    ]);
  });

  it('StartJobRun needs iam:PassRole for emr-serverless, and TagResource on the new job run for its tags', async () => {
    const { jobRunId } = await startJob(ROLE, { team: 'genomics' });
    expect(calls.map((c) => [c.action, c.resource, c.context])).toEqual([
      ['emr-serverless:StartJobRun', appArn(appId), {}],
      ['iam:PassRole', ROLE, { 'iam:PassedToService': 'emr-serverless.amazonaws.com' }],
      [
        'emr-serverless:TagResource',
        `${appArn(appId)}/jobruns/${jobRunId}`,
        { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'genomics' },
      ],
    ]);
    await finished(jobRunId!);
    const jobCalls = calls.filter((c) => c.action === 'emr-serverless:GetJobRun');
    expect(jobCalls[0]!.resource).toBe(`${appArn(appId)}/jobruns/${jobRunId}`);
  });

  it('CreateApplication with tags needs TagResource with the request tags', async () => {
    await emr.send(
      new CreateApplicationCommand({
        releaseLabel: 'emr-7.12.0',
        type: 'SPARK',
        tags: { 'created-by': 'x' },
      }),
    );
    expect(calls.map((c) => [c.action, c.resource, c.context])).toEqual([
      [
        'emr-serverless:CreateApplication',
        '*',
        { 'aws:TagKeys': ['created-by'], 'aws:RequestTag/created-by': 'x' },
      ],
      [
        'emr-serverless:TagResource',
        '*',
        { 'aws:TagKeys': ['created-by'], 'aws:RequestTag/created-by': 'x' },
      ],
      [
        'iam:CreateServiceLinkedRole',
        expect.stringMatching(
          /^arn:aws:iam::\d{12}:role\/aws-service-role\/ops\.emr-serverless\.amazonaws\.com\/AWSServiceRoleForAmazonEMRServerless$/,
        ),
        { 'iam:AWSServiceName': 'ops.emr-serverless.amazonaws.com' },
      ],
    ]);
  });

  it.each(['emr-serverless:StartJobRun', 'iam:PassRole', 'emr-serverless:TagResource'])(
    'answers 403 AccessDeniedException in AWS words when %s is denied, and starts nothing',
    async (action) => {
      deny = action;
      const before = server.state.jobs.size;
      const err = await startJob(ROLE, { team: 'genomics' }).catch((e: unknown) => e);
      // the SDK has no modelled AccessDeniedException for this service: it arrives by name
      expect(err).toBeInstanceOf(EMRServerlessServiceException);
      expect((err as EMRServerlessServiceException).name).toBe('AccessDeniedException');
      expect((err as EMRServerlessServiceException).$metadata.httpStatusCode).toBe(403);
      expect((err as Error).message).toMatch(
        new RegExp(
          `^User: \\S+ is not authorized to perform: ${action} on resource: \\S+ because no identity-based policy allows the ${action} action$`,
        ),
      );
      expect(server.state.jobs.size).toBe(before);
    },
  );
});

describe('credentialsForRole hook', () => {
  it("runs the job with the execution role's credentials", async () => {
    const { jobRunId } = await startJob(ROLE);
    const jr = await finished(jobRunId!);
    expect(jr.state).toBe('SUCCESS');
    const res = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: `logs/applications/${appId}/jobs/${jobRunId}/SPARK_DRIVER/stdout.gz`,
      }),
    );
    const stdout = gunzipSync(Buffer.from(await res.Body!.transformToByteArray())).toString('utf8');
    expect(stdout).toContain('key AKIAJOBROLE000000001');
  });

  it('fails the job, without logs, when the role cannot be assumed', async () => {
    const { jobRunId } = await startJob(NO_CREDS_ROLE);
    const jr = await finished(jobRunId!);
    expect(jr.state).toBe('FAILED');
    expect(jr.stateDetails).toContain(`could not assume the job execution role ${NO_CREDS_ROLE}`);
    const log = await s3
      .send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: `logs/applications/${appId}/jobs/${jobRunId}/SPARK_DRIVER/stderr.gz`,
        }),
      )
      .catch((e: { name?: string }) => e.name);
    expect(log).toBe('NoSuchKey');
  });
});
