// The S3 IAM proxy in front of moto: what S3 answers a caller whose policy allows or denies, the
// 403-not-404 rule under both readings, and bodies streamed, never buffered.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it, jest } from '@jest/globals';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPrincipalRegistry } from '../fixtures/iam/principals.mjs';
import { startS3IamProxy } from '../fixtures/iam/s3-iam-proxy.mjs';
import { presignedUrl, signedHeaders } from '../fixtures/iam/sign.mjs';
import { iamEnabled, registerGithubSession } from './iam.js';
import { freshBucket, putText, s3Client } from './stack.js';

jest.setTimeout(120_000);
const maybe = iamEnabled() ? it : it.skip;

function clientFor(
  who: { accessKeyId: string; secretAccessKey: string },
  endpoint = process.env.LOCAL_S3_ENDPOINT!,
): S3Client {
  const { accessKeyId, secretAccessKey } = who;
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey },
  });
}

const status = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode ?? -1,
  );

const listGrant = (bucket: string, op: string) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/p/*` },
    {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${bucket}`,
      ...(op ? { Condition: { [op]: { 's3:prefix': ['p/*'] } } } : {}),
    },
  ],
});
const readOnly = (bucket: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/p/*` }],
});

describe('the 403-not-404 rule for GetObject/HeadObject of a missing key', () => {
  const grants = [
    { grant: 'no ListBucket at all', op: 'none', keyAsPrefix: 403, strict: 403 },
    { grant: 'an unconditional ListBucket', op: '', keyAsPrefix: 404, strict: 404 },
    { grant: 'ListBucket with StringLike s3:prefix', op: 'StringLike', keyAsPrefix: 404, strict: 403 },
    {
      grant: 'ListBucket with StringLikeIfExists s3:prefix',
      op: 'StringLikeIfExists',
      keyAsPrefix: 404,
      strict: 404,
    },
  ];
  const cases = grants.flatMap((g) => [
    { ...g, reading: 'key-as-prefix', strict: false, expected: g.keyAsPrefix },
    { ...g, reading: 'strict', strict: true, expected: g.strict },
  ]);
  maybe.each(cases)('$grant, $reading reading: $expected', async ({ op, strict, expected }) => {
    const bucket = await freshBucket();
    await putText(bucket, 'p/there.txt', 'x');
    const policy = op === 'none' ? readOnly(bucket) : listGrant(bucket, op);
    const me = await registerGithubSession([policy], strict);
    const s3 = clientFor(me);
    expect(await status(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'p/missing' })))).toBe(expected);
    expect(await status(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'p/missing' })))).toBe(expected);
    // An existing key is readable either way, and a key outside the grant is 403 either way.
    expect(await status(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'p/there.txt' })))).toBe(200);
    expect(await status(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'q/missing' })))).toBe(403);
  });

  maybe("a 403 for a HEAD has no body; a GET gets S3's AccessDenied XML", async () => {
    const bucket = await freshBucket();
    const me = await registerGithubSession([readOnly(bucket)], false);
    const url = `${process.env.LOCAL_S3_ENDPOINT}/${bucket}/p/missing`;
    const raw = async (method: string) =>
      fetch(url, { method, headers: await signedHeaders(me, method, url) });
    const head = await raw('HEAD');
    expect([head.status, await head.text()]).toEqual([403, '']);
    const get = await raw('GET');
    expect(get.status).toBe(403);
    expect(await get.text()).toMatch(
      /^<\?xml[^>]*>\s*<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/,
    );
  });
});

describe('what the proxy allows and denies', () => {
  maybe(
    'listing: only under the granted prefixes; with IfExists a listing without a prefix is allowed',
    async () => {
      const bucket = await freshBucket();
      const me = await registerGithubSession([listGrant(bucket, 'StringLikeIfExists')], false);
      const s3 = clientFor(me);
      expect(await status(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'p/' })))).toBe(200);
      expect(await status(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'q/' })))).toBe(403);
      expect(await status(s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: '' })))).toBe(403);
      // The documented cost of ...IfExists: a request without s3:prefix passes the condition.
      expect(await status(s3.send(new ListObjectsV2Command({ Bucket: bucket })))).toBe(200);
    },
  );

  maybe('an unknown access key is refused with InvalidAccessKeyId', async () => {
    const bucket = await freshBucket();
    const err = await clientFor({ accessKeyId: 'AKIANOBODYKNOWS', secretAccessKey: 'x' })
      .send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))
      .catch((e: Error) => e);
    expect((err as Error).name).toBe('InvalidAccessKeyId');
  });

  maybe(
    'CopyObject needs s3:GetObject on the source as well as s3:PutObject on the destination',
    async () => {
      const bucket = await freshBucket();
      await putText(bucket, 'src/a.txt', 'a');
      await putText(bucket, 'p/b.txt', 'b');
      const me = await registerGithubSession(
        [
          {
            Statement: [
              {
                Effect: 'Allow',
                Action: ['s3:PutObject', 's3:GetObject'],
                Resource: `arn:aws:s3:::${bucket}/p/*`,
              },
            ],
          },
        ],
        false,
      );
      const s3 = clientFor(me);
      const copy = (from: string) =>
        s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'p/copy', CopySource: `${bucket}/${from}` }));
      expect(await status(copy('src/a.txt'))).toBe(403);
      expect(await status(copy('p/b.txt'))).toBe(200);
    },
  );

  maybe('DeleteObjects with one key the caller may not delete deletes nothing', async () => {
    const bucket = await freshBucket();
    await putText(bucket, 'p/a', 'a');
    await putText(bucket, 'q/b', 'b');
    const me = await registerGithubSession(
      [
        {
          Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${bucket}/p/*` }],
        },
      ],
      false,
    );
    const del = clientFor(me).send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'p/a' }, { Key: 'q/b' }] } }),
    );
    expect(await status(del)).toBe(403);
    const admin = s3Client();
    expect(await status(admin.send(new HeadObjectCommand({ Bucket: bucket, Key: 'p/a' })))).toBe(200);
  });

  maybe('a presigned URL is judged for the key in its X-Amz-Credential', async () => {
    const bucket = await freshBucket();
    await putText(bucket, 'p/k', 'hello');
    const me = await registerGithubSession([readOnly(bucket)], false);
    const url = (key: string) => presignedUrl(me, 'GET', `${process.env.LOCAL_S3_ENDPOINT}/${bucket}/${key}`);
    expect((await fetch(await url('p/k'))).status).toBe(200);
    const other = await fetch(await url('other/k'));
    expect([other.status, await other.text()]).toEqual([
      403,
      expect.stringContaining('<Code>AccessDenied</Code>'),
    ]);
    const tampered = (await url('p/k')).replace(
      /X-Amz-Signature=[0-9a-f]/,
      (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'),
    );
    const refused = await fetch(tampered);
    expect([refused.status, await refused.text()]).toEqual([
      403,
      expect.stringContaining('<Code>SignatureDoesNotMatch</Code>'),
    ]);
  });

  maybe('a request signed wrongly is refused as S3 refuses it: SignatureDoesNotMatch', async () => {
    const bucket = await freshBucket();
    const me = await registerGithubSession([readOnly(bucket)], false);
    const wrongSecret = clientFor({ ...me, secretAccessKey: 'not-the-secret' });
    const err = await wrongSecret
      .send(new GetObjectCommand({ Bucket: bucket, Key: 'p/k' }))
      .catch((e: Error) => e);
    expect((err as Error).name).toBe('SignatureDoesNotMatch');
    // The payload hash header set after signing (the order the uploader's middleware must avoid).
    const late = clientFor(me);
    late.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256'] =
          'UNSIGNED-PAYLOAD';
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'afterSigning' },
    );
    const put = await late
      .send(new PutObjectCommand({ Bucket: bucket, Key: 'p/late', Body: 'x' }))
      .catch((e: Error) => e);
    expect((put as Error).name).toBe('SignatureDoesNotMatch');
  });
});

describe('bodies', () => {
  maybe('a denied upload with Expect: 100-continue is refused before its body is sent', async () => {
    const bucket = await freshBucket();
    const me = await registerGithubSession([readOnly(bucket)], false);
    const target = new URL(process.env.LOCAL_S3_ENDPOINT!);
    const headers = await signedHeaders(me, 'PUT', `${target.origin}/${bucket}/p/big`, {
      expect: '100-continue',
      'content-length': String(1 << 30),
    });
    const result = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest({
        host: target.hostname,
        port: target.port,
        method: 'PUT',
        path: `/${bucket}/p/big`,
        headers,
      });
      req.on('continue', () => (continued = true));
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, continued });
        req.destroy();
      });
      req.on('error', (e) => (continued ? reject(e) : undefined));
      req.flushHeaders();
    });
    expect(result).toEqual({ status: 403, continued: false });
  });

  it('an allowed upload of 384 MiB streams through without the proxy holding it in memory', async () => {
    const registry = createPrincipalRegistry();
    const proxy = await startS3IamProxy({ target: process.env.LOCAL_MOTO_ENDPOINT!, registry });
    try {
      const bucket = await freshBucket();
      // Big enough that holding it would stand far above what a test process's RSS wanders by under
      // load (up to ~80 MiB seen on a busy 2-core machine).
      const total = 384 << 20;
      const chunk = Buffer.alloc(1 << 20, 7);
      let peak = 0;
      const before = process.memoryUsage().rss;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - before)), 20);
      const body = Readable.from(
        (function* () {
          for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
        })(),
      );
      const admin = { accessKeyId: 'testing', secretAccessKey: 'testing-secret' };
      const headers = await signedHeaders(admin, 'PUT', `${proxy.url}/${bucket}/big.bin`, {
        'content-length': String(total),
      });
      const code = await new Promise<number>((resolve, reject) => {
        const u = new URL(proxy.url);
        const req = httpRequest(
          {
            host: u.hostname,
            port: u.port,
            method: 'PUT',
            path: `/${bucket}/big.bin`,
            headers,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        body.pipe(req);
      });
      clearInterval(timer);
      expect(code).toBe(200);
      const head = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
      expect(head.ContentLength).toBe(total);
      expect(peak).toBeLessThan(total / 3);
      expect(registry.decisions({ accessKeyId: 'testing' }).map((d) => d.operation)).toEqual(['PutObject']);
    } finally {
      await proxy.close();
    }
  });
});

describe('PutObject through the SDK', () => {
  maybe("a multipart upload (the action's uploader) is judged part by part as s3:PutObject", async () => {
    const { uploadFile } = await import('../../src/aws/s3-objects.js');
    const bucket = await freshBucket();
    const me = await registerGithubSession(
      [{ Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/p/*` }] }],
      false,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'iam-multi-')), 'multi.bin');
    writeFileSync(file, Buffer.alloc(11 << 20, 1));
    await uploadFile(clientFor(me), file, { bucket, key: 'p/multi' });
    const { decisions } = (await (
      await fetch(`${process.env.LOCAL_IAM_ENDPOINT}/__iam/decisions?accessKeyId=${me.accessKeyId}`)
    ).json()) as {
      decisions: Array<{ operation: string; action: string; allowed: boolean }>;
    };
    expect(new Set(decisions.map((d) => d.operation))).toEqual(
      new Set(['CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload']),
    );
    expect(decisions.every((d) => d.action === 's3:PutObject' && d.allowed)).toBe(true);
    await expect(
      clientFor(me).send(new PutObjectCommand({ Bucket: bucket, Key: 'q/x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
