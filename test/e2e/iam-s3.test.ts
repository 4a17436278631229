// The documented IAM policies, applied as the README's quick start applies them, on a local stack
// that judges every S3 request as AWS IAM does (test/fixtures/iam/): the action (dist/index.js)
// runs as a session of the GitHub role, jobs as the runtime role (once the EMR fixture hands job
// runs their role's credentials), under both readings of S3's 403-not-404 rule.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { evaluatePolicies } from '../fixtures/iam/evaluate.mjs';
import type { DecisionRecord } from '../fixtures/iam/principals.mjs';
import { awsEnv, makeWorkspace, runAction, type RunResult } from './harness.js';
import {
  decisionsOf,
  describeDenials,
  documentedPolicy,
  emrIam,
  iamEnabled,
  registerGithubSession,
  registerRuntimeRole,
  unneededStatements,
  type GithubSession,
} from './iam.js';
import { freshBucket, requestsFor, seedApplication } from './stack.js';

jest.setTimeout(240_000);

const PREFIX = 'hail-actions';
const OUTPUT_PREFIX = 'results';

// Writes its outputs as a Hail job would (with the runtime role's credentials when the EMR
// fixture provides them) and a result file the action reads back.
// As a Hail script does: hl.init with the tmp dir (EMRFS marks the folders), a table written under
// the outputs, and the result file the action reads.
const JOB_PY = `import json, os
import boto3
import hail as hl

hl.init(tmp_dir=os.environ["HAIL_TMP_DIR"])
out = os.environ["HAIL_OUTPUT_URI"]
hl.utils.range_table(3).write(f"{out}/gwas.ht")
bucket, _, prefix = out[len("s3://"):].partition("/")
boto3.client("s3").put_object(Bucket=bucket, Key=f"{prefix}/_action_result.json", Body=json.dumps({"n": 3}))
print("done")
`;
const FAIL_PY = `import os
import hail as hl

def main():
    hl.init(tmp_dir=os.environ["HAIL_TMP_DIR"])
    raise ValueError("cannot read s3://x/missing.ht")

main()
`;

// Records nothing, writes the two files a real `--output type=local,dest=...` export would.
const STAND_IN_DOCKER = `#!/usr/bin/env bash
set -eu
if [ "$1" = buildx ] && [ "$2" = version ]; then echo "github.com/docker/buildx v0.20.0"; exit 0; fi
dest=''
for arg in "$@"; do case "$arg" in type=local,dest=*) dest="\${arg#type=local,dest=}" ;; esac; done
mkdir -p "$dest"
head -c 300000 /dev/urandom > "$dest/hail-all-spark.jar"
head -c 100000 /dev/urandom > "$dest/pyspark_hail.tar.gz"
`;

function standInDockerDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'iam-docker-'));
  writeFileSync(join(dir, 'docker'), STAND_IN_DOCKER);
  chmodSync(join(dir, 'docker'), 0o755);
  return dir;
}

interface Setup {
  bucket: string;
  app: string;
  github: GithubSession;
  roleArn: string;
  values: Record<string, string>;
}

/** A bucket, an application, and both roles with the documented (or the given) policies. */
async function setUp(
  strict: boolean,
  githubPolicy?: (values: Record<string, string>) => string,
): Promise<Setup> {
  const bucket = await freshBucket();
  const app = await seedApplication({ releaseLabel: 'emr-7.5.0' });
  const roleName = `hail-job-${bucket}`;
  const values = { BUCKET: bucket, PREFIX, OUTPUT_PREFIX, APPLICATION_ID: app, RUNTIME_ROLE_NAME: roleName };
  const runtime = await registerRuntimeRole(
    [documentedPolicy('job-runtime-role-policy', values)],
    strict,
    roleName,
  );
  const policy = githubPolicy ? githubPolicy(values) : documentedPolicy('github-role-policy', values);
  const github = await registerGithubSession([policy], strict);
  return { bucket, app, github, roleArn: runtime.roleArn, values };
}

function runAs(s: Setup, ws: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
  return runAction({
    workspace: ws,
    inputs: {
      's3-prefix': `s3://${s.bucket}/${PREFIX}`,
      'execution-role-arn': s.roleArn,
      'application-id': s.app,
      'hail-version': '0.2.134',
      ...inputs,
    },
    env: {
      ...awsEnv(),
      AWS_ACCESS_KEY_ID: s.github.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.github.secretAccessKey,
      ...extraEnv,
    },
    timeoutMs: 120_000,
  });
}

const outcome = (r: RunResult) => `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-1000)}`;

/**
 * The scenarios of a user's first days: a first run with local artifacts (uploaded), a run that
 * builds on a cache miss, a cache-hit run, and a failing run (its traceback read from the logs).
 */
