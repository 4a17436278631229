import { StringDecoder } from 'node:string_decoder';
import type { JobRun } from '@aws-sdk/client-emr-serverless';
import type { AwsClients } from '../aws/clients.js';
import { headObject } from '../aws/s3-objects.js';
import { openObjectStream } from '../aws/s3-read.js';
import { joinKey, parseS3Uri, type S3Location } from '../aws/s3-uri.js';
import { errorMessage } from '../util/errors.js';
import { findDriverLog } from './driver-logs.js';

export interface LiveLogger {
  info(msg: string): void;
  /** Prints the job's own lines verbatim, with workflow commands switched off around them. */
  verbatim(lines: readonly string[]): void;
  startGroup(name: string): void;
  endGroup(): void;
}

// EMR Serverless re-uploads the driver logs whole as they grow. Reading them every 5 s costs one
// HEAD per log when nothing changed; a log whose gzip grows past the cap is left to the summary.
const INTERVAL_MS = 5_000;
const MAX_COMPRESSED_BYTES = 32 * 1024 * 1024;
const MAX_LINES_PER_READ = 500;
const ACTIVE = new Set(['RUNNING', 'SUCCESS', 'FAILED', 'CANCELLING', 'CANCELLED']);

interface Tracked {
  name: 'stdout' | 'stderr';
  loc: S3Location;
  etag?: string;
  printed: number;
  gaveUp: boolean;
}

/**
 * Prints new driver stdout/stderr lines to the workflow log while the job runs. Driven by the wait
 * loop's polls; never blocks them (reads run in the background, one at a time).
 */
export function startLiveLogs(clients: AwsClients, jobLogPrefix: string, log: LiveLogger) {
  const prefix = parseS3Uri(jobLogPrefix);
  const logs: Tracked[] = (['stdout', 'stderr'] as const).map((name) => ({
    name,
    loc: { bucket: prefix.bucket, key: joinKey(prefix.key, 'SPARK_DRIVER', `${name}.gz`) },
    printed: 0,
    gaveUp: false,
  }));
  let lastRead = 0;
  let inFlight: Promise<void> | undefined;
  let announcedMissing = false;
  let attempt = 1; // the attempt whose logs are followed
  let latestAttempt = 1; // the newest attempt GetJobRun reported

  /**
   * A retried job run (retry-max-attempts) writes a new set of driver logs: follow the newest once
   * it appears (the layout of attempts is unverified, so the prefix is listed, as for the summary).
   */
  async function followNewestAttempt(): Promise<void> {
    if (latestAttempt <= attempt) return;
    let moved = false;
    for (const t of logs) {
      const loc = await findDriverLog(clients, prefix, t.name);
      if (loc.key === t.loc.key) continue;
      Object.assign(t, { loc, printed: 0, etag: undefined, gaveUp: false });
      moved = true;
    }
    if (!moved) return; // the new attempt's logs are not there yet: look again next time
    attempt = latestAttempt;
    log.info(`Attempt ${attempt} started: following its driver logs`);
  }

  async function readAll(): Promise<void> {
    await followNewestAttempt();
    let anyFound = false;
    for (const t of logs) anyFound = (await readOne(t)) || anyFound;
    if (!anyFound && !announcedMissing) {
      announcedMissing = true;
      log.info('Driver logs are not in S3 yet (EMR Serverless uploads them periodically)');
    }
  }

  async function readOne(t: Tracked): Promise<boolean> {
    if (t.gaveUp) return true;
    const head = await headObject(clients.s3, t.loc);
    if (!head) return false;
    if (head.etag === t.etag) return true;
    if (head.size > MAX_COMPRESSED_BYTES) {
      t.gaveUp = true;
      log.info(
        `[${t.name}] log is over ${MAX_COMPRESSED_BYTES >> 20} MiB compressed; the tail will be in the summary`,
      );
      return true;
    }
    const stream = await openObjectStream(clients.s3, t.loc);
    if (!stream) return false;
    const fresh = await newLines(stream, t.printed);
    t.etag = head.etag;
    if (fresh.lines.length === 0) return true;
    log.startGroup(`Driver ${t.name} (+${fresh.total - t.printed} lines)`);
    log.verbatim(fresh.lines);
    if (fresh.skipped > 0) log.info(`... ${fresh.skipped} more lines (see the summary for the tail)`);
    log.endGroup();
    t.printed = fresh.total;
    return true;
  }

  return {
    onPoll(run: JobRun): void {
      latestAttempt = Math.max(latestAttempt, run.attempt ?? 1);
      if (!ACTIVE.has(run.state ?? '') || inFlight || Date.now() - lastRead < INTERVAL_MS) return;
      lastRead = Date.now();
      inFlight = readAll()
        .catch((err) => log.info(`Live logs unavailable this time: ${errorMessage(err)}`))
        .finally(() => (inFlight = undefined));
    },
    /** Waits for a read in progress, so its output is not interleaved with the report. */
    async stop(): Promise<void> {
      await inFlight;
    },
  };
}

/**
 * Streams a log and returns the complete lines after the first `skip` ones (at most
 * MAX_LINES_PER_READ of them, the first ones, so the workflow log stays in order). The last line
 * is held back when it has no newline yet: it may still be growing.
 */
export async function newLines(
  stream: AsyncIterable<Buffer>,
  skip: number,
): Promise<{ lines: string[]; total: number; skipped: number }> {
  const lines: string[] = [];
  let total = 0;
  let skipped = 0;
  let carry = '';
  const decoder = new StringDecoder('utf8'); // keeps a UTF-8 character split across chunks whole
  try {
    for await (const chunk of stream) {
      const parts = (carry + decoder.write(chunk)).split('\n');
      carry = parts.pop() ?? '';
      for (const line of parts) {
        total++;
        if (total <= skip) continue;
        if (lines.length < MAX_LINES_PER_READ) lines.push(line.replace(/\r$/, ''));
        else skipped++;
      }
    }
  } catch {
    // A log replaced mid-read ends early (truncated gzip); what was read is still good.
  }
  return { lines, total, skipped };
}
