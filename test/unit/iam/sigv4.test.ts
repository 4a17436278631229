import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signedHeaders } from '../../fixtures/iam/sign.mjs';
import { verifySigV4 } from '../../fixtures/iam/sigv4.mjs';

const secrets: Record<string, string> = {
  AKIAIOSFODNN7EXAMPLE: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ASIALOCAL: 'local-secret',
};
const secretFor = (id: string) => secrets[id];

const lowerCased = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

describe('verifySigV4', () => {
  it("accepts the S3 API reference's GET Object example, and refuses it with one byte changed", () => {
    // "Example: GET Object" in "Signature Calculations for the Authorization Header: Transferring
    // Payload in a Single Chunk" (Amazon S3 API reference).
    const req = {
      method: 'GET',
      url: '/test.txt',
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date': '20130524T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
          'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
          'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      },
    };
    const now = Date.UTC(2013, 4, 24, 0, 5);
    expect(verifySigV4(req, { secretFor, now })).toBeUndefined();
    const changed = { ...req, headers: { ...req.headers, range: 'bytes=0-8' } };
    expect(verifySigV4(changed, { secretFor, now })?.code).toBe('SignatureDoesNotMatch');
  });

  /** Signed as the SDK's S3 client signs (fixtures/iam/sign.mjs), in the shape the proxy receives. */
  async function sdkSigned(o: {
    method?: string;
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    payloadHash?: string;
    secret?: string;
  }) {
    const url = new URL(`http://127.0.0.1:4566${o.path}`);
    for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
    const method = o.method ?? 'PUT';
    const who = { accessKeyId: 'ASIALOCAL', secretAccessKey: o.secret ?? 'local-secret' };
    const sent = { 'x-amz-content-sha256': o.payloadHash ?? 'UNSIGNED-PAYLOAD', ...o.headers };
    const headers = await signedHeaders(who, method, url.toString(), sent);
    return { method, url: url.pathname + url.search, headers: lowerCased(headers) };
  }

  it('accepts what the SDK signs: UNSIGNED-PAYLOAD, multipart queries, keys that need encoding', async () => {
    type Case = Parameters<typeof sdkSigned>[0];
    const cases: Case[] = [
      { path: '/bucket/ci/hail/0a1b/hail-all-spark.jar' },
      { path: '/bucket/k', query: { partNumber: '3', uploadId: 'up+id/=x' } },
      { method: 'POST', path: '/bucket/k', query: { uploads: '' } },
      { method: 'GET', path: '/bucket', query: { 'list-type': '2', prefix: 'ci/a b/é' } },
      { path: `/bucket/${encodeURIComponent("jobs/my util (1)+ü's.py").replace(/%2F/g, '/')}` },
      { path: '/bucket/k', payloadHash: createHash('sha256').update('body').digest('hex') },
      {
        path: '/bucket/k',
        headers: { 'x-amz-meta-sha256': '  two   spaces  ', 'x-amz-checksum-crc32': 'AAAAAA==' },
      },
    ];
    for (const c of cases) {
      const req = await sdkSigned(c);
      expect([c, verifySigV4(req, { secretFor })]).toEqual([c, undefined]);
    }
  });

  it('refuses a payload hash header changed after signing, and the wrong secret', async () => {
    const req = await sdkSigned({
      path: '/bucket/k',
      payloadHash: createHash('sha256').update('b').digest('hex'),
    });
    const swapped = { ...req, headers: { ...req.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } };
    expect(verifySigV4(swapped, { secretFor })?.code).toBe('SignatureDoesNotMatch');
    const wrongSecret = await sdkSigned({ path: '/bucket/k', secret: 'not-the-secret' });
    expect(verifySigV4(wrongSecret, { secretFor })?.code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a request signed more than 15 minutes away from now; leaves unknown keys to IAM', async () => {
    const req = await sdkSigned({ path: '/bucket/k' });
    expect(verifySigV4(req, { secretFor, now: Date.now() + 16 * 60_000 })?.code).toBe('RequestTimeTooSkewed');
    expect(verifySigV4(req, { secretFor, now: Date.now() + 14 * 60_000 })).toBeUndefined();
    expect(verifySigV4(req, { secretFor: () => undefined })).toBeUndefined();
  });
});
