// AWS console addresses for the report. They only help a reader who is signed in to the account;
// they carry no credentials (unlike the Spark UI link, which is a bearer link).

function encodePath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function parse(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri.trim());
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

/**
 * The S3 console page of an s3:// URI: the folder view for a prefix (a URI ending in `/`, or
 * `asDirectory`), the object page otherwise. Undefined for anything that is not an s3:// URI.
 */
export function s3ConsoleUrl(
  uri: string,
  region: string,
  asDirectory = uri.endsWith('/'),
): string | undefined {
  const loc = parse(uri);
  if (!loc) return undefined;
  const bucket = encodeURIComponent(loc.bucket);
  const r = encodeURIComponent(region);
  if (asDirectory) {
    const key = loc.key.replace(/\/+$/, '');
    const prefix = key === '' ? '' : `${encodePath(key)}/`;
    return `https://s3.console.aws.amazon.com/s3/buckets/${bucket}?prefix=${prefix}&region=${r}`;
  }
  return `https://s3.console.aws.amazon.com/s3/object/${bucket}?prefix=${encodePath(loc.key)}&region=${r}`;
}

/**
 * The job run's page in the EMR console. The route is the one the console uses for EMR Serverless
 * job runs as seen in public scripts and docs; AWS does not document it as a stable address.
 */
export function emrJobRunConsoleUrl(region: string, applicationId: string, jobRunId?: string): string {
  const r = encodeURIComponent(region);
  const app = `https://${r}.console.aws.amazon.com/emr/home?region=${r}#/serverless/applications/${encodeURIComponent(applicationId)}`;
  return jobRunId ? `${app}/job-runs/${encodeURIComponent(jobRunId)}` : app;
}

/** `${serverUrl}/${repository}/commit/${sha}`, when all three are known. */
export function commitUrl(serverUrl?: string, repository?: string, sha?: string): string | undefined {
  if (!serverUrl || !repository || !sha) return undefined;
  return `${serverUrl.replace(/\/+$/, '')}/${repository}/commit/${sha}`;
}

/**
 * The CloudWatch console page of a log group. The console's fragment encodes a name twice over,
 * with `$` for `%` (so `/` becomes `$252F`).
 */
export function cloudWatchLogGroupUrl(region: string, logGroup: string): string {
  const r = encodeURIComponent(region);
  const group = encodeURIComponent(encodeURIComponent(logGroup)).replace(/%/g, '$');
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#logsV2:log-groups/log-group/${group}`;
}
