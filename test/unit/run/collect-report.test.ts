// Reading a finished job run's logs and outputs on fake S3 and EMR clients: when to wait for late
// driver logs, which attempt's log is read, and what survives a cut-short gzip.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { collectReport, jobLogPrefix } from '../../../src/run/collect-report.js';
import { awaitFinalDriverLogs, findDriverLog } from '../../../src/run/driver-logs.js';
import { fakeClock, fakeEmr, fakeS3, jobRun, sdkError, type FakeS3 } from '../fakes/aws.js';

const PREFIX = { bucket: 'bkt', key: 'logs/applications/app1/jobs/run1/' };

/** A fake S3 holding these objects (key -> body, LastModified). */
function bucket(objects: Record<string, { body?: Buffer; at: Date }>): FakeS3 {
  return fakeS3({
    // As S3 lists: with a Delimiter, keys below the next delimiter fold into CommonPrefixes.
    ListObjectsV2Command: (input) => {
      const prefix = String(input.Prefix ?? '');
      const d = input.Delimiter ? String(input.Delimiter) : undefined;
      const keys = Object.keys(objects)
        .filter((k) => k.startsWith(prefix))
        .sort();
      const folded = new Set<string>();
      const contents = [];
      for (const k of keys) {
        const cut = d ? k.indexOf(d, prefix.length) : -1;
        if (cut >= 0) folded.add(k.slice(0, cut + d!.length));
        else contents.push({ Key: k, Size: objects[k]!.body?.length ?? 0, LastModified: objects[k]!.at });
      }
      return {
        Contents: contents,
        CommonPrefixes: [...folded].map((Prefix) => ({ Prefix })),
        IsTruncated: false,
      };
    },
    GetObjectCommand: (input) => {
      const o = objects[String(input.Key)];
      if (!o) throw sdkError('NoSuchKey', 404);
      return { Body: Readable.from([o.body ?? Buffer.alloc(0)]), ContentLength: o.body?.length ?? 0 };
    },
  });
}

const quiet = { info: () => undefined, warning: () => undefined };

describe('awaitFinalDriverLogs', () => {
  it('returns at once when a driver log was written at or after the end', async () => {
    const clock = fakeClock();
    const ended = new Date(clock.now() - 1_000);
    const s3 = bucket({ [`${PREFIX.key}SPARK_DRIVER/stderr.gz`]: { at: new Date(clock.now()) } });
    expect(await awaitFinalDriverLogs({ s3 }, PREFIX, ended, quiet, clock)).toBe(true);
    expect(clock.sleeps).toEqual([]);
  });

  it('waits for a final upload that lands after the end', async () => {
    const clock = fakeClock();
    const ended = new Date(clock.now());
    const objects: Record<string, { at: Date }> = {
      [`${PREFIX.key}SPARK_DRIVER/stderr.gz`]: { at: new Date(clock.now() - 120_000) }, // an early upload
    };
    const s3 = bucket(objects);
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warning: () => undefined };
    const sleep = async (ms: number) => {
      await clock.sleep(ms);
      if (clock.now() - ended.getTime() >= 6_000)
        objects[`${PREFIX.key}SPARK_DRIVER/stderr.gz`] = { at: new Date(clock.now()) };
    };
    expect(await awaitFinalDriverLogs({ s3 }, PREFIX, ended, log, { now: clock.now, sleep })).toBe(true);
    expect(clock.now() - ended.getTime()).toBe(6_000);
    expect(lines).toEqual(['Waiting for the final driver logs to reach S3...']);
  });

  it('waits at most a minute after the end for logs that never come', async () => {
    const clock = fakeClock();
    const ended = new Date(clock.now() - 20_000); // ended 20 s before the report began
    const s3 = bucket({});
    expect(await awaitFinalDriverLogs({ s3 }, PREFIX, ended, quiet, clock)).toBe(false);
    // Until a minute after the end (plus clock slack), not a minute from now.
    expect(clock.now() - ended.getTime()).toBe(65_000);
  });

  it('does not wait for a job run that ended long ago: one look, no sleep', async () => {
    const clock = fakeClock();
    const ended = new Date(clock.now() - 3_600_000);
    const s3 = bucket({});
    expect(await awaitFinalDriverLogs({ s3 }, PREFIX, ended, quiet, clock)).toBe(false);
    expect(clock.sleeps).toEqual([]);
    // One look at the driver log folders (a listing or two), no second look.
    expect(s3.sent().length).toBeGreaterThan(0);
    expect(s3.sent().length).toBeLessThanOrEqual(2);
    expect(new Set(s3.sent())).toEqual(new Set(['ListObjectsV2Command']));
  });
});

