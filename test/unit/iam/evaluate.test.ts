// The local stack's IAM evaluator against AWS's documented semantics. Each case names the page it
// comes from (docs.aws.amazon.com/IAM/latest/UserGuide/...).
import { describe, expect, it } from '@jest/globals';
import { conditionHolds, evaluatePolicies } from '../../fixtures/iam/evaluate.mjs';

const allow = (st: object) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...st }] });
const deny = (st: object) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', ...st }] });

describe('evaluation logic (reference_policies_evaluation-logic.html)', () => {
  const getB = allow({ Sid: 'Read', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });

  it('allows what a statement allows and names the statement', () => {
    expect(evaluatePolicies([getB], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' })).toEqual({
      decision: 'Allow',
      statement: 'Read',
    });
  });

  it('denies by default (implicit deny) what no statement allows', () => {
    expect(evaluatePolicies([getB], { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' })).toEqual({
      decision: 'ImplicitDeny',
    });
    expect(evaluatePolicies([], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('an explicit Deny overrides any Allow, whatever the order of the policies', () => {
    const no = deny({ Sid: 'NoSecrets', Action: 's3:*', Resource: 'arn:aws:s3:::b/secret/*' });
    for (const policies of [
      [getB, no],
      [no, getB],
    ]) {
      expect(
        evaluatePolicies(policies, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/secret/x' }),
      ).toEqual({ decision: 'ExplicitDeny', statement: 'NoSecrets' });
    }
    expect(
      evaluatePolicies([getB, no], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/open' }).decision,
    ).toBe('Allow');
  });

  it('reads policies given as JSON text and a single Statement object', () => {
    const text = JSON.stringify({ Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } });
    expect(evaluatePolicies([text], { action: 's3:GetObject', resource: 'arn:aws:s3:::x/y' }).decision).toBe(
      'Allow',
    );
  });
});

describe('Action and NotAction (reference_policies_elements_action.html, _notaction.html)', () => {
  it('matches action names case-insensitively, with * and ? wildcards', () => {
    const p = allow({ Action: ['S3:get*', 'emr-serverless:?etJobRun'], Resource: '*' });
    expect(evaluatePolicies([p], { action: 's3:GetObject', resource: '*' }).decision).toBe('Allow');
    expect(evaluatePolicies([p], { action: 'emr-serverless:GetJobRun', resource: '*' }).decision).toBe(
      'Allow',
    );
    expect(evaluatePolicies([p], { action: 's3:PutObject', resource: '*' }).decision).toBe('ImplicitDeny');
    expect(evaluatePolicies([p], { action: 'emr-serverless:StartJobRun', resource: '*' }).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('does not let a service prefix wildcard cross services', () => {
    const p = allow({ Action: 's3:*', Resource: '*' });
    expect(evaluatePolicies([p], { action: 'iam:PassRole', resource: '*' }).decision).toBe('ImplicitDeny');
  });

  it('NotAction with Allow allows every action but the listed ones', () => {
    const p = allow({ NotAction: 'iam:*', Resource: '*' });
    expect(evaluatePolicies([p], { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' }).decision).toBe(
      'Allow',
    );
    expect(
      evaluatePolicies([p], { action: 'iam:PassRole', resource: 'arn:aws:iam::1:role/r' }).decision,
    ).toBe('ImplicitDeny');
  });
});

describe('Resource and NotResource (reference_policies_elements_resource.html)', () => {
  it('matches ARNs case-sensitively; * in the resource part spans slashes', () => {
    const p = allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/logs/*' });
    expect(
      evaluatePolicies([p], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/logs/a/b/c' }).decision,
    ).toBe('Allow');
    expect(
      evaluatePolicies([p], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/Logs/a' }).decision,
    ).toBe('ImplicitDeny');
    expect(evaluatePolicies([p], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/logs' }).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('? matches exactly one character', () => {
    const p = allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k?' });
    expect(evaluatePolicies([p], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k1' }).decision).toBe(
      'Allow',
    );
    expect(evaluatePolicies([p], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }).decision).toBe(
      'ImplicitDeny',
    );
    expect(evaluatePolicies([p], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k12' }).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('a bucket ARN does not match an object pattern, nor the other way round', () => {
    const p = allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/*' });
    expect(evaluatePolicies([p], { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('matches the ARN segment by segment: a wildcard in the region does not reach the account', () => {
    const p = allow({ Action: '*', Resource: 'arn:aws:emr-serverless:*:111122223333:/applications/*' });
    const ok = 'arn:aws:emr-serverless:us-east-1:111122223333:/applications/a1';
    const other = 'arn:aws:emr-serverless:us-east-1:999999999999:/applications/a1';
    expect(evaluatePolicies([p], { action: 'x:y', resource: ok }).decision).toBe('Allow');
    expect(evaluatePolicies([p], { action: 'x:y', resource: other }).decision).toBe('ImplicitDeny');
  });

  it('NotResource with Allow allows everything but the listed resources', () => {
    const p = allow({ Action: 's3:GetObject', NotResource: 'arn:aws:s3:::b/private/*' });
    expect(
      evaluatePolicies([p], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/public/x' }).decision,
    ).toBe('Allow');
    expect(
      evaluatePolicies([p], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/private/x' }).decision,
    ).toBe('ImplicitDeny');
  });
});

describe('condition operators (reference_policies_elements_condition_operators.html)', () => {
  it('string operators: exact, ignore-case, like, and their negations', () => {
    const ctx = { 'aws:username': 'Alice' };
    expect(conditionHolds('StringEquals', 'aws:username', 'Alice', ctx)).toBe(true);
    expect(conditionHolds('StringEquals', 'aws:username', 'alice', ctx)).toBe(false);
    expect(conditionHolds('StringEqualsIgnoreCase', 'aws:username', 'alice', ctx)).toBe(true);
    expect(conditionHolds('StringNotEqualsIgnoreCase', 'aws:username', 'ALICE', ctx)).toBe(false);
    expect(conditionHolds('StringNotEquals', 'aws:username', 'Bob', ctx)).toBe(true);
    expect(conditionHolds('StringLike', 'aws:username', 'A*', ctx)).toBe(true);
    expect(conditionHolds('StringLike', 'aws:username', 'a*', ctx)).toBe(false);
    expect(conditionHolds('StringLike', 'aws:username', 'Al?ce', ctx)).toBe(true);
    expect(conditionHolds('StringNotLike', 'aws:username', 'B*', ctx)).toBe(true);
    expect(conditionHolds('StringNotLike', 'aws:username', 'A*', ctx)).toBe(false);
  });

  it('condition key names are case-insensitive', () => {
    expect(conditionHolds('StringEquals', 'S3:Prefix', 'a/', { 's3:prefix': 'a/' })).toBe(true);
  });

  it('numeric, date and Bool operators', () => {
    const ctx = {
      's3:max-keys': '10',
      'aws:SecureTransport': 'true',
      'aws:CurrentTime': '2026-01-02T00:00:00Z',
    };
    expect(conditionHolds('NumericEquals', 's3:max-keys', '10', ctx)).toBe(true);
    expect(conditionHolds('NumericNotEquals', 's3:max-keys', '10', ctx)).toBe(false);
    expect(conditionHolds('NumericLessThan', 's3:max-keys', '11', ctx)).toBe(true);
    expect(conditionHolds('NumericLessThan', 's3:max-keys', '10', ctx)).toBe(false);
    expect(conditionHolds('NumericLessThanEquals', 's3:max-keys', '10', ctx)).toBe(true);
    expect(conditionHolds('NumericGreaterThan', 's3:max-keys', '10', ctx)).toBe(false);
    expect(conditionHolds('NumericGreaterThanEquals', 's3:max-keys', '10', ctx)).toBe(true);
    expect(conditionHolds('Bool', 'aws:SecureTransport', 'true', ctx)).toBe(true);
    expect(conditionHolds('Bool', 'aws:SecureTransport', 'false', ctx)).toBe(false);
    expect(conditionHolds('DateLessThan', 'aws:CurrentTime', '2026-06-01T00:00:00Z', ctx)).toBe(true);
    expect(conditionHolds('DateGreaterThan', 'aws:CurrentTime', '2026-06-01T00:00:00Z', ctx)).toBe(false);
  });

  it('ARN operators: ArnEquals/ArnLike with wildcards, ArnNotLike', () => {
    const ctx = { 'aws:SourceArn': 'arn:aws:emr-serverless:us-east-1:111122223333:/applications/a1' };
    expect(
      conditionHolds(
        'ArnLike',
        'aws:SourceArn',
        'arn:aws:emr-serverless:us-east-1:111122223333:/applications/*',
        ctx,
      ),
    ).toBe(true);
    expect(conditionHolds('ArnEquals', 'aws:SourceArn', 'arn:aws:emr-serverless:*:111122223333:*', ctx)).toBe(
      true,
    );
    expect(conditionHolds('ArnLike', 'aws:SourceArn', 'arn:aws:emr-serverless:*:999999999999:*', ctx)).toBe(
      false,
    );
    expect(conditionHolds('ArnNotLike', 'aws:SourceArn', 'arn:aws:s3:::*', ctx)).toBe(true);
  });

  it('a missing key: positive operators fail, negated ones hold, IfExists holds (the "Important" box)', () => {
    // "If the key that you specify in a policy condition is not present in the request context, the
    // values do not match and the condition is false. If the policy condition requires that the key
    // is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the
    // condition is true."
    expect(conditionHolds('StringLike', 's3:prefix', 'a/*', {})).toBe(false);
    expect(conditionHolds('StringEquals', 'iam:PassedToService', 'emr-serverless.amazonaws.com', {})).toBe(
      false,
    );
    expect(conditionHolds('StringNotLike', 's3:prefix', 'a/*', {})).toBe(true);
    expect(conditionHolds('ArnNotLike', 'aws:SourceArn', 'arn:aws:s3:::*', {})).toBe(true);
    expect(conditionHolds('StringLikeIfExists', 's3:prefix', 'a/*', {})).toBe(true);
    expect(conditionHolds('NumericLessThanIfExists', 's3:max-keys', '5', {})).toBe(true);
  });

  it('IfExists still judges a present key', () => {
    expect(conditionHolds('StringLikeIfExists', 's3:prefix', 'a/*', { 's3:prefix': 'a/x' })).toBe(true);
    expect(conditionHolds('StringLikeIfExists', 's3:prefix', 'a/*', { 's3:prefix': 'b/x' })).toBe(false);
    expect(conditionHolds('StringLikeIfExists', 's3:prefix', 'a/*', { 's3:prefix': '' })).toBe(false);
  });

  it('Null: "true" holds when the key is absent, "false" when present', () => {
    expect(conditionHolds('Null', 'aws:TagKeys', 'true', {})).toBe(true);
    expect(conditionHolds('Null', 'aws:TagKeys', 'false', {})).toBe(false);
    expect(conditionHolds('Null', 'aws:TagKeys', 'false', { 'aws:TagKeys': ['a'] })).toBe(true);
    expect(conditionHolds('Null', 'aws:TagKeys', 'true', { 'aws:TagKeys': ['a'] })).toBe(false);
  });

  it('refuses an operator it does not know rather than guessing', () => {
    expect(() => conditionHolds('StringSortOf', 'k', 'v', { k: 'v' })).toThrow(
      /unsupported IAM condition operator/,
    );
  });
});

describe('multiple keys and values (reference_policies_multi-value-conditions.html)', () => {
  it('operators AND, keys within an operator AND, values of one key OR', () => {
    const p = allow({
      Action: 'iam:PassRole',
      Resource: '*',
      Condition: {
        StringEquals: {
          'iam:PassedToService': ['emr-serverless.amazonaws.com', 'glue.amazonaws.com'],
          'aws:RequestedRegion': 'us-east-1',
        },
        Bool: { 'aws:SecureTransport': 'true' },
      },
    });
    const req = (context: Record<string, string>) =>
      evaluatePolicies([p], { action: 'iam:PassRole', resource: 'r', context }).decision;
    const good = {
      'iam:PassedToService': 'glue.amazonaws.com',
      'aws:RequestedRegion': 'us-east-1',
      'aws:SecureTransport': 'true',
    };
    expect(req(good)).toBe('Allow');
    expect(req({ ...good, 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('ImplicitDeny');
    expect(req({ ...good, 'aws:RequestedRegion': 'eu-west-1' })).toBe('ImplicitDeny');
    expect(req({ ...good, 'aws:SecureTransport': 'false' })).toBe('ImplicitDeny');
  });

  it('a negated operator with several values NORs them', () => {
    const ctx = { 'aws:RequestedRegion': 'us-east-1' };
    expect(conditionHolds('StringNotEquals', 'aws:RequestedRegion', ['us-east-1', 'eu-west-1'], ctx)).toBe(
      false,
    );
    expect(conditionHolds('StringNotEquals', 'aws:RequestedRegion', ['ap-south-1', 'eu-west-1'], ctx)).toBe(
      true,
    );
  });
});

describe('set operators (reference_policies_condition-single-vs-multi-valued-context-keys.html)', () => {
  const tags = (keys?: string[]) => (keys === undefined ? {} : { 'aws:TagKeys': keys });

  it('ForAllValues: every request value is among the policy values; true when the key is absent', () => {
    const op = 'ForAllValues:StringEquals';
    expect(conditionHolds(op, 'aws:TagKeys', ['created-by', 'job'], tags(['job']))).toBe(true);
    expect(conditionHolds(op, 'aws:TagKeys', ['created-by', 'job'], tags(['job', 'created-by']))).toBe(true);
    expect(conditionHolds(op, 'aws:TagKeys', ['created-by', 'job'], tags(['job', 'owner']))).toBe(false);
    // "ForAllValues ... returns true if there are no keys in the request"
    expect(conditionHolds(op, 'aws:TagKeys', ['created-by'], tags())).toBe(true);
    expect(conditionHolds(op, 'aws:TagKeys', ['created-by'], tags([]))).toBe(true);
  });

  it('ForAnyValue: at least one request value matches; false when the key is absent', () => {
    const op = 'ForAnyValue:StringLike';
    expect(conditionHolds(op, 'aws:TagKeys', ['created-*'], tags(['job', 'created-by']))).toBe(true);
    expect(conditionHolds(op, 'aws:TagKeys', ['created-*'], tags(['job']))).toBe(false);
    expect(conditionHolds(op, 'aws:TagKeys', ['created-*'], tags())).toBe(false);
  });

  it('negated set operators: ForAllValues:StringNotEquals forbids every listed value', () => {
    const op = 'ForAllValues:StringNotEquals';
    expect(conditionHolds(op, 'aws:TagKeys', ['secret'], tags(['job', 'owner']))).toBe(true);
    expect(conditionHolds(op, 'aws:TagKeys', ['secret'], tags(['job', 'secret']))).toBe(false);
    expect(conditionHolds('ForAnyValue:StringNotEquals', 'aws:TagKeys', ['job'], tags(['job', 'x']))).toBe(
      true,
    );
    expect(conditionHolds('ForAnyValue:StringNotEquals', 'aws:TagKeys', ['job'], tags(['job']))).toBe(false);
  });
});

describe('the documented S3 listing pattern (amazon-s3-policy-keys.html, s3:prefix)', () => {
  const listing = (op: string) =>
    allow({
      Sid: 'List',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::b',
      Condition: { [op]: { 's3:prefix': ['ci/*', 'results/*'] } },
    });
  const list = (op: string, context: Record<string, string>) =>
    evaluatePolicies([listing(op)], { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context })
      .decision;

  it('StringLike allows listings under the prefixes only, and none without s3:prefix', () => {
    expect(list('StringLike', { 's3:prefix': 'ci/logs/' })).toBe('Allow');
    expect(list('StringLike', { 's3:prefix': 'other/' })).toBe('ImplicitDeny');
    expect(list('StringLike', { 's3:prefix': '' })).toBe('ImplicitDeny');
    expect(list('StringLike', {})).toBe('ImplicitDeny');
  });

  it('StringLikeIfExists still refuses another prefix, and allows a check with no s3:prefix', () => {
    expect(list('StringLikeIfExists', { 's3:prefix': 'ci/logs/' })).toBe('Allow');
    expect(list('StringLikeIfExists', { 's3:prefix': 'other/' })).toBe('ImplicitDeny');
    expect(list('StringLikeIfExists', { 's3:prefix': '' })).toBe('ImplicitDeny');
    expect(list('StringLikeIfExists', {})).toBe('Allow');
  });
});
