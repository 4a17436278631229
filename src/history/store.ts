// The history's I/O: one PutObject per run (never overwritten, so parallel runs lose nothing) and
// one bounded LIST to read it back.
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { joinKey, type S3Location } from '../aws/s3-uri.js';
import {
  historyObjectName,
  parseHistoryObjectName,
  type HistoryEntry,
  type HistoryRecord,
} from './record.js';

/** `<s3-prefix>/history/<analysis>/`. */
export function historyFolder(prefix: S3Location, analysisId: string): S3Location {
  return { bucket: prefix.bucket, key: joinKey(prefix.key, 'history', analysisId) + '/' };
}

export async function writeHistoryRecord(
  s3: S3Client,
  folder: S3Location,
  record: HistoryRecord,
): Promise<{ key: string }> {
  const key = folder.key + historyObjectName(record);
  await s3.send(
    new PutObjectCommand({
      Bucket: folder.bucket,
      Key: key,
      Body: JSON.stringify(record, null, 2) + '\n',
      ContentType: 'application/json',
    }),
  );
  return { key };
}

/**
 * The newest runs first. One LIST of `firstPage` keys covers the table and the charts; when
 * `enough` says the entries so far lack something (the base branch's last success), one more LIST
 * of up to 1,000 keys continues. Never more than two requests, however long the history.
 */
export async function readHistory(
  s3: S3Client,
  folder: S3Location,
  opts: { firstPage?: number; enough?: (entries: readonly HistoryEntry[]) => boolean } = {},
): Promise<{ entries: HistoryEntry[]; requests: number }> {
  const entries: HistoryEntry[] = [];
  let token: string | undefined;
  let requests = 0;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({
        Bucket: folder.bucket,
        Prefix: folder.key,
        MaxKeys: requests === 0 ? (opts.firstPage ?? FIRST_PAGE) : 1000,
        ContinuationToken: token,
      }),
    );
    requests++;
    for (const o of out.Contents ?? []) {
      const e = o.Key ? parseHistoryObjectName(o.Key) : undefined;
      if (e) entries.push(e);
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token && requests < 2 && !(opts.enough?.(entries) ?? true));
  return { entries, requests };
}

// Enough for the table (30 rows) with room for records of other kinds in the folder.
const FIRST_PAGE = 100;
