// After a run that reached EMR Serverless: keep its record and read the analysis's history back
// (one PutObject and one LIST), and compare with the base branch on pull requests.
import type { S3Client } from '@aws-sdk/client-s3';
import { formatS3Uri, type S3Location } from '../aws/s3-uri.js';
import type { RunContext } from '../github-context.js';
import type { HistoryView, JobReport } from '../report/model.js';
import { errorMessage } from '../util/errors.js';
import { analysisId, analysisIdentity } from './analysis.js';
import { compareWithBase, exceedsThreshold, latestSuccessOn } from './compare.js';
import { pullRequestOf } from './pull-request.js';
import { buildHistoryRecord, historyObjectName, parseHistoryObjectName } from './record.js';
import { historyFolder, readHistory, writeHistoryRecord } from './store.js';

export interface HistoryOptions {
  s3: S3Client;
  prefix: S3Location;
  explicitName?: string;
  matrix?: string;
  costIncreaseThresholdPct?: number;
  log: { warning(msg: string): void; info(msg: string): void };
  now?: Date;
}

export async function recordAndReadHistory(
  report: JobReport,
  ctx: RunContext,
  o: HistoryOptions,
): Promise<HistoryView | undefined> {
  const id = analysisId(analysisIdentity(ctx, o.explicitName, o.matrix));
  const folder = historyFolder(o.prefix, id);
  const pr = pullRequestOf(ctx);
  const record = buildHistoryRecord(
    report,
    {
      analysisId: id,
      repository: ctx.repository,
      ref: ctx.ref,
      commit: ctx.sha,
      pullRequest: pr?.number,
      serverUrl: ctx.serverUrl,
      runId: ctx.runId,
      runAttempt: ctx.runAttempt,
      runNumber: ctx.runNumber,
    },
    o.now ?? new Date(),
  );
  const current = parseHistoryObjectName(folder.key + historyObjectName(record))!;
  // Read and write side by side; the current run is added from memory, so a listing made before
  // the write landed still shows it.
  const started = Date.now();
  const [written, listed] = await Promise.all([
    writeHistoryRecord(o.s3, folder, record).catch((err: unknown) => {
      o.log.warning(`Could not write the run history record: ${errorMessage(err)}`);
      return undefined;
    }),
    readHistory(o.s3, folder, {
      enough: (entries) => !pr || latestSuccessOn(entries, pr.baseRef) !== undefined,
    }).catch((err: unknown) => {
      o.log.warning(`Could not read the run history: ${errorMessage(err)}`);
      return undefined;
    }),
  ]);
  if (written) o.log.info(`History record: ${formatS3Uri({ bucket: folder.bucket, key: written.key })}`);
  if (listed) {
    o.log.info(
      `History: ${listed.entries.length} earlier records read with ${listed.requests} LIST request(s) in ${Date.now() - started} ms`,
    );
  }
  const entries = [current, ...(listed?.entries ?? []).filter((e) => e.key !== current.key)].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
  const delta = pr ? compareWithBase(current, entries, pr.baseRef) : undefined;
  return {
    entries,
    currentKey: current.key,
    delta,
    thresholdPct: o.costIncreaseThresholdPct,
    overThreshold: exceedsThreshold(delta, o.costIncreaseThresholdPct),
    folderUri: formatS3Uri(folder),
  };
}
