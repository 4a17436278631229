// Helpers for the IAM suites: the documented policies filled in as the README's fill() does, the
// S3 IAM proxy's control API (principals, roles, the decision log), and what the EMR fixture does
// with IAM (detected by the global setup, never assumed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.js';
import { evaluatePolicies } from '../fixtures/iam/evaluate.mjs';
import { fillPolicy, type Placeholder } from '../fixtures/iam/principals.mjs';
import type { DecisionRecord, RoleCredentials } from '../fixtures/iam/principals.mjs';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';

/** Whether the local stack enforces IAM on S3 (the global setup's LOCAL_IAM). */
export const iamEnabled = (): boolean => Boolean(process.env.LOCAL_IAM_ENDPOINT);
/** Whether the EMR fixture authorizes its API calls and runs jobs as their execution role. */
export const emrIam = (): boolean => process.env.LOCAL_EMR_IAM === '1';

export type PolicyName =
  'github-role-policy' | 'github-role-policy-application-name' | 'job-runtime-role-policy';

/** docs/iam/<name>.json with its placeholders filled (the text a user would put-role-policy). */
export function documentedPolicy(name: PolicyName, values: Partial<Record<Placeholder, string>>): string {
  const text = readFileSync(join(ROOT, 'docs/iam', `${name}.json`), 'utf8');
  return fillPolicy(text, { ACCOUNT_ID, REGION, ...values });
}

export async function iamControl<T = unknown>(path: string, body?: unknown, method?: string): Promise<T> {
  const res = await fetch(`${process.env.LOCAL_IAM_ENDPOINT}/__iam/${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`iam control ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

let seq = 0;
const unique = () =>
  `${process.pid.toString(36)}${Date.now().toString(36)}${(seq++).toString(36)}`.toUpperCase();

export interface GithubSession {
  accessKeyId: string;
  secretAccessKey: string;
  principalArn: string;
}

/** A session of the role the workflow assumes, with these policies (AWS-shaped names). */
export async function registerGithubSession(
  policies: Array<object | string>,
  strictListBucketCheck: boolean,
): Promise<GithubSession> {
  const accessKeyId = `ASIAGH${unique()}`;
  const principalArn = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/hail-emr-serverless-github/GitHubActions-${accessKeyId}`;
  const secretAccessKey = 'github-session-secret';
  await iamControl('principals', {
    accessKeyId,
    secretAccessKey,
    arn: principalArn,
    policies,
    strictListBucketCheck,
  });
  return { accessKeyId, secretAccessKey, principalArn };
}

/** A job runtime role with these policies; EMR Serverless hands its credentials to job runs. */
export async function registerRuntimeRole(
  policies: Array<object | string>,
  strictListBucketCheck: boolean,
  roleName = `hail-job-${unique().toLowerCase()}`,
): Promise<RoleCredentials & { roleName: string }> {
  const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`;
  const creds = await iamControl<RoleCredentials>('roles', { roleArn, policies, strictListBucketCheck });
  return { ...creds, roleName };
}

export async function decisionsOf(filter: {
  accessKeyId?: string;
  roleArn?: string;
  since?: number;
  denied?: boolean;
}): Promise<DecisionRecord[]> {
  const q = new URLSearchParams();
  if (filter.accessKeyId) q.set('accessKeyId', filter.accessKeyId);
  if (filter.roleArn) q.set('roleArn', filter.roleArn);
  if (filter.since !== undefined) q.set('since', String(filter.since));
  if (filter.denied) q.set('denied', '1');
  return (await iamControl<{ decisions: DecisionRecord[] }>(`decisions?${q}`)).decisions;
}

/** One line per denial, for readable test failures. */
export const describeDenials = (ds: DecisionRecord[]): string[] =>
  ds
    .filter((d) => !d.allowed)
    .map(
      (d) =>
        `${d.operation ?? d.service}: ${d.action} on ${d.resource} ${JSON.stringify(d.context)}${d.note ? ` (${d.note})` : ''}`,
    );

/** The parts of a policy document the tests read. */
export type PolicyDoc = { Statement: Array<{ Sid: string }> };

/** Sids of the statements no recorded request needs (re-judging the log without each one). */
export function unneededStatements(policyText: string, decisions: DecisionRecord[]): string[] {
  const policy = JSON.parse(policyText) as PolicyDoc;
  return policy.Statement.filter((st) => {
    const without = { ...policy, Statement: policy.Statement.filter((x) => x !== st) };
    return !decisions.some(
      (d) =>
        evaluatePolicies([without], { action: d.action, resource: d.resource, context: d.context })
          .decision !== 'Allow',
    );
  }).map((st) => st.Sid);
}
