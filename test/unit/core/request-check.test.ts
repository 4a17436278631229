// The assembled requests are checked against the service's model, and each violation is reported
// against the input that caused it (or as the action's own fault when no input did).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import { defaultJobName, readRunContext, type RunContext } from '../../../src/github-context.js';
import { InputErrors, readInputs, type Config } from '../../../src/inputs.js';
import { applicationRequestFor, jobRequestFor, plannedJobRequest } from '../../../src/job-request.js';
import { requireValidJobRequest, requireValidRequests } from '../../../src/request-check.js';

const ws = mkdtempSync(join(tmpdir(), 'request-check-'));
mkdirSync(join(ws, 'jobs'));
writeFileSync(join(ws, 'jobs/gwas.py'), 'print(1)\n');

const good: Record<string, string> = {
  script: 'jobs/gwas.py',
  's3-prefix': 's3://genomics-bucket/ci',
  'execution-role-arn': 'arn:aws:iam::123456789012:role/hail-job',
  'application-id': '00fabc123def4567',
  'hail-version': '0.2.134',
  'aws-region': 'us-east-1',
  'hail-jar': 's3://genomics-bucket/a/hail-all-spark.jar',
  'hail-env-archive': 's3://genomics-bucket/a/pyspark_hail.tar.gz',
};
const config = (overrides: Record<string, string> = {}): Config =>
  readInputs((n) => ({ ...good, ...overrides })[n] ?? '', { GITHUB_WORKSPACE: ws });
const ctx: RunContext = readRunContext({
  GITHUB_REPOSITORY: 'genomics-lab/gwas',
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_JOB: 'hail',
  GITHUB_ACTION: 'run',
  GITHUB_WORKFLOW: 'GWAS',
  GITHUB_RUN_NUMBER: '7',
});

function requestFor(c: Config, context: RunContext = ctx): StartJobRunCommandInput {
  return jobRequestFor(c, context, {
    applicationId: '00fabc123def4567',
    scriptUri: 's3://genomics-bucket/ci/scripts/abc/gwas.py',
    pyFileUris: [],
    artifacts: {
      jarUri: 's3://genomics-bucket/a/hail-all-spark.jar',
      envArchiveUri: 's3://genomics-bucket/a/pyspark_hail.tar.gz',
      source: 'prebuilt',
      uploadedBytes: 0,
    },
  });
}

/** The messages a request is refused with, or [] when it passes. */
function refusals(request: StartJobRunCommandInput, c: Config): string[] {
  try {
    requireValidJobRequest(request, c);
    return [];
  } catch (err) {
    return err instanceof InputErrors ? err.problems.map((p) => p.message) : [(err as Error).message];
  }
}

describe('requireValidJobRequest', () => {
  it('passes the request the action builds from good inputs', () => {
    expect(refusals(requestFor(config()), config())).toEqual([]);
  });

  it("names spark-conf for a property the user set, and counts the action's own against the limit", () => {
    const c = config({ 'spark-conf': 'spark.a=\nspark.b=1' });
    expect(refusals(requestFor(c), c)).toEqual(['input `spark-conf`: "spark.a" is empty or blank']);
    const many = config({ 'spark-conf': Array.from({ length: 95 }, (_, i) => `spark.p${i}=v`).join('\n') });
    expect(refusals(requestFor(many), many)).toEqual([
      "input `spark-conf`: has 102 properties (at most 100) in spark-defaults once the action's own are added (95 from spark-conf): set fewer",
    ]);
  });

  it('names s3-prefix and output-uri for the properties the action derives from them', () => {
    const c = config({
      's3-prefix': `s3://genomics-bucket/${'p'.repeat(1020)}`,
      'output-uri': `s3://genomics-bucket/${'o'.repeat(1010)}`,
    });
    const found = refusals(requestFor(c), c);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(
      /^input `s3-prefix`: its tmp dir, as spark\.emr-serverless\.driverEnv\.HAIL_TMP_DIR, is 1046 characters long \(at most 1024\)$/,
    );
    expect(found[1]).toMatch(
      /^input `output-uri`: as spark\.emr-serverless\.driverEnv\.HAIL_OUTPUT_URI, is 1031 characters/,
    );
  });

  it("names script-args with the argument's position, and their count", () => {
    const c = { ...config(), scriptArgs: ['--chrom', ' '] };
    expect(refusals(requestFor(c), c)).toEqual(['input `script-args`: argument 2 is empty or blank']);
    const many = { ...config(), scriptArgs: Array(1025).fill('x') };
    expect(refusals(requestFor(many), many)).toEqual([
      'input `script-args`: has 1025 arguments (at most 1024)',
    ]);
  });

  it('names tags, and says when the tag at fault is one the action adds', () => {
    const c = { ...config(), tags: { équipe: 'x' } };
    expect(refusals(requestFor(c), c)).toEqual([
      'input `tags`: tag key "équipe" must match [A-Za-z0-9 /_.:=+@-]+',
    ]);
    const odd = readRunContext({ GITHUB_REPOSITORY: 'lab/génome', GITHUB_RUN_ID: '1' });
    expect(refusals(requestFor(config(), odd), config())).toEqual([
      'input `tags`: tag value for "github-repository": "lab/génome" must match [A-Za-z0-9 /_.:=+@-]* (a tag the action adds)',
    ]);
  });

  it('names the other inputs a field comes from', () => {
    const c = {
      ...config(),
      executionRoleArn: 'arn:aws:iam::123456789012:role/x/',
      retryMaxAttempts: 11,
      cloudWatchLogGroup: 'bad group',
      name: '  ',
    };
    const found = refusals(requestFor(c), c);
    expect(found.map((m) => m.slice(0, m.indexOf(':')))).toEqual([
      'input `execution-role-arn`',
      'input `name`',
      'input `cloudwatch-log-group`',
      'input `retry-max-attempts`',
    ]);
    expect(found).toContain('input `retry-max-attempts`: is 11; a BATCH job run takes at most 10 attempts');
  });

  it('blames the action, not an input, for a field no input explains', () => {
    const request = { ...requestFor(config()), clientToken: undefined };
    expect(refusals(request, config())).toEqual([
      "internal: the request's clientToken is required; please report this",
    ]);
  });
});