async function scenarios(s: Setup): Promise<Record<string, RunResult>> {
  const ws = makeWorkspace({
    'jobs/gwas.py': JOB_PY,
    'jobs/fail.py': FAIL_PY,
    'dist/hail-all-spark.jar': `jar ${s.bucket}`,
    'dist/pyspark_hail.tar.gz': `env ${s.bucket}`,
  });
  const docker = { PATH: `${standInDockerDir()}:${process.env.PATH}` };
  // One output folder per run, as the README's examples do: Hail never overwrites a table.
  let runNo = 0;
  const output = () => ({ 'output-uri': `s3://${s.bucket}/${OUTPUT_PREFIX}/run-${++runNo}` });
  const local = await runAs(s, ws, {
    script: 'jobs/gwas.py',
    'hail-jar': 'dist/hail-all-spark.jar',
    'hail-env-archive': 'dist/pyspark_hail.tar.gz',
    ...output(),
  });
  const cacheMiss = await runAs(s, ws, { script: 'jobs/gwas.py', ...output() }, docker);
  const cacheHit = await runAs(s, ws, { script: 'jobs/gwas.py', ...output() }, docker);
  const failing = await runAs(s, ws, { script: 'jobs/fail.py' }, docker);
  return { local, cacheMiss, cacheHit, failing };
}

function expectScenarioOutcomes(runs: Record<string, RunResult>): void {
  expect({ code: runs.local!.code, source: runs.local!.outputs['hail-artifacts-source'] }).toEqual({
    code: 0,
    source: 'uploaded',
  });
  expect(runs.local!.outputs.result).toBe('{"n":3}');
  expect([runs.cacheMiss!.code, runs.cacheMiss!.outputs['hail-artifacts-source']]).toEqual([0, 'built']);
  expect([runs.cacheHit!.code, runs.cacheHit!.outputs['hail-artifacts-source']]).toEqual([0, 'cache-hit']);
  expect(runs.failing!.code).toBe(1);
  expect(runs.failing!.stdout).toMatch(/ValueError: cannot read s3:\/\/x\/missing\.ht/);
}

const S3_WRITES = ['s3:PutObject'];

describe.each([
  { reading: 'key-as-prefix', strict: false },
  { reading: 'strict (no s3:prefix)', strict: true },
])('the documented policies, $reading reading of the 403-not-404 rule', ({ strict }) => {
  let s: Setup;
  let runs: Record<string, RunResult>;
  let github: DecisionRecord[];
  let runtime: DecisionRecord[];

  beforeAll(async () => {
    if (!iamEnabled()) return;
    s = await setUp(strict);
    runs = await scenarios(s);
    github = await decisionsOf({ accessKeyId: s.github.accessKeyId });
    runtime = await decisionsOf({ roleArn: s.roleArn });
  });

  (iamEnabled() ? it : it.skip)(
    'first run, cache miss, cache hit and a failing run all behave, with zero denied requests',
    () => {
      for (const [name, r] of Object.entries(runs)) expect([name, r.stderr]).toEqual([name, '']);
      try {
        expectScenarioOutcomes(runs);
      } catch (e) {
        throw new Error(
          `${String(e)}\n${Object.entries(runs)
            .map(([n, r]) => `--- ${n}: ${outcome(r)}`)
            .join('\n')}`,
          { cause: e },
        );
      }
      expect(describeDenials(github)).toEqual([]);
      expect(describeDenials(runtime)).toEqual([]);
      // The log saw the action's S3 traffic (so "no denials" is not "no requests").
      const actions = new Set(github.map((d) => d.action));
      for (const a of ['s3:GetObject', 's3:PutObject', 's3:ListBucket']) expect(actions).toContain(a);
      const existence = github.filter((d) => d.note?.includes('missing key'));
      expect(existence.length).toBeGreaterThan(0); // HEADs of keys not yet there: 404, not 403
    },
  );

  (iamEnabled() ? it : it.skip)(
    'every S3 statement and resource of the GitHub role policy is needed by some request',
    () => {
      const policy = JSON.parse(documentedPolicy('github-role-policy', s.values)) as {
        Statement: Array<{ Sid: string; Action: string | string[]; Resource: string | string[] }>;
      };
      const s3Decisions = github.filter((d) => d.service === 's3');
      const unneeded: string[] = [];
      for (const [i, st] of policy.Statement.entries()) {
        const actions = ([] as string[]).concat(st.Action);
        if (!actions.some((a) => a.startsWith('s3:'))) continue; // judged by the EMR fixture (see below)
        const without = (resources: string[] | undefined) => ({
          ...policy,
          Statement: resources
            ? policy.Statement.map((x, j) => (j === i ? { ...x, Resource: resources } : x))
            : policy.Statement.filter((_, j) => j !== i),
        });
        const denies = (p: object) =>
          s3Decisions.some(
            (d) =>
              evaluatePolicies([p], { action: d.action, resource: d.resource, context: d.context })
                .decision !== 'Allow',
          );
        if (!denies(without(undefined))) unneeded.push(st.Sid);
        const resources = ([] as string[]).concat(st.Resource);
        if (resources.length > 1)
          for (const r of resources)
            if (!denies(without(resources.filter((x) => x !== r)))) unneeded.push(`${st.Sid}: ${r}`);
      }
      expect(unneeded).toEqual([]);
    },
  );

  (iamEnabled() && emrIam() ? it : it.skip)(
    'the EMR side: every EMR statement is needed; PassRole carries iam:PassedToService',
    () => {
      const passRole = github.filter((d) => d.action === 'iam:PassRole');
      expect(passRole.length).toBeGreaterThan(0);
      expect(passRole[0]!.context['iam:PassedToService']).toBe('emr-serverless.amazonaws.com');
      expect(unneededStatements(documentedPolicy('github-role-policy', s.values), github)).toEqual([]);
      // The runtime role: every statement is needed by what the job (EMRFS, logs, the script) did.
      expect(runtime.length).toBeGreaterThan(0);
      expect(unneededStatements(documentedPolicy('job-runtime-role-policy', s.values), runtime)).toEqual([]);
    },
  );
});

