import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';

// The SDK's standard retry mode retries throttling, 5xx, resets and timeouts with jittered
// backoff; 8 attempts ride out a burst of faults without hiding an outage for long.
export const MAX_ATTEMPTS = 8;

/** The EMR Serverless client alone: the post step needs nothing else, so its bundle stays small. */
export function createEmrClient(region: string): EMRServerlessClient {
  return new EMRServerlessClient({ region, maxAttempts: MAX_ATTEMPTS });
}
