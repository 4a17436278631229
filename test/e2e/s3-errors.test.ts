// AWS errors say what failed: the operation, the bucket and key, the permission an IAM policy needs,
// and the region used. dist/index.js against the local stack, with small proxies in front of it
// that answer as AWS does where the local servers cannot (a denied request, another region).
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, jest } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import { freshBucket, s3Client, seedApplication } from './stack.js';

jest.setTimeout(60_000);

const ROLE = 'arn:aws:iam::123456789012:role/hail-job';

/** A proxy that answers some requests itself (as AWS would) and forwards the rest. */
async function startAnswering(
  target: string,
  answer: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<{ url: string; close(): Promise<void> }> {
  const t = new URL(target);
  const server = createServer((req, res) => {
    if (answer(req, res)) {
      req.resume();
      return;
    }
    const up = httpRequest(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function setup(prefix?: string) {
  const bucket = await freshBucket();
  const app = await seedApplication();
  const s3 = s3Client();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/hail-all-spark.jar', Body: 'jar' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/pyspark_hail.tar.gz', Body: 'tgz' }));
  return {
    bucket,
    app,
    workspace: makeWorkspace({ 'job.py': 'print(1)\n' }),
    inputs: {
      script: 'job.py',
      's3-prefix': prefix ?? `s3://${bucket}/ci`,
      'execution-role-arn': ROLE,
      'application-id': app,
      'hail-version': '0.2.134',
      'hail-jar': `s3://${bucket}/a/hail-all-spark.jar`,
      'hail-env-archive': `s3://${bucket}/a/pyspark_hail.tar.gz`,
    },
  };
}

const errorLine = (stdout: string) => stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
const SCRIPT_KEY = /ci\/scripts\/[0-9a-f]{64}\/job\.py/.source;

describe('S3 and EMR Serverless errors name what failed', () => {
  it('a bucket that does not exist is named, with the operation, the key and the region', async () => {
    const missing = `hes-missing-${process.pid}-${Date.now().toString(36)}`;
    const { workspace, inputs } = await setup(`s3://${missing}/ci`);
    const r = await runAction({ workspace, inputs, env: awsEnv() });
    expect(r.code).toBe(1);
    const line = errorLine(r.stdout);
    expect(line).toMatch(new RegExp(`PutObject of s3://${missing}/${SCRIPT_KEY} failed`));
    expect(line).toContain(`the bucket ${missing} does not exist`);
    expect(line).toContain('region us-east-1');
  });

  it('a denied HEAD and PUT name the operation, the object, the permission the policy needs and the region', async () => {
    const { bucket, workspace, inputs } = await setup();
    // S3 answers a request the policy does not allow with 403 AccessDenied (a HEAD has no body).
    const deny = await startAnswering(process.env.LOCAL_S3_ENDPOINT!, (req, res) => {
      if (!(req.url ?? '').startsWith(`/${bucket}/ci/scripts/`)) return false;
      if (req.method !== 'HEAD' && req.method !== 'PUT') return false;
      const body =
        req.method === 'HEAD'
          ? ''
          : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R1</RequestId></Error>';
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    });
    try {
      const r = await runAction({ workspace, inputs, env: awsEnv({ s3: deny.url }) });
      expect(r.code).toBe(1);
      const line = errorLine(r.stdout);
      expect(line).not.toContain('UnknownError');
      // Which request fails first depends on how a 403 HEAD is read (unknown: the write decides).
      const m = new RegExp(`(HeadObject|PutObject) of s3://${bucket}/(${SCRIPT_KEY}) was denied`).exec(line);
      expect(m).not.toBeNull();
      const permission = m![1] === 'HeadObject' ? 's3:GetObject' : 's3:PutObject';
      expect(line).toContain(`${permission} on arn:aws:s3:::${bucket}/${m![2]}`);
      expect(line).toContain('region us-east-1');
    } finally {
      await deny.close();
    }
  });

  it('an application in another region reads as such, naming the region used', async () => {
    const { app, workspace, inputs } = await setup();
    // Each region is its own endpoint: the application lives in us-east-1 (the fixture); a request
    // signed for another region reaches a region where it does not exist.
    const regional = await startAnswering(process.env.LOCAL_EMR_ENDPOINT!, (req, res) => {
      const region = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(req.headers.authorization ?? '')?.[1];
      if (region === 'us-east-1') return false;
      const id = /\/applications\/([0-9a-z]+)/.exec(req.url ?? '')?.[1] ?? '';
      const body = JSON.stringify({ message: `Application ${id} does not exist` });
      res.writeHead(404, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ResourceNotFoundException',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return true;
    });
    try {
      const r = await runAction({
        workspace,
        inputs: { ...inputs, 'aws-region': 'us-west-2' },
        env: awsEnv({ emr: regional.url }),
      });
      expect(r.code).toBe(1);
      const line = errorLine(r.stdout);
      expect(line).toContain(`application ${app} does not exist in region us-west-2`);
      expect(line).toMatch(/aws-region/);
    } finally {
      await regional.close();
    }
  });
});
