// Classifies AWS SDK errors: what is worth retrying, and what needs the user's attention.

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
  return /\bUser: (arn:[^\s"]+) is not authorized\b/.exec((err as SdkError)?.message ?? '')?.[1];
}

/**
 * A denied S3 write, told plainly: what was being written, where, the permission that is missing
 * and whose it is. Undefined when `err` is not a 403.
 */
export function deniedWriteError(
  err: unknown,
  what: string,
  loc: { bucket: string; key: string },
): Error | undefined {
  if (!isAccessDenied(err)) return undefined;
  const who = deniedPrincipal(err);
  const role = who
    ? `the workflow's role (${who})`
    : "the workflow's AWS credentials (the role the job assumes)";
  return new Error(
    `${what} to s3://${loc.bucket}/${loc.key} was denied (403): ${role} needs s3:PutObject on ` +
      `arn:aws:s3:::${loc.bucket}/${loc.key} (see the README's IAM policies)`,
  );
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