describe('requireValidRequests (before any upload)', () => {
  it('plans the request with stand-ins shaped like the real keys (no hashing needed), and passes good inputs', () => {
    const planned = plannedJobRequest(config({ 'hail-jar': '', 'hail-env-archive': '' }), ctx);
    expect(planned.jobDriver?.sparkSubmit?.entryPoint).toMatch(
      /^s3:\/\/genomics-bucket\/ci\/scripts\/0{64}\/gwas\.py$/,
    );
    expect(planned.jobDriver?.sparkSubmit?.sparkSubmitParameters).toMatch(
      /^--jars s3:\/\/genomics-bucket\/ci\/hail\/0{64}\/hail-all-spark\.jar --archives /,
    );
    expect(() => requireValidRequests(config(), ctx)).not.toThrow();
  });

  it('checks the CreateApplication request in application-name mode', () => {
    const c = config({ 'application-id': '', 'application-name': 'hail-ci' });
    const app = applicationRequestFor(c, ctx);
    expect(app).toMatchObject({ name: 'hail-ci', type: 'SPARK', architecture: 'X86_64' });
    expect(app.clientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(() => requireValidRequests(c, ctx)).not.toThrow();
    const odd = readRunContext({ GITHUB_REPOSITORY: 'lab/génome', GITHUB_RUN_ID: '1' });
    expect(() => requireValidRequests(c, odd)).toThrow(
      /input `application-name`: tag value for "github-repository"/,
    );
  });

  it('checks both requests of a Hail newer than the table without its jar (read from S3 only after)', () => {
    const c = config({ 'hail-version': '0.2.199', 'application-id': '', 'application-name': 'hail-ci' });
    expect(() => requireValidRequests(c, ctx)).not.toThrow();
    const odd = readRunContext({ GITHUB_REPOSITORY: 'lab/génome', GITHUB_RUN_ID: '1' });
    expect(() => requireValidRequests(c, odd)).toThrow(
      /input `application-name`: tag value for "github-repository"/,
    );
  });

  it('reports every problem of both requests at once', () => {
    const c = { ...config({ 'spark-conf': 'spark.a=' }), scriptArgs: Array(1025).fill('x') };
    expect(() => requireValidRequests(c, ctx)).toThrow(
      /spark-conf[\s\S]*script-args|script-args[\s\S]*spark-conf/,
    );
  });
});

describe('defaultJobName', () => {
  it('cuts at 256 UTF-16 units without splitting a surrogate pair', () => {
    const long = readRunContext({
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_WORKFLOW: `${'w'.repeat(249)}😀😀`,
      GITHUB_RUN_NUMBER: '1',
    });
    const name = defaultJobName(long, 'x.py');
    expect(name).toBe(`o/r/${'w'.repeat(249)}😀`);
    expect(name.length).toBe(255);
  });
});
