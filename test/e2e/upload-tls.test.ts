// The uploader over HTTPS, as real S3 is reached: parts are streamed from the file through reused
// buffers, and Node's TLS stack must have taken each piece before it is read into again. The target
// is the capped S3 fixture serving TLS with a certificate made here: slow connections (so writes back
// up), every part's CRC32 checked against the bytes that arrived, the composite checked on completion.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_PART_SIZE, DEFAULT_PARTS_IN_FLIGHT, uploadFile } from '../../src/aws/file-upload.js';
import { startCappedS3, type CappedS3 } from '../fixtures/capped-s3.mjs';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'hes-upload-tls-'));
let target: CappedS3;
let s3: S3Client;

beforeAll(async () => {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' }); // prettier-ignore
  const pem = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  target = await startCappedS3({ bytesPerSecond: 24 * MiB, latencyMs: 5, tls: pem });
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: target.url,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: { httpsAgent: new Agent({ ca: pem.cert, keepAlive: true }) },
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'tls' }));
});

afterAll(async () => {
  s3?.destroy();
  await target?.close();
});

describe('uploadFile over TLS', () => {
  it('a multipart upload arrives intact: every part checked, the composite CRC32 that of the file', async () => {
    const parts = DEFAULT_PARTS_IN_FLIGHT + 3; // more parts than go at once: buffers are lent again
    const data = randomBytes((parts - 1) * DEFAULT_PART_SIZE + 12_345);
    const path = join(dir, 'big.bin');
    writeFileSync(path, data);

    await uploadFile(s3, path, { bucket: 'tls', key: 'big.bin' });

    const crcs = [];
    for (let at = 0; at < data.length; at += DEFAULT_PART_SIZE) {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(data.subarray(at, at + DEFAULT_PART_SIZE)));
      crcs.push(crc);
    }
    const composite = Buffer.alloc(4);
    composite.writeUInt32BE(crc32(Buffer.concat(crcs)));
    const stored = target.objects.get('tls/big.bin');
    expect(stored?.size).toBe(data.length);
    expect(stored?.checksum).toEqual({ name: 'CRC32', value: `${composite.toString('base64')}-${parts}` });
    expect(target.stats.byOperation.UploadPart).toBe(parts);
    expect(target.stats.maxConcurrentConnections).toBeGreaterThan(1);
    expect(target.openUploads()).toBe(0);
  });

  it('a small file goes in one PutObject whose CRC32 is checked against the bytes that arrived', async () => {
    const data = randomBytes(3 * MiB + 1);
    const path = join(dir, 'small.bin');
    writeFileSync(path, data);
    await uploadFile(s3, path, { bucket: 'tls', key: 'small.bin' });
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data));
    expect(target.objects.get('tls/small.bin')).toMatchObject({
      size: data.length,
      checksum: { name: 'CRC32', value: crc.toString('base64') },
    });
  });
});
