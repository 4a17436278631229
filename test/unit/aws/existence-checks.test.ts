// The action's own existence checks: a 403 on the HEAD before an upload or on the cache manifest
// read means "not known to be there" (S3 answers a missing key with 403 to a caller without
// s3:ListBucket), the write decides, and a denied write names the permission and the role.
// A real S3Client on a canned HTTP handler, so the SDK's own error parsing is what is tested.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { S3Client } from '@aws-sdk/client-s3';
import { placeFile } from '../../../src/aws/content-addressed.js';
import {
  deniedPrincipal,
  deniedWriteError,
  describeS3Error,
  isAccessDenied,
} from '../../../src/aws/errors.js';
import { lookupCachedArtifacts, storeArtifacts } from '../../../src/hail/artifact-cache.js';

type Answer = { status: number; body?: string; headers?: Record<string, string> };
const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/hail-emr-serverless-github/GitHubActions';
const denied = (action: string, resource: string): Answer => ({
  status: 403,
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>User: ${PRINCIPAL} is not authorized to perform: ${action} on resource: "${resource}" because no identity-based policy allows the ${action} action</Message><RequestId>1</RequestId></Error>`,
});
const HEAD_403: Answer = { status: 403 }; // S3 sends no body on HEAD

/** An S3 client whose every request is answered by `answer(method, path)`; requests are recorded. */
function cannedS3(answer: (method: string, path: string) => Answer) {
  const seen: string[] = [];
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    requestHandler: {
      async handle(req: { method: string; path: string }) {
        const path = decodeURIComponent(req.path);
        seen.push(`${req.method} ${path}`);
        const a = answer(req.method, path);
        const body = a.body ?? '';
        return {
          // The shape of @smithy/protocol-http's HttpResponse (not a direct dependency).
          response: {
            statusCode: a.status,
            headers: { 'content-length': String(Buffer.byteLength(body)), ...(a.headers ?? {}) },
            body: Readable.from([Buffer.from(body)]),
          },
        };
      },
    },
  });
  return { s3, seen };
}

function localFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'exist-'));
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

const prefix = { bucket: 'bkt', key: 'hail-actions' };

describe('errors: classifying a 403', () => {
  it('isAccessDenied: a 403 with or without a body; not a 404 or a 500', () => {
    expect(isAccessDenied({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(true);
    expect(isAccessDenied({ name: 'Unknown', $metadata: { httpStatusCode: 403 } })).toBe(true);
    expect(isAccessDenied({ name: 'NotFound', $metadata: { httpStatusCode: 404 } })).toBe(false);
    expect(isAccessDenied({ name: 'InternalError', $metadata: { httpStatusCode: 500 } })).toBe(false);
  });

  it('an explained denial names the call, the object, the permission, the region and the caller AWS named', () => {
    const err = Object.assign(new Error(`User: ${PRINCIPAL} is not authorized to perform: s3:PutObject`), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    expect(deniedPrincipal(err)).toBe(PRINCIPAL);
    expect(
      describeS3Error(err, { operation: 'PutObject', bucket: 'b', key: 'p/k', region: 'eu-west-1' }),
    ).toBe(
      `PutObject of s3://b/p/k was denied (AccessDenied, region eu-west-1): the IAM policy of the workflow's role (${PRINCIPAL}) needs s3:PutObject on arn:aws:s3:::b/p/k`,
    );
    // deniedWriteError only says what was being written, before the explained S3 error.
    expect(deniedWriteError(err, 'Uploading job.py')?.message).toBe(
      `Uploading job.py: ${err.message} (see the README's IAM policies)`,
    );
    const bare = { name: 'AccessDenied', message: 'Access Denied', $metadata: { httpStatusCode: 403 } };
    expect(describeS3Error(bare, { operation: 'PutObject', bucket: 'b', key: 'k', region: 'r' })).toMatch(
      /the IAM policy of these credentials needs s3:PutObject on arn:aws:s3:::b\/k$/,
    );
    expect(deniedWriteError({ $metadata: { httpStatusCode: 500 } }, 'x')).toBeUndefined();
  });
});

