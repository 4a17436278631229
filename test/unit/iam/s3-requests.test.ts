// S3 REST requests -> the IAM actions and resources they need, per the S3 "Required permissions
// for Amazon S3 API operations" page and the Service Authorization Reference (list_amazons3.html).
import { describe, expect, it } from '@jest/globals';
import { accessKeyIdOf, deleteObjectsKeys, s3RequestChecks } from '../../fixtures/iam/s3-requests.mjs';

const needs = (method: string, url: string, headers: Record<string, string> = {}) => {
  const plan = s3RequestChecks(method, url, headers);
  return { op: plan.operation, checks: plan.checks.map((c) => `${c.action} ${c.resource}`) };
};

describe('object operations', () => {
  it.each([
    ['GET', '/b/dir/k.txt', 'GetObject', ['s3:GetObject arn:aws:s3:::b/dir/k.txt']],
    ['HEAD', '/b/dir/k.txt', 'HeadObject', ['s3:GetObject arn:aws:s3:::b/dir/k.txt']],
    ['GET', '/b/k?versionId=3', 'GetObject', ['s3:GetObjectVersion arn:aws:s3:::b/k']],
    ['PUT', '/b/k', 'PutObject', ['s3:PutObject arn:aws:s3:::b/k']],
    ['POST', '/b/k?uploads', 'CreateMultipartUpload', ['s3:PutObject arn:aws:s3:::b/k']],
    ['PUT', '/b/k?partNumber=1&uploadId=u', 'UploadPart', ['s3:PutObject arn:aws:s3:::b/k']],
    ['POST', '/b/k?uploadId=u', 'CompleteMultipartUpload', ['s3:PutObject arn:aws:s3:::b/k']],
    ['DELETE', '/b/k?uploadId=u', 'AbortMultipartUpload', ['s3:AbortMultipartUpload arn:aws:s3:::b/k']],
    ['GET', '/b/k?uploadId=u', 'ListParts', ['s3:ListMultipartUploadParts arn:aws:s3:::b/k']],
    ['DELETE', '/b/k', 'DeleteObject', ['s3:DeleteObject arn:aws:s3:::b/k']],
    ['DELETE', '/b/k?versionId=3', 'DeleteObject', ['s3:DeleteObjectVersion arn:aws:s3:::b/k']],
    ['GET', '/b/k?tagging', 'GetObjectTagging', ['s3:GetObjectTagging arn:aws:s3:::b/k']],
    ['PUT', '/b/k?tagging', 'PutObjectTagging', ['s3:PutObjectTagging arn:aws:s3:::b/k']],
  ])('%s %s is %s', (method, url, op, checks) => {
    expect(needs(method, url)).toEqual({ op, checks });
  });

  it('percent-decodes keys as IAM sees them (a folder marker key included)', () => {
    expect(needs('PUT', '/b/hail-actions/tmp_%24folder%24').checks).toEqual([
      's3:PutObject arn:aws:s3:::b/hail-actions/tmp_$folder$',
    ]);
    expect(needs('GET', '/b/a%20b/c%2Bd').checks).toEqual(['s3:GetObject arn:aws:s3:::b/a b/c+d']);
  });

  it('CopyObject reads the source and writes the destination', () => {
    expect(needs('PUT', '/b/dst', { 'x-amz-copy-source': '/src/a%20b.txt' })).toEqual({
      op: 'CopyObject',
      checks: ['s3:GetObject arn:aws:s3:::src/a b.txt', 's3:PutObject arn:aws:s3:::b/dst'],
    });
    expect(
      needs('PUT', '/b/dst?partNumber=2&uploadId=u', { 'x-amz-copy-source': 'src/k?versionId=v' }).checks,
    ).toEqual(['s3:GetObjectVersion arn:aws:s3:::src/k', 's3:PutObject arn:aws:s3:::b/dst']);
  });

  it('a PUT that also tags the object or sets its ACL needs those actions too', () => {
    expect(needs('PUT', '/b/k', { 'x-amz-tagging': 'a=b', 'x-amz-acl': 'private' }).checks).toEqual([
      's3:PutObject arn:aws:s3:::b/k',
      's3:PutObjectTagging arn:aws:s3:::b/k',
      's3:PutObjectAcl arn:aws:s3:::b/k',
    ]);
  });

  it('GET and HEAD of an object are existence checks (the 403-not-404 rule applies)', () => {
    expect(s3RequestChecks('HEAD', '/b/k').existenceCheck).toBe(true);
    expect(s3RequestChecks('GET', '/b/k').existenceCheck).toBe(true);
    expect(s3RequestChecks('PUT', '/b/k').existenceCheck).toBeFalsy();
  });
});

