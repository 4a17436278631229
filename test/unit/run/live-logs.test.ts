// Live driver logs on a fake S3: what is read when, what is printed, and that job text is printed
// with workflow commands switched off.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newLines, startLiveLogs } from '../../../src/run/live-logs.js';
import { stopCommandsBlock } from '../../../src/util/workflow-commands.js';
import { fakeEmr, fakeS3, jobRun, sdkError } from '../fakes/aws.js';

function recorder() {
  const out: string[] = [];
  return {
    out,
    info: (m: string) => out.push(m),
    // As the action's log prints them: inside a stop-commands block with a fresh token.
    verbatim: (lines: readonly string[]) => out.push(...stopCommandsBlock(lines, randomUUID())),
    startGroup: (m: string) => out.push(`::group::${m}`),
    endGroup: () => out.push('::endgroup::'),
  };
}

const PREFIX = 's3://bkt/logs/applications/app1/jobs/run1/';
const KEY = 'logs/applications/app1/jobs/run1/SPARK_DRIVER/stdout.gz';

function s3With(objects: Record<string, Buffer>) {
  return fakeS3({
    HeadObjectCommand: (input) => {
      const b = objects[String(input.Key)];
      if (!b) throw sdkError('NotFound', 404);
      return { ContentLength: b.length, ETag: `"${b.length}"` };
    },
    GetObjectCommand: (input) => {
      const b = objects[String(input.Key)];
      if (!b) throw sdkError('NoSuchKey', 404);
      return { Body: Readable.from([b]) };
    },
    ListObjectsV2Command: () => ({ Contents: Object.keys(objects).map((Key) => ({ Key })) }),
  });
}

describe('newLines', () => {
  const stream = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

  it('skips lines already printed and holds back a last line without a newline', async () => {
    expect(await newLines(stream('a\nb\n', 'c\nd'), 1)).toEqual({ lines: ['b', 'c'], total: 3, skipped: 0 });
  });

  it('prints at most 500 lines a read, counting the rest', async () => {
    const text = Array.from({ length: 600 }, (_, i) => `l${i}\n`).join('');
    const r = await newLines(stream(text), 0);
    expect(r.lines).toHaveLength(500);
    expect(r.lines.at(-1)).toBe('l499');
    expect(r.skipped).toBe(100);
  });

  it('keeps the lines read before a stream error', async () => {
    async function* broken() {
      yield Buffer.from('one\ntwo\n');
      throw new Error('unexpected end of file');
    }
    expect(await newLines(broken(), 0)).toEqual({ lines: ['one', 'two'], total: 2, skipped: 0 });
  });
});

describe('startLiveLogs', () => {
  const clients = (s3: ReturnType<typeof s3With>) => ({ s3, emr: fakeEmr({}), region: 'us-east-1' });

  it('reads nothing before the job runs, then prints new lines once, guarded', async () => {
    const s3 = s3With({ [KEY]: gzipSync('hello\n::warning::from the job\n') });
    const log = recorder();
    const live = startLiveLogs(clients(s3), PREFIX, log);
    live.onPoll(jobRun({ state: 'PENDING' }));
    await live.stop();
    expect(s3.sent()).toEqual([]);
    live.onPoll(jobRun({ state: 'RUNNING' }));
    await live.stop();
    expect(log.out[0]).toBe('::group::Driver stdout (+2 lines)');
    expect(log.out[1]).toMatch(/^::stop-commands::/);
    expect(log.out.slice(2, 4)).toEqual(['hello', '::warning::from the job']);
    expect(log.out.at(-1)).toBe('::endgroup::');
    // Polls within five seconds of a read do not read again.
    const calls = s3.sent().length;
    live.onPoll(jobRun({ state: 'RUNNING' }));
    await live.stop();
    expect(s3.sent()).toHaveLength(calls);
  });

  it('says once that the logs are not in S3 yet', async () => {
    const s3 = s3With({});
    const log = recorder();
    const live = startLiveLogs(clients(s3), PREFIX, log);
    live.onPoll(jobRun({ state: 'RUNNING' }));
    await live.stop();
    expect(log.out).toEqual(['Driver logs are not in S3 yet (EMR Serverless uploads them periodically)']);
  });
});