describe('findDriverLog and jobLogPrefix', () => {
  it('picks the newest attempt and falls back to the first attempt layout', async () => {
    const at = new Date();
    const s3 = bucket({
      [`${PREFIX.key}SPARK_DRIVER/stderr.gz`]: { at },
      [`${PREFIX.key}attempts/2/SPARK_DRIVER/stderr.gz`]: { at },
      [`${PREFIX.key}attempts/10/SPARK_DRIVER/stderr.gz`]: { at },
    });
    expect((await findDriverLog({ s3 } as never, PREFIX, 'stderr')).key).toBe(
      `${PREFIX.key}attempts/10/SPARK_DRIVER/stderr.gz`,
    );
    expect((await findDriverLog({ s3 } as never, PREFIX, 'stdout')).key).toBe(
      `${PREFIX.key}SPARK_DRIVER/stdout.gz`,
    );
  });

  it('joins the service layout under the log URI, with or without a trailing slash', () => {
    expect(jobLogPrefix('s3://bkt/logs', 'app1', 'run1')).toBe('s3://bkt/logs/applications/app1/jobs/run1/');
    expect(jobLogPrefix('s3://bkt/logs/', 'app1', 'run1')).toBe('s3://bkt/logs/applications/app1/jobs/run1/');
  });
});

describe('collectReport', () => {
  const text =
    Array.from({ length: 50 }, (_, i) => `step ${i}`).join('\n') +
    '\nTraceback (most recent call last):\n  File "job.py", line 3, in <module>\nValueError: bad cohort\n';

  async function report(stderrBody: Buffer, extra: Partial<Parameters<typeof collectReport>[0]> = {}) {
    const ended = new Date(Date.now() - 3_600_000);
    const s3 = bucket({
      [`${PREFIX.key}SPARK_DRIVER/stderr.gz`]: { body: stderrBody, at: new Date() },
      [`${PREFIX.key}SPARK_DRIVER/stdout.gz`]: { body: gzipSync('hello\n'), at: new Date() },
    });
    const emr = fakeEmr({ GetDashboardForJobRunCommand: () => ({ url: 'https://ui.example/x' }) });
    const warnings: string[] = [];
    const r = await collectReport({
      clients: { s3, emr, region: 'us-east-1' },
      base: {
        jobName: 'j',
        applicationId: 'app1',
        jobRunId: 'run1',
        releaseLabel: 'emr-7.5.0',
        region: 'us-east-1',
      } as never,
      run: jobRun({ state: 'FAILED', startedAt: new Date(ended.getTime() - 60_000), endedAt: ended }),
      logUri: 's3://bkt/logs',
      tailLines: 20,
      waitedSeconds: 1,
      log: { info: () => undefined, warning: (m) => warnings.push(m) },
      ...extra,
    });
    return { r, warnings, s3 };
  }

  it('reads both driver logs and finds the failure', async () => {
    const { r, warnings } = await report(gzipSync(text));
    expect(r.failure?.headline).toBe('ValueError: bad cohort');
    expect(r.logs.stdout?.lines).toEqual(['hello']);
    expect(r.logs.stderr?.readError).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('keeps what a truncated stderr.gz decompressed, traceback included, and says the log ended early', async () => {
    const gz = gzipSync(text);
    const { r, warnings } = await report(gz.subarray(0, gz.length - 8));
    expect(r.failure?.headline).toBe('ValueError: bad cohort');
    expect(r.logs.stderr?.lines.at(-1)).toBe('ValueError: bad cohort');
    expect(r.logs.stderr?.readError).toMatch(/cut short/);
    expect(warnings).toEqual([
      'driver stderr ended early (the gzip data was cut short); keeping the 53 lines read before that',
    ]);
  });

  it('a bad checksum in stderr.gz loses no text', async () => {
    const gz = Buffer.from(gzipSync(text));
    gz[gz.length - 6] ^= 0xff; // inside the CRC-32 of the trailer
    const { r } = await report(gz);
    expect(r.logs.stderr?.readError).toMatch(/incorrect data check/);
    expect(r.logs.stderr?.totalLines).toBe(53);
    expect(r.failure?.headline).toBe('ValueError: bad cohort');
  });

  it('with awaitLogs false reads what is there without listing for late logs first', async () => {
    const lists = (s3: FakeS3) => s3.sent().filter((c) => c === 'ListObjectsV2Command').length;
    const without = lists((await report(gzipSync(text), { awaitLogs: false })).s3);
    const withWait = lists((await report(gzipSync(text))).s3);
    // The wait's own look at the log folders is the only difference.
    expect(without).toBeGreaterThan(0);
    expect(without).toBeLessThan(withWait);
  });
});
