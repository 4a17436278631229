// What an S3 or EMR Serverless failure reads as: the call, the resource, the permission, the region.
import { describe, expect, it } from '@jest/globals';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  describeMissingApplication,
  describeS3Error,
  explainS3Error,
  isTransient,
} from '../../../src/aws/errors.js';

/** An error shaped as the SDK throws it for an answer from S3. */
function sdkError(name: string, status: number, message = name, headers: Record<string, string> = {}) {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: status },
    $response: { headers },
  });
}

const obj = { bucket: 'genomics', key: 'ci/scripts/abc/job.py', region: 'eu-west-1' };

describe('describeS3Error', () => {
  it('a denied HEAD (403, no body: the SDK has no code) names s3:GetObject on the object', () => {
    const msg = describeS3Error(sdkError('UnknownError', 403), { operation: 'HeadObject', ...obj });
    expect(msg).toBe(
      'HeadObject of s3://genomics/ci/scripts/abc/job.py was denied (HTTP 403, region eu-west-1): ' +
        'the IAM policy of these credentials needs s3:GetObject on arn:aws:s3:::genomics/ci/scripts/abc/job.py ' +
        '(S3 also answers 403 for a missing key when s3:ListBucket on arn:aws:s3:::genomics is not granted)',
    );
  });

  it('a denied PUT names s3:PutObject; a denied listing names s3:ListBucket on the bucket', () => {
    expect(describeS3Error(sdkError('AccessDenied', 403), { operation: 'PutObject', ...obj })).toContain(
      'needs s3:PutObject on arn:aws:s3:::genomics/ci/scripts/abc/job.py',
    );
    const list = describeS3Error(sdkError('AccessDenied', 403), {
      operation: 'ListObjectsV2',
      bucket: 'genomics',
      key: 'out/',
      region: 'eu-west-1',
    });
    expect(list).toMatch(
      /^ListObjectsV2 of s3:\/\/genomics\/out\/ was denied \(AccessDenied, region eu-west-1\)/,
    );
    expect(list).toContain('needs s3:ListBucket on arn:aws:s3:::genomics');
    expect(list).not.toContain('arn:aws:s3:::genomics/');
  });

  it('a 403 about the credentials themselves is not read as a missing permission', () => {
    const msg = describeS3Error(sdkError('InvalidAccessKeyId', 403, 'The AWS Access Key Id does not exist'), {
      operation: 'PutObject',
      ...obj,
    });
    expect(msg).toBe(
      'PutObject of s3://genomics/ci/scripts/abc/job.py failed (InvalidAccessKeyId, region eu-west-1): The AWS Access Key Id does not exist',
    );
  });

  it('names a missing bucket, and a bucket in another region', () => {
    expect(describeS3Error(sdkError('NoSuchBucket', 404), { operation: 'PutObject', ...obj })).toBe(
      'PutObject of s3://genomics/ci/scripts/abc/job.py failed: the bucket genomics does not exist (region eu-west-1); check s3-prefix',
    );
    const moved = sdkError('PermanentRedirect', 301, 'redirect', { 'x-amz-bucket-region': 'us-west-2' });
    expect(describeS3Error(moved, { operation: 'GetObject', ...obj })).toBe(
      "GetObject of s3://genomics/ci/scripts/abc/job.py failed: the bucket genomics is in us-west-2, not eu-west-1; set aws-region to the bucket's region",
    );
  });

  it('explainS3Error rewords the SDK error in place: name and status stay, so it classifies as before', async () => {
    const s3 = { config: { region: async () => 'eu-west-1' } } as unknown as S3Client;
    const e = sdkError('SlowDown', 503, 'Please reduce your request rate.');
    expect(await explainS3Error(s3, e, 'PutObject', obj)).toBe(e);
    expect(e.message).toBe(
      'PutObject of s3://genomics/ci/scripts/abc/job.py failed (SlowDown, region eu-west-1): Please reduce your request rate.',
    );
    expect(isTransient(e)).toBe(true);
    const plain = new Error('socket hang up'); // not an answer from S3: left as it is
    expect(await explainS3Error(s3, plain, 'PutObject', obj)).toBe(plain);
    expect(plain.message).toBe('socket hang up');
  });
});

describe('describeMissingApplication', () => {
  it('names the region used and the input that sets it', () => {
    expect(describeMissingApplication('00fabc', 'us-west-2')).toMatch(
      /^application 00fabc does not exist in region us-west-2 \(from aws-region or AWS_REGION\)/,
    );
  });
});