describe('bucket operations', () => {
  it('ListObjects(V2) is s3:ListBucket with s3:prefix, s3:delimiter and s3:max-keys exactly when sent', () => {
    const v2 = s3RequestChecks('GET', '/b?list-type=2&prefix=ci%2Flogs%2F&delimiter=%2F&max-keys=5');
    expect(v2.operation).toBe('ListObjectsV2');
    expect(v2.checks[0]).toMatchObject({
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::b',
      context: { 's3:prefix': 'ci/logs/', 's3:delimiter': '/', 's3:max-keys': '5' },
    });
    const bare = s3RequestChecks('GET', '/b');
    expect(bare.operation).toBe('ListObjects');
    expect(Object.keys(bare.checks[0]!.context)).not.toContain('s3:prefix');
    expect(s3RequestChecks('GET', '/b?list-type=2&prefix=').checks[0]!.context['s3:prefix']).toBe('');
  });

  it.each([
    ['HEAD', '/b', 'HeadBucket', 's3:ListBucket arn:aws:s3:::b'],
    ['PUT', '/b', 'CreateBucket', 's3:CreateBucket arn:aws:s3:::b'],
    ['DELETE', '/b', 'DeleteBucket', 's3:DeleteBucket arn:aws:s3:::b'],
    ['GET', '/b?location', 'GetBucketLocation', 's3:GetBucketLocation arn:aws:s3:::b'],
    ['GET', '/b?uploads', 'ListMultipartUploads', 's3:ListBucketMultipartUploads arn:aws:s3:::b'],
    ['GET', '/b?versions', 'ListObjectVersions', 's3:ListBucketVersions arn:aws:s3:::b'],
    ['PUT', '/b?lifecycle', 'PutBucketLifecycleConfiguration', 's3:PutLifecycleConfiguration arn:aws:s3:::b'],
    ['GET', '/', 'ListBuckets', 's3:ListAllMyBuckets *'],
  ])('%s %s is %s', (method, url, op, check) => {
    expect(needs(method, url)).toEqual({ op, checks: [check] });
  });

  it('an unknown subresource maps to an action only the administrator holds, not to a guess', () => {
    expect(needs('GET', '/b?intelligent-tiering').checks).toEqual(['s3:UnknownOperation arn:aws:s3:::b']);
    expect(needs('PATCH', '/b/k').checks).toEqual(['s3:UnknownOperation arn:aws:s3:::b/k']);
  });

  it('DeleteObjects: each key of the body needs s3:DeleteObject (the proxy reads them)', () => {
    expect(s3RequestChecks('POST', '/b?delete').deleteObjects).toBe(true);
    expect(
      deleteObjectsKeys(
        '<Delete><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key><VersionId>1</VersionId></Object></Delete>',
      ),
    ).toEqual([
      { key: 'a&b', versioned: false },
      { key: 'c', versioned: true },
    ]);
  });
});

describe('the caller', () => {
  it('is the access key id of the SigV4 Authorization header, or of a presigned URL', () => {
    const auth =
      'AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc';
    expect(accessKeyIdOf({ authorization: auth }, '/b/k')).toBe('ASIAEXAMPLE');
    expect(
      accessKeyIdOf({}, '/b/k?X-Amz-Credential=AKIAPRESIGNED%2F20260101%2Fus-east-1%2Fs3%2Faws4_request'),
    ).toBe('AKIAPRESIGNED');
    expect(accessKeyIdOf({}, '/b/k')).toBeUndefined();
  });
});
