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

/** The newest runs first, from at most `maxKeys` keys (one LIST request up to 1,000). */
export async function readHistory(
  s3: S3Client,
  folder: S3Location,
  maxKeys = 1000,
): Promise<{ entries: HistoryEntry[]; requests: number }> {
  const out = await s3.send(
    new ListObjectsV2Command({ Bucket: folder.bucket, Prefix: folder.key, MaxKeys: maxKeys }),
  );
  const entries: HistoryEntry[] = [];
  for (const o of out.Contents ?? []) {
    const e = o.Key ? parseHistoryObjectName(o.Key) : undefined;
    if (e) entries.push(e);
  }
  return { entries, requests: 1 };
}
