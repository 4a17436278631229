// Classifies AWS SDK errors (what is worth retrying, and what needs the user's attention), and
// words them so a user knows what failed: the call, the resource, the permission and the region.

import type { S3Client } from '@aws-sdk/client-s3';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError']);
const THROTTLE = /throttl|slowdown|toomanyrequests|requestlimitexceeded/i;

/** An S3 GET/HEAD of a key that does not exist. */
export function isNotFound(err: unknown): boolean {
  const e = err as SdkError;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * An S3 403. On a GET or HEAD it may hide a missing key: without s3:ListBucket on the bucket, S3
 * answers a missing key with 403, not 404 (HeadObject/GetObject API reference, "Permissions").
 */
export function isAccessDenied(err: unknown): boolean {
  const e = err as SdkError;
  return e?.name === 'AccessDenied' || e?.name === 'Forbidden' || e?.$metadata?.httpStatusCode === 403;
}

/** The caller AWS names in an AccessDenied message ("User: arn:... is not authorized ..."). */
export function deniedPrincipal(err: unknown): string | undefined {
  const e = err as SdkError & { awsMessage?: string };
  return /\bUser: (arn:[^\s"]+) is not authorized\b/.exec(e?.awsMessage ?? e?.message ?? '')?.[1];
}

/**
 * A denied S3 write, told with what was being written (the S3 error itself already names the call,
 * the object, the permission, the caller and the region: see explainS3Error). Undefined when `err`
 * is not a 403.
 */
export function deniedWriteError(err: unknown, what: string): Error | undefined {
  if (!isAccessDenied(err)) return undefined;
  return new Error(`${what}: ${(err as Error).message} (see the README's IAM policies)`, { cause: err });
}

export function isExpiredCredentials(err: unknown): boolean {
  const e = err as SdkError;
  return EXPIRED.has(e?.name ?? '') || /security token .* expired|token has expired/i.test(e?.message ?? '');
}

/** Throttling, 5xx, resets and timeouts: a later call may well succeed. */
export function isTransient(err: unknown): boolean {
  const e = err as SdkError;
  if (!e || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return (
    status >= 500 ||
    status === 429 ||
    THROTTLE.test(e.name ?? '') ||
    NETWORK.has(e.name ?? '') ||
    NETWORK.has(e.code ?? '') ||
    // Some wrappers keep only the message (e.g. "SDK error wrapper for TimeoutError: read ECONNRESET").
    /\b(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|TimeoutError)\b/.test(e.message ?? '') ||
    Boolean(e.$retryable)
  );
}

// ---- Messages that say what failed: the request, the resource, the permission, the region ----

/** An S3 request, named as the IAM policy and the S3 API name it. */
export interface S3Request {
  operation: string;
  bucket: string;
  key?: string;
  region: string;
}

// The IAM action that authorises each S3 call (a HEAD is authorised as s3:GetObject, a multipart
// upload's parts as s3:PutObject).
const S3_PERMISSION: Record<string, string> = {
  HeadObject: 's3:GetObject',
  GetObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListObjectsV2: 's3:ListBucket',
  DeleteObject: 's3:DeleteObject',
};
// 403s that are about the credentials themselves, not about what the policy allows.
const CREDENTIAL_PROBLEMS =
  /InvalidAccessKeyId|SignatureDoesNotMatch|Expired|InvalidToken|RequestTimeTooSkewed/;
const DENIED = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled', '403', 'UnknownError']);

/** The error's code, or its HTTP status when the SDK had no code (a HEAD has no error body). */
function errorCode(e: SdkError): string {
  const name = e?.name && e.name !== 'UnknownError' && e.name !== 'Error' ? e.name : undefined;
  const status = e?.$metadata?.httpStatusCode;
  return name ?? (status ? `HTTP ${status}` : 'error');
}

/**
 * What an S3 failure means for the user: which call on which object failed in which region, and
 * for a denial the permission (and resource ARN) the credentials' IAM policy needs.
 */
export function describeS3Error(err: unknown, r: S3Request): string {
  const e = err as SdkError & { $response?: { headers?: Record<string, string> } };
  const status = e?.$metadata?.httpStatusCode;
  const code = errorCode(e);
  const what = `${r.operation} of s3://${r.bucket}${r.key !== undefined ? `/${r.key}` : ''}`;
  if (e?.name === 'NoSuchBucket') {
    return `${what} failed: the bucket ${r.bucket} does not exist (region ${r.region}); check s3-prefix`;
  }
  if (status === 403 && (DENIED.has(e?.name ?? '') || !CREDENTIAL_PROBLEMS.test(e?.name ?? ''))) {
    const permission = S3_PERMISSION[r.operation] ?? `s3:${r.operation}`;
    const arn =
      permission === 's3:ListBucket' || r.key === undefined
        ? `arn:aws:s3:::${r.bucket}`
        : `arn:aws:s3:::${r.bucket}/${r.key}`;
    const missingKey =
      permission === 's3:GetObject'
        ? ` (S3 also answers 403 for a missing key when s3:ListBucket on arn:aws:s3:::${r.bucket} is not granted)`
        : '';
    const who = deniedPrincipal(err);
    const whose = who ? `the workflow's role (${who})` : 'these credentials';
    return `${what} was denied (${code}, region ${r.region}): the IAM policy of ${whose} needs ${permission} on ${arn}${missingKey}`;
  }
  const bucketRegion = e?.$response?.headers?.['x-amz-bucket-region'];
  if (e?.name === 'PermanentRedirect' || e?.name === 'AuthorizationHeaderMalformed' || status === 301) {
    return `${what} failed: the bucket ${r.bucket} is in ${bucketRegion ?? 'another region'}, not ${r.region}; set aws-region to the bucket's region`;
  }
  const message = e?.message && e.message !== code && e.message !== 'UnknownError' ? `: ${e.message}` : '';
  return `${what} failed (${code}, region ${r.region})${message}`;
}

/**
 * The SDK's error, its message replaced by one that names the call, the object, the permission
 * and the region (the error keeps its name and status, so it classifies as before).
 */
export async function explainS3Error(
  s3: S3Client,
  err: unknown,
  operation: string,
  loc: { bucket: string; key?: string },
): Promise<unknown> {
  if (!err || typeof err !== 'object' || !('$metadata' in err)) return err; // not an answer from S3
  const region = await Promise.resolve(s3.config?.region?.()).catch(() => undefined);
  const e = err as unknown as Error & { awsMessage?: string };
  // AWS's own words name the denied caller (deniedPrincipal reads them); keep them beside ours.
  e.awsMessage ??= e.message;
  e.message = describeS3Error(err, { operation, ...loc, region: region ?? 'unknown' });
  return err;
}

/** GetApplication's 404: an application lives in the one region it was created in. */
export function describeMissingApplication(applicationId: string, region: string): string {
  return (
    `application ${applicationId} does not exist in region ${region} (from aws-region or AWS_REGION); ` +
    'an application lives in the region it was created in: check application-id, and set aws-region to its region'
  );
}
