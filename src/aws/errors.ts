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
