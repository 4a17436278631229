import type { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { S3Client } from '@aws-sdk/client-s3';
import { createEmrClient, MAX_ATTEMPTS } from './emr-client.js';

export interface AwsClients {
  readonly s3: S3Client;
  readonly emr: EMRServerlessClient;
  readonly region: string;
}

/**
 * The one place AWS clients are made (with ./emr-client.ts). Endpoints come from the SDK's own AWS_ENDPOINT_URL*
 * variables (how the tests point them at the local stack); a custom S3 endpoint implies
 * path-style addressing, since loopback has no virtual-host buckets.
 */
export function createClients(region: string, env: NodeJS.ProcessEnv = process.env): AwsClients {
  const customS3 = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  return {
    region,
    s3: new S3Client({ region, maxAttempts: MAX_ATTEMPTS, forcePathStyle: customS3 }),
    emr: createEmrClient(region),
  };
}
