// The S3 helpers and client construction, on a fake client (no network).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createClients } from '../../../src/aws/clients.js';
import { placeFile } from '../../../src/aws/content-addressed.js';
import { MAX_ATTEMPTS } from '../../../src/aws/emr-client.js';
import { getObjectText, headObject } from '../../../src/aws/s3-objects.js';
import { listObjects } from '../../../src/aws/s3-read.js';
import { childUri, joinKey, parseS3Uri } from '../../../src/aws/s3-uri.js';
import { fakeS3, sdkError } from '../fakes/aws.js';

const LOC = { bucket: 'bkt', key: 'a/b.txt' };

describe('createClients', () => {
  it('uses path-style addressing only for a custom S3 endpoint, and the retry budget everywhere', async () => {
    const aws = createClients('eu-west-1', {});
    const local = createClients('eu-west-1', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' });
    expect(aws.region).toBe('eu-west-1');
    expect(aws.s3.config.forcePathStyle).toBe(false);
    expect(local.s3.config.forcePathStyle).toBe(true);
    expect(await aws.emr.config.region()).toBe('eu-west-1');
    expect(await aws.s3.config.maxAttempts()).toBe(MAX_ATTEMPTS);
    expect(await aws.emr.config.maxAttempts()).toBe(MAX_ATTEMPTS);
  });
});

describe('s3-uri', () => {
  it('parses, joins and refuses what is not an s3:// URI or a bucket name', () => {
    expect(parseS3Uri(' s3://my-bucket/a/b/ ')).toEqual({ bucket: 'my-bucket', key: 'a/b/' });
    expect(parseS3Uri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', key: '' });
    expect(() => parseS3Uri('https://my-bucket/a')).toThrow('is not an s3:// URI');
    expect(() => parseS3Uri('s3://My_Bucket/a')).toThrow('is not a valid S3 bucket name');
    expect(joinKey('/a/', '', 'b//', '/c')).toBe('a/b/c');
    expect(childUri({ bucket: 'bkt', key: 'ci/' }, 'scripts', 'x.py')).toBe('s3://bkt/ci/scripts/x.py');
  });
});

describe('s3 objects', () => {
  it('headObject: size, ETag and metadata; undefined for a missing key; other errors thrown', async () => {
    const s3 = fakeS3({
      HeadObjectCommand: () => ({ ContentLength: 3, ETag: '"e"', Metadata: { sha256: 'x' } }),
    });
    expect(await headObject(s3, LOC)).toEqual({ size: 3, etag: '"e"', metadata: { sha256: 'x' } });
    const missing = fakeS3({
      HeadObjectCommand: () => {
        throw sdkError('NotFound', 404);
      },
    });
    expect(await headObject(missing, LOC)).toBeUndefined();
    const denied = fakeS3({
      HeadObjectCommand: () => {
        throw sdkError('Forbidden', 403);
      },
    });
    await expect(headObject(denied, LOC)).rejects.toThrow('Forbidden');
  });

  it('getObjectText refuses an object over the limit, naming it', async () => {
    const s3 = fakeS3({
      GetObjectCommand: () => ({
        ContentLength: 10,
        Body: { transformToWebStream: () => Readable.toWeb(Readable.from(['0123456789'])) },
      }),
    });
    await expect(getObjectText(s3, LOC, 5)).rejects.toThrow('s3://bkt/a/b.txt is larger than 5 bytes');
  });

  it('listObjects pages with continuation tokens and stops at the limit, saying it was cut short', async () => {
    let page = 0;
    const s3 = fakeS3({
      ListObjectsV2Command: (input) => {
        page++;
        const keys = Array.from({ length: Number(input.MaxKeys) }, (_, i) => ({
          Key: `k${page}-${i}`,
          Size: 1,
        }));
        return { Contents: keys, IsTruncated: true, NextContinuationToken: `t${page}` };
      },
    });
    const out = await listObjects(s3, { bucket: 'bkt', key: 'p/' }, 1500);
    expect(out.objects).toHaveLength(1500);
    expect(out.truncated).toBe(true);
    expect(s3.calls.map((c) => [c.input.MaxKeys, c.input.ContinuationToken])).toEqual([
      [1000, undefined],
      [500, 't1'],
    ]);
  });
});

describe('placeFile', () => {
  it('skips the upload when an object of the same size is already under the content hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'place-'));
    const file = join(dir, 'job.py');
    writeFileSync(file, 'print(1)\n');
    const sha = createHash('sha256').update('print(1)\n').digest('hex');
    const s3 = fakeS3({ HeadObjectCommand: () => ({ ContentLength: 9 }) });
    const placed = await placeFile(s3, file, { bucket: 'bkt', key: 'ci' }, 'scripts');
    expect(placed).toEqual({
      uri: `s3://bkt/ci/scripts/${sha}/job.py`,
      sha256: sha,
      size: 9,
      uploadedBytes: 0,
    });
    expect(s3.calls).toEqual([
      { command: 'HeadObjectCommand', input: { Bucket: 'bkt', Key: `ci/scripts/${sha}/job.py` } },
    ]);
  });
});