describe('placeFile: the HEAD before an upload', () => {
  it('a 403 on the HEAD is not a failure: the upload goes ahead', async () => {
    const { s3, seen } = cannedS3((m) =>
      m === 'HEAD' ? HEAD_403 : { status: 200, headers: { etag: '"e"' } },
    );
    const placed = await placeFile(s3, localFile('job.py', 'print(1)\n'), prefix, 'scripts');
    expect(placed.uploadedBytes).toBe(9);
    expect(seen.map((r) => r.split(' ')[0])).toEqual(['HEAD', 'PUT']);
  });

  it('a denied upload after a 403 HEAD names the operation, the key, s3:PutObject and the role', async () => {
    const { s3 } = cannedS3((m, p) =>
      m === 'HEAD' ? HEAD_403 : denied('s3:PutObject', `arn:aws:s3:::${p.slice(1)}`),
    );
    const err = await placeFile(s3, localFile('job.py', 'print(1)\n'), prefix, 'scripts').catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /^Uploading job\.py: PutObject of s3:\/\/bkt\/hail-actions\/scripts\/[0-9a-f]{64}\/job\.py was denied \(AccessDenied, region us-east-1\): the IAM policy of the workflow's role \(arn:aws:sts::123456789012:assumed-role\/hail-emr-serverless-github\/GitHubActions\) needs s3:PutObject on arn:aws:s3:::bkt\/hail-actions\/scripts\/[0-9a-f]{64}\/job\.py/,
    );
  });

  it('a 404 still uploads, and an object of the same size is still not sent again', async () => {
    const missing = cannedS3((m) =>
      m === 'HEAD' ? { status: 404 } : { status: 200, headers: { etag: '"e"' } },
    );
    expect((await placeFile(missing.s3, localFile('a.py', 'abc'), prefix, 'scripts')).uploadedBytes).toBe(3);
    // A HEAD's content-length is the object's size (3, from the canned body).
    const present = cannedS3((m) =>
      m === 'HEAD'
        ? { status: 200, headers: { 'x-amz-meta-sha256': 'x', etag: '"e"' }, body: 'abc' }
        : { status: 500 },
    );
    expect((await placeFile(present.s3, localFile('a.py', 'abc'), prefix, 'scripts')).uploadedBytes).toBe(0);
    expect(present.seen.map((r) => r.split(' ')[0])).toEqual(['HEAD']);
  });

  it('other errors on the HEAD (a 500) are not swallowed', async () => {
    const { s3, seen } = cannedS3(() => ({ status: 500 }));
    await expect(placeFile(s3, localFile('a.py', 'abc'), prefix, 'scripts')).rejects.toBeDefined();
    expect(seen.map((r) => r.split(' ')[0])).toEqual(['HEAD']);
  });
});

describe('the artifact cache', () => {
  const KEY = 'a'.repeat(64);

  it('a 403 on the manifest read is a miss that says so, not a failure', async () => {
    const { s3 } = cannedS3(() => denied('s3:ListBucket', 'arn:aws:s3:::bkt'));
    const r = await lookupCachedArtifacts(s3, prefix, KEY);
    expect(r).toEqual({
      hit: false,
      reason: `s3://bkt/hail-actions/hail/${KEY}/manifest.json is missing or not readable (403)`,
    });
  });

  it('a denied store names the object and s3:PutObject', async () => {
    const { s3 } = cannedS3((m, p) =>
      m === 'PUT' ? denied('s3:PutObject', `arn:aws:s3:::${p.slice(1)}`) : { status: 200 },
    );
    const jarPath = localFile('hail-all-spark.jar', 'jar');
    const envArchivePath = localFile('pyspark_hail.tar.gz', 'env');
    const err = await storeArtifacts(s3, prefix, KEY, { jarPath, envArchivePath }, {
      hail: '0.2.134',
    } as never).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^Caching the Hail (jar|environment archive): PutObject of s3://bkt/hail-actions/hail/${KEY}/\\S+ was denied \\(AccessDenied, region us-east-1\\): the IAM policy of the workflow's role \\(${PRINCIPAL.replace(/[/.]/g, '\\$&')}\\) needs s3:PutObject on arn:aws:s3:::bkt/hail-actions/hail/${KEY}/`,
      ),
    );
  });
});