describe("a 403 on the action's own existence checks", () => {
  // Today's policy before this change: the ListBucket grant conditioned on s3:prefix with
  // StringLike. Under the strict reading, S3 answers every HEAD of a key not yet there with 403.
  const legacy = (values: Record<string, string>) =>
    documentedPolicy('github-role-policy', values).replace('"StringLikeIfExists"', '"StringLike"');

  (iamEnabled() ? it : it.skip)(
    'is "not known to be there": the first upload and a cache miss still succeed (strict reading, StringLike grant)',
    async () => {
      const s = await setUp(true, legacy);
      const ws = makeWorkspace({
        'job.py': JOB_PY,
        'dist/hail-all-spark.jar': `jar ${s.bucket}`,
        'dist/pyspark_hail.tar.gz': `env ${s.bucket}`,
      });
      // One output folder per run, as the README's examples do: Hail never overwrites a table.
      let runNo = 0;
      const output = () => ({ 'output-uri': `s3://${s.bucket}/${OUTPUT_PREFIX}/run-${++runNo}` });
      const first = await runAs(s, ws, {
        script: 'job.py',
        'hail-jar': 'dist/hail-all-spark.jar',
        'hail-env-archive': 'dist/pyspark_hail.tar.gz',
        ...output(),
      });
      expect(outcome(first)).toMatch(/^exit 0\n/);
      expect(first.outputs['hail-artifacts-source']).toBe('uploaded');
      const miss = await runAs(
        s,
        makeWorkspace({ 'job.py': JOB_PY }),
        { script: 'job.py', ...output() },
        { PATH: `${standInDockerDir()}:${process.env.PATH}` },
      );
      expect(outcome(miss)).toMatch(/^exit 0\n/);
      expect(miss.outputs['hail-artifacts-source']).toBe('built');
      // What the stricter reading denied: only the existence checks, never a write.
      const denied = await decisionsOf({ accessKeyId: s.github.accessKeyId, denied: true });
      expect(denied.length).toBeGreaterThan(0);
      expect(denied.filter((d) => !d.note?.includes('missing key'))).toEqual([]);
      expect(denied.filter((d) => S3_WRITES.includes(d.action))).toEqual([]);
    },
  );

  (iamEnabled() ? it : it.skip)(
    'when the write is then denied, the error names the operation, the object, the permission and the role',
    async () => {
      const withoutUploads = (values: Record<string, string>) => {
        const p = JSON.parse(documentedPolicy('github-role-policy', values)) as {
          Statement: Array<{ Sid: string }>;
        };
        return JSON.stringify({
          ...p,
          Statement: p.Statement.filter((st) => st.Sid !== 'UploadScriptsAndArtifacts'),
        });
      };
      const s = await setUp(true, withoutUploads);
      const r = await runAs(s, makeWorkspace({ 'job.py': JOB_PY }), {
        script: 'job.py',
        'hail-jar': `s3://${s.bucket}/${PREFIX}/prebuilt/hail-all-spark.jar`,
        'hail-env-archive': `s3://${s.bucket}/${PREFIX}/prebuilt/pyspark_hail.tar.gz`,
      });
      expect(r.code).toBe(1);
      const key = new RegExp(
        `s3:PutObject on arn:aws:s3:::${s.bucket}/${PREFIX}/scripts/[0-9a-f]{64}/job\\.py`,
      );
      expect(r.stdout).toMatch(key);
      expect(r.stdout).toMatch(/upload/i);
      expect(r.stdout).toContain(s.github.principalArn);
      expect((await requestsFor(s.app)).map((q) => q.operation)).not.toContain('StartJobRun');
    },
  );
});
