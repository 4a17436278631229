import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsClients {
  readonly s3: S3Client;
  readonly emr: EMRServerlessClient;
  readonly region: string;
}

// The SDK's standard retry mode retries throttling, 5xx, resets and timeouts with jittered
// backoff; 8 attempts ride out a burst of faults without hiding an outage for long.
const MAX_ATTEMPTS = 8;

/**
 * The one place AWS clients are made. Endpoints come from the SDK's own AWS_ENDPOINT_URL*
 * variables (how the tests point them at the local stack); a custom S3 endpoint implies
 * path-style addressing, since loopback has no virtual-host buckets.
 */
export function createClients(region: string, env: NodeJS.ProcessEnv = process.env): AwsClients {
  const customS3 = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  const common = { region, maxAttempts: MAX_ATTEMPTS };
  return {
    region,
    s3: new S3Client({ ...common, forcePathStyle: customS3 }),
    emr: new EMRServerlessClient(common),
  };
}
