import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../../src/aws/clients.js';
import { awaitFinalDriverLogs, findDriverLog } from '../../../src/run/driver-logs.js';

// A fake S3 that answers ListObjectsV2 as S3 does: keys in UTF-8 binary order, at most MaxKeys
// (and never more than 1,000) per page, Prefix, Delimiter -> CommonPrefixes, ContinuationToken.
class FakeS3 {
  readonly requests: { Prefix?: string; Delimiter?: string }[] = [];
  private readonly keys: { key: string; lastModified: Date }[];

  constructor(keys: string[], lastModified = new Date('2026-09-01T00:00:00Z')) {
    this.keys = [...keys]
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .map((key) => ({
        key,
        lastModified,
      }));
  }

  async send(command: unknown): Promise<unknown> {
    if (!(command instanceof ListObjectsV2Command)) throw new Error('unexpected command');
    const { Prefix = '', Delimiter, ContinuationToken, MaxKeys = 1000 } = command.input;
    this.requests.push({ Prefix, Delimiter });
    const max = Math.min(MaxKeys, 1000);
    const entries: { key?: string; prefix?: string; lastModified?: Date }[] = [];
    const seen = new Set<string>();
    for (const o of this.keys) {
      if (!o.key.startsWith(Prefix)) continue;
      const rest = o.key.slice(Prefix.length);
      const cut = Delimiter ? rest.indexOf(Delimiter) : -1;
      if (cut >= 0) {
        const p = Prefix + rest.slice(0, cut + Delimiter!.length);
        if (!seen.has(p)) entries.push({ prefix: p });
        seen.add(p);
      } else entries.push({ key: o.key, lastModified: o.lastModified });
    }
    const start = ContinuationToken ? Number(ContinuationToken) : 0;
    const page = entries.slice(start, start + max);
    const truncated = start + max < entries.length;
    return {
      Contents: page.filter((e) => e.key).map((e) => ({ Key: e.key, Size: 1, LastModified: e.lastModified })),
      CommonPrefixes: page.filter((e) => e.prefix).map((e) => ({ Prefix: e.prefix })),
      IsTruncated: truncated,
      NextContinuationToken: truncated ? String(start + max) : undefined,
    };
  }
}

const JOB = 'logs/applications/app1/jobs/run1/';
const jobPrefix = { bucket: 'b', key: JOB };
const clientsWith = (s3: FakeS3) => ({ s3: s3 as unknown as S3Client }) as AwsClients;

/** 5,000 executor logs that sort before `attempts/` (upper case sorts before lower case). */
const executorKeys = Array.from({ length: 2_500 }, (_, i) => [
  `${JOB}SPARK_EXECUTOR/${i + 1}/stdout.gz`,
  `${JOB}SPARK_EXECUTOR/${i + 1}/stderr.gz`,
]).flat();

describe('findDriverLog on a large job', () => {
  test("finds the newest attempt's driver logs behind 5,000 executor keys, in a bounded number of requests", async () => {
    const s3 = new FakeS3([
      ...executorKeys,
      `${JOB}SPARK_DRIVER/stdout.gz`,
      `${JOB}SPARK_DRIVER/stderr.gz`,
      `${JOB}attempts/2/SPARK_DRIVER/stdout.gz`,
      `${JOB}attempts/2/SPARK_DRIVER/stderr.gz`,
      `${JOB}attempts/2/SPARK_EXECUTOR/1/stderr.gz`,
      `${JOB}attempts/3/SPARK_DRIVER/stderr.gz`,
      `${JOB}sparklogs/eventlog_v2_x/events_1`,
    ]);
    const stderr = await findDriverLog(clientsWith(s3), jobPrefix, 'stderr');
    expect(stderr).toEqual({ bucket: 'b', key: `${JOB}attempts/3/SPARK_DRIVER/stderr.gz` });
    expect(s3.requests.length).toBeLessThanOrEqual(4);
  });

  test('an attempt whose driver logs are not there yet falls back to the newest attempt that has them', async () => {
    const s3 = new FakeS3([
      ...executorKeys,
      `${JOB}SPARK_DRIVER/stdout.gz`,
      `${JOB}attempts/2/SPARK_DRIVER/stdout.gz`,
      `${JOB}attempts/3/SPARK_EXECUTOR/1/stdout.gz`,
    ]);
    const stdout = await findDriverLog(clientsWith(s3), jobPrefix, 'stdout');
    expect(stdout.key).toBe(`${JOB}attempts/2/SPARK_DRIVER/stdout.gz`);
    expect(s3.requests.length).toBeLessThanOrEqual(5);
  });

  test('attempt 10 is newer than attempt 9 (numeric, not string, order)', async () => {
    const s3 = new FakeS3([
      `${JOB}attempts/9/SPARK_DRIVER/stderr.gz`,
      `${JOB}attempts/10/SPARK_DRIVER/stderr.gz`,
    ]);
    const stderr = await findDriverLog(clientsWith(s3), jobPrefix, 'stderr');
    expect(stderr.key).toBe(`${JOB}attempts/10/SPARK_DRIVER/stderr.gz`);
  });

  test('a job run without retries reads SPARK_DRIVER at the top of its prefix', async () => {
    const s3 = new FakeS3([...executorKeys, `${JOB}SPARK_DRIVER/stderr.gz`]);
    expect((await findDriverLog(clientsWith(s3), jobPrefix, 'stderr')).key).toBe(
      `${JOB}SPARK_DRIVER/stderr.gz`,
    );
    expect(s3.requests.length).toBeLessThanOrEqual(2);
  });

  test('no logs at all: the first attempt\'s expected key, so the report says "not found"', async () => {
    const s3 = new FakeS3(executorKeys);
    expect((await findDriverLog(clientsWith(s3), jobPrefix, 'stdout')).key).toBe(
      `${JOB}SPARK_DRIVER/stdout.gz`,
    );
  });
});

describe('awaitFinalDriverLogs on a large job', () => {
  test('sees final driver logs of a retried attempt behind 5,000 executor keys', async () => {
    const endedAt = new Date('2026-09-01T00:00:00Z');
    const s3 = new FakeS3([...executorKeys, `${JOB}attempts/2/SPARK_DRIVER/stderr.gz`], endedAt);
    const log = { info: () => undefined, warning: () => undefined };
    await expect(
      awaitFinalDriverLogs(clientsWith(s3), jobPrefix, endedAt, log, { graceMs: 0 }),
    ).resolves.toBe(true);
    expect(s3.requests.length).toBeLessThanOrEqual(4);
  });
});
