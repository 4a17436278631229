// The EMR Serverless side of the documented policies: every API call the action makes is judged
// for the GitHub role's session, StartJobRun also needs iam:PassRole (iam:PassedToService) and
// emr-serverless:TagResource (aws:RequestTag/*), and the job run reads and writes S3 as the runtime
// role. These run once the EMR fixture takes the local stack's `authorize`/`credentialsForRole`
// hooks (detected by the global setup as LOCAL_EMR_IAM=1); until then they are skipped.
import { describe, expect, it, jest } from '@jest/globals';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import {
  decisionsOf,
  describeDenials,
  documentedPolicy,
  emrIam,
  iamEnabled,
  registerGithubSession,
  registerRuntimeRole,
  unneededStatements,
  type PolicyDoc,
} from './iam.js';
import { freshBucket, putText, seedApplication } from './stack.js';

jest.setTimeout(180_000);
const maybe = iamEnabled() && emrIam() ? it : it.skip;

const PREFIX = 'hail-actions';
const OUTPUT_PREFIX = 'results';
const JOB_PY = `import os
import boto3
import hail as hl

hl.init(tmp_dir=os.environ["HAIL_TMP_DIR"])
out = os.environ["HAIL_OUTPUT_URI"]
hl.utils.range_table(3).write(f"{out}/t.ht")
bucket, _, prefix = out[len("s3://"):].partition("/")
boto3.client("s3").put_object(Bucket=bucket, Key=f"{prefix}/_action_result.json", Body=b'{"ok": true}')
print("done")
`;

async function setUp(githubPolicies: (values: Record<string, string>) => string[]) {
  const bucket = await freshBucket();
  const app = await seedApplication({ releaseLabel: 'emr-7.5.0' });
  const roleName = `hail-job-${bucket}`;
  const values = { BUCKET: bucket, PREFIX, OUTPUT_PREFIX, APPLICATION_ID: app, RUNTIME_ROLE_NAME: roleName };
  const runtimePolicy = documentedPolicy('job-runtime-role-policy', values);
  const runtime = await registerRuntimeRole([runtimePolicy], true, roleName);
  const github = await registerGithubSession(githubPolicies(values), true);
  await putText(bucket, `${PREFIX}/artifacts/prebuilt/hail-all-spark.jar`, 'jar');
  await putText(bucket, `${PREFIX}/artifacts/prebuilt/pyspark_hail.tar.gz`, 'env');
  const run = (inputs: Record<string, string>) =>
    runAction({
      workspace: makeWorkspace({ 'job.py': JOB_PY }),
      inputs: {
        script: 'job.py',
        's3-prefix': `s3://${bucket}/${PREFIX}`,
        'execution-role-arn': runtime.roleArn,
        'hail-version': '0.2.134',
        // Inside the prefix, under a path the roles may read (the documented artifacts area).
        'hail-jar': `s3://${bucket}/${PREFIX}/artifacts/prebuilt/hail-all-spark.jar`,
        'hail-env-archive': `s3://${bucket}/${PREFIX}/artifacts/prebuilt/pyspark_hail.tar.gz`,
        'output-uri': `s3://${bucket}/${OUTPUT_PREFIX}/run-1`,
        tags: 'team=genomics',
        ...inputs,
      },
      env: {
        ...awsEnv(),
        AWS_ACCESS_KEY_ID: github.accessKeyId,
        AWS_SECRET_ACCESS_KEY: github.secretAccessKey,
      },
      timeoutMs: 150_000,
    });
  return { bucket, app, values, github, runtime, runtimePolicy, run };
}

describe('the EMR side of the documented policies (strict reading)', () => {
  maybe(
    'application-id mode: zero denials; PassRole and TagResource are judged with their condition keys',
    async () => {
      const s = await setUp((v) => [documentedPolicy('github-role-policy', v)]);
      const r = await s.run({ 'application-id': s.app });
      expect([r.code, r.stdout.slice(-2000)]).toEqual([0, expect.anything()]);
      const github = await decisionsOf({ accessKeyId: s.github.accessKeyId });
      const runtime = await decisionsOf({ roleArn: s.runtime.roleArn });
      expect(describeDenials(github)).toEqual([]);
      expect(describeDenials(runtime)).toEqual([]);
      const pass = github.find((d) => d.action === 'iam:PassRole');
      expect(pass?.resource).toBe(s.runtime.roleArn);
      expect(pass?.context['iam:PassedToService']).toBe('emr-serverless.amazonaws.com');
      const tag = github.find((d) => d.action === 'emr-serverless:TagResource');
      expect(tag?.context['aws:TagKeys']).toEqual(expect.arrayContaining(['team']));
      // The job's own S3 traffic was the runtime role's: the entry point read, the output written.
      expect(runtime.map((d) => d.action)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject']));
      expect(unneededStatements(documentedPolicy('github-role-policy', s.values), github)).toEqual([]);
      expect(unneededStatements(s.runtimePolicy, runtime)).toEqual([]);
    },
  );

  maybe(
    'application-name mode: the additional policy is enough, and every statement of it is needed',
    async () => {
      const s = await setUp((v) => [
        documentedPolicy('github-role-policy', v),
        documentedPolicy('github-role-policy-application-name', v),
      ]);
      const r = await s.run({ 'application-name': `iam-${s.bucket}` });
      expect([r.code, r.stdout.slice(-2000)]).toEqual([0, expect.anything()]);
      const github = await decisionsOf({ accessKeyId: s.github.accessKeyId });
      expect(describeDenials(github)).toEqual([]);
      // Judged against the application-name policy alone: the base policy names another application.
      const appNamePolicy = documentedPolicy('github-role-policy-application-name', s.values);
      const emrCalls = github.filter(
        (d) => d.action.startsWith('emr-serverless:') || d.action.startsWith('iam:Create'),
      );
      expect(unneededStatements(appNamePolicy, emrCalls)).toEqual([]);
    },
  );

  maybe('a role that may not pass the runtime role to EMR Serverless cannot start the job run', async () => {
    const s = await setUp((v) => {
      const p = JSON.parse(documentedPolicy('github-role-policy', v)) as PolicyDoc & Record<string, unknown>;
      const passToGlue = p.Statement.map((st) =>
        st.Sid === 'PassTheJobRuntimeRoleToEmrServerlessOnly'
          ? { ...st, Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } } }
          : st,
      );
      return [JSON.stringify({ ...p, Statement: passToGlue })];
    });
    const r = await s.run({ 'application-id': s.app });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/iam:PassRole/);
    const denied = await decisionsOf({ accessKeyId: s.github.accessKeyId, denied: true });
    expect(denied.map((d) => d.action)).toContain('iam:PassRole');
  });
});
