/** An `s3://bucket/key` location, parsed once and validated. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

// Bucket naming rules (general purpose buckets): 3-63 chars, lowercase letters, digits, dots, hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/key...`; throws a plain message (callers add which input it was). */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri.trim());
  if (!m) throw new Error(`"${uri}" is not an s3:// URI (expected s3://bucket/prefix)`);
  const bucket = m[1]!;
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new Error(`"${bucket}" is not a valid S3 bucket name`);
  }
  return { bucket, key: m[2] ?? '' };
}

export function formatS3Uri(loc: S3Location): string {
  return `s3://${loc.bucket}/${loc.key}`;
}

/** Joins key parts with single slashes, ignoring empty parts. */
export function joinKey(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/');
}

export function childUri(base: S3Location, ...parts: string[]): string {
  return formatS3Uri({ bucket: base.bucket, key: joinKey(base.key, ...parts) });
}
