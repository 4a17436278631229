// Where a failing S3 path sits for the action (its tmp dir, the output prefix, an artifact, someone
// else's bucket) and whose role touched it: what an AccessDenied fix needs to name.

import { parseS3Uri } from '../../aws/s3-uri.js';
import { roleName } from './fixes.js';
import type { DiagnosisContext, Match } from './model.js';

// Keys are capped: the URI goes into the cause and the paste, which the summary shows whole.
const S3_URI = /\bs3a?:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:\/[^\s"'`,;)\]}<>]{0,400})?/;

/** The first s3:// URI on the matched line, else the nearest one before it, else after it. */
export function uriNear(m: Match): string | undefined {
  const on = S3_URI.exec(m.line)?.[0];
  if (on) return on;
  for (let d = 1; d < m.lines.length; d++) {
    const before = m.index - d >= 0 ? S3_URI.exec(m.lines[m.index - d]!)?.[0] : undefined;
    if (before) return before;
    const after = m.index + d < m.lines.length ? S3_URI.exec(m.lines[m.index + d]!)?.[0] : undefined;
    if (after) return after;
  }
  return undefined;
}

export function role(ctx: DiagnosisContext): string {
  const name = roleName(ctx.executionRoleArn);
  return name ? `the job runtime role \`${name}\` (\`execution-role-arn\`)` : 'the job runtime role';
}

/** What a path is to the action: the tmp dir, the output prefix, an uploaded artifact or script. */
export function describePath(uri: string, ctx: DiagnosisContext): { what: string; write: boolean } {
  const under = (base?: string) => !!base && (uri === base || uri.startsWith(`${base.replace(/\/+$/, '')}/`));
  if (under(ctx.outputUri)) return { what: 'the output prefix (`output-uri`)', write: true };
  if (under(ctx.s3Prefix && `${ctx.s3Prefix}/tmp`)) return { what: "Hail's tmp dir", write: true };
  if (ctx.scriptUri && uri === ctx.scriptUri) return { what: 'the entry point', write: false };
  if (under(ctx.s3Prefix)) return { what: 'an artifact the action uploaded', write: false };
  return { what: uri, write: false };
}

/** A bucket that is neither the s3-prefix's nor the output's: someone else's, perhaps Requester Pays. */
export function isForeignBucket(uri: string, ctx: DiagnosisContext): boolean {
  const ours = [ctx.s3Prefix, ctx.outputUri].filter((u): u is string => !!u).map((u) => parseS3Uri(u).bucket);
  return ours.length > 0 && !ours.includes(parseS3Uri(uri).bucket);
}
