// The local EMR Serverless server checks SigV4 signatures as the service does (through the stack's
// principals: iam/sigv4.mjs with the path encoded twice and the body's SHA-256), so a request signed
// wrongly is refused here as on AWS instead of passing because nobody looked.
import { describe, expect, it } from '@jest/globals';
import {
  EMRServerlessClient,
  ListApplicationsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-emr-serverless';
import { iamEnabled } from './iam.js';

const maybe = iamEnabled() ? it : it.skip;

const client = (secretAccessKey: string) =>
  new EMRServerlessClient({
    region: 'us-east-1',
    endpoint: process.env.LOCAL_EMR_ENDPOINT,
    maxAttempts: 1,
    credentials: { accessKeyId: 'testing', secretAccessKey },
  });

const nameOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: Error) => e.name,
  );

describe('EMR Serverless signatures', () => {
  maybe('accepts what the SDK signs, an ARN in the path included', async () => {
    const emr = client('testing-secret');
    expect(await nameOf(emr.send(new ListApplicationsCommand({})))).toBe('ok');
    const arn = 'arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fnosuchapp0001';
    expect(await nameOf(emr.send(new ListTagsForResourceCommand({ resourceArn: arn })))).not.toMatch(
      /Signature/,
    );
  });

  maybe('refuses a request signed with the wrong secret: InvalidSignatureException', async () => {
    const emr = client('not-the-secret');
    const err = await emr
      .send(new ListApplicationsCommand({}))
      .catch((e: Error & { $metadata?: object }) => e);
    expect(err).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
  });
});
