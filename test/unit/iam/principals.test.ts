// The principal registry (who may do what, and the log of every decision) and fillPolicy, which
// must fill docs/iam/*.json exactly as the README's fill() shell function does.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { assumedRoleArn, createPrincipalRegistry, fillPolicy } from '../../fixtures/iam/principals.mjs';

const ROOT = new URL('../../../', import.meta.url).pathname;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

const VALUES = {
  ACCOUNT_ID: '111122223333',
  REGION: 'eu-west-1',
  BUCKET: 'hail-111122223333-eu-west-1',
  OUTPUT_PREFIX: 'results',
  PREFIX: 'hail-actions',
  APPLICATION_ID: '00fabc123',
  RUNTIME_ROLE_NAME: 'hail-emr-serverless-job',
  GITHUB_SUBJECT: 'repo:my-org@1/my-analysis@2',
};

/** The README's own fill(), run by bash with the quick start's variables. */
function readmeFill(file: string): string {
  const fn = /^fill\(\) \{\n[\s\S]*?\n\}$/m.exec(README)?.[0];
  if (!fn) throw new Error('README.md has no fill() function');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ACCOUNT_ID: VALUES.ACCOUNT_ID,
    AWS_REGION: VALUES.REGION,
    BUCKET: VALUES.BUCKET,
    OUTPUT_PREFIX: VALUES.OUTPUT_PREFIX,
    PREFIX: VALUES.PREFIX,
    APPLICATION_ID: VALUES.APPLICATION_ID,
    JOB_ROLE: VALUES.RUNTIME_ROLE_NAME,
    GITHUB_SUBJECT: VALUES.GITHUB_SUBJECT,
  };
  const r = spawnSync('bash', ['-c', `${fn}\nfill "$1"`, 'fill', file], { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('fillPolicy', () => {
  const templates = readdirSync(join(ROOT, 'docs/iam')).filter((f) => f.endsWith('.json'));

  it.each(templates)("fills docs/iam/%s exactly as the README's fill() does", (name) => {
    const text = readFileSync(join(ROOT, 'docs/iam', name), 'utf8');
    const filled = fillPolicy(text, VALUES);
    expect(filled).toBe(readmeFill(`docs/iam/${name}`));
    expect(filled).not.toMatch(/<[A-Z_]+>/);
    JSON.parse(filled);
  });

  it('refuses a placeholder without a value and a value sed would not copy literally', () => {
    expect(() => fillPolicy('"<BUCKET>"', {})).toThrow(/uses <BUCKET> and no value/);
    expect(() => fillPolicy('"<BUCKET>"', { BUCKET: 'a&b' })).toThrow(/BUCKET/);
    expect(() => fillPolicy('"<NOT_ONE>"', {})).toThrow(/not one of the README's placeholders/);
  });
});

describe('the principal registry', () => {
  const readOnly = {
    Statement: [{ Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
  };

  it("keeps the existing suites' credentials as administrators", () => {
    const iam = createPrincipalRegistry();
    for (const key of ['testing', 'test'])
      expect(iam.authorize(key, 'iam:PassRole', 'arn:aws:iam::1:role/x').allowed).toBe(true);
  });

  it("judges a registered principal by its policies, with AWS's wording of a denial", () => {
    const iam = createPrincipalRegistry();
    const arn = 'arn:aws:sts::123456789012:assumed-role/gh/s';
    iam.registerPrincipal({ accessKeyId: 'AKIA1', arn, policies: [JSON.stringify(readOnly)] });
    expect(iam.authorize('AKIA1', 's3:GetObject', 'arn:aws:s3:::b/k')).toMatchObject({
      allowed: true,
      statement: 'Read',
    });
    const no = iam.authorize('AKIA1', 's3:PutObject', 'arn:aws:s3:::b/k');
    expect(no).toMatchObject({ allowed: false, decision: 'ImplicitDeny', principalArn: arn });
    expect(no.message).toBe(
      `User: ${arn} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:PutObject action`,
    );
  });

  it('denies an unknown access key while enforcing, and allows (but logs) everything when not', () => {
    const iam = createPrincipalRegistry();
    expect(iam.authorize('AKIAUNKNOWN', 's3:GetObject', 'arn:aws:s3:::b/k')).toMatchObject({
      allowed: false,
      unknownPrincipal: true,
    });
    iam.setConfig({ enforce: false });
    expect(iam.authorize('AKIAUNKNOWN', 's3:GetObject', 'arn:aws:s3:::b/k').allowed).toBe(true);
    expect(iam.decisions({ accessKeyId: 'AKIAUNKNOWN' }).map((d) => d.allowed)).toEqual([false, true]);
  });

  it('logs every decision; filters by principal, by role, by sequence and to the denied ones', () => {
    const iam = createPrincipalRegistry();
    iam.registerPrincipal({ accessKeyId: 'AKIA1', arn: 'arn:aws:iam::1:user/u', policies: [readOnly] });
    iam.authorize('AKIA1', 's3:GetObject', 'arn:aws:s3:::b/k', {}, { operation: 'GetObject' });
    const mark = iam.lastSeq();
    iam.authorize('AKIA1', 's3:PutObject', 'arn:aws:s3:::b/k', {}, { operation: 'PutObject' });
    iam.authorize('testing', 's3:PutObject', 'arn:aws:s3:::b/k');
    expect(iam.decisions({ accessKeyId: 'AKIA1' }).map((d) => d.operation)).toEqual([
      'GetObject',
      'PutObject',
    ]);
    expect(iam.decisions({ accessKeyId: 'AKIA1', since: mark }).map((d) => d.operation)).toEqual([
      'PutObject',
    ]);
    expect(iam.decisions({ deniedOnly: true }).map((d) => [d.accessKeyId, d.action])).toEqual([
      ['AKIA1', 's3:PutObject'],
    ]);
  });

  it("gives a role's sessions stable credentials judged by the role's policies, named as AWS names them", () => {
    const iam = createPrincipalRegistry();
    const roleArn = 'arn:aws:iam::123456789012:role/hail-job';
    const reg = iam.registerRole({ roleArn, policies: [readOnly] });
    const creds = iam.credentialsForRole(roleArn);
    expect(creds.accessKeyId).toBe(reg.accessKeyId);
    expect(creds.accessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    const r = iam.authorize(creds.accessKeyId, 's3:PutObject', 'arn:aws:s3:::b/k');
    expect(r.allowed).toBe(false);
    expect(r.principalArn).toBe('arn:aws:sts::123456789012:assumed-role/hail-job/local-session');
    expect(iam.decisions({ roleArn }).length).toBe(1);
  });

  it('an unregistered role is an administrator, so suites that do not test IAM keep running jobs', () => {
    const iam = createPrincipalRegistry();
    const open = iam.credentialsForRole('arn:aws:iam::123456789012:role/anything');
    expect(iam.authorize(open.accessKeyId, 's3:PutObject', 'arn:aws:s3:::b/k').allowed).toBe(true);
  });

  it('strictListBucketCheck: the registry default, overridden per principal', () => {
    const iam = createPrincipalRegistry({ strictListBucketCheck: true });
    iam.registerPrincipal({
      accessKeyId: 'A',
      arn: 'arn:aws:iam::1:user/a',
      policies: [],
      strictListBucketCheck: false,
    });
    iam.registerPrincipal({ accessKeyId: 'B', arn: 'arn:aws:iam::1:user/b', policies: [] });
    expect([iam.strictFor('A'), iam.strictFor('B')]).toEqual([false, true]);
  });

  it('assumedRoleArn drops the role path, as STS does', () => {
    expect(assumedRoleArn('arn:aws:iam::123456789012:role/service/hail-job', 's')).toBe(
      'arn:aws:sts::123456789012:assumed-role/hail-job/s',
    );
    expect(() => assumedRoleArn('arn:aws:iam::1:user/u', 's')).toThrow(/not an IAM role ARN/);
  });
});
