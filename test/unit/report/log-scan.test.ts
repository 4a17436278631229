import { describe, expect, it } from '@jest/globals';
import { extractFailureExcerpt } from '../../../src/report/excerpt.js';
import { LineScanner, missingLogTail, scanLog } from '../../../src/report/log-scan.js';
import { chunked, logLines, readLog, SAMPLE_LOGS } from './sample-logs.js';

const bytesOf = (lines: string[]): number => lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);

async function scan(
  data: Buffer | string,
  chunk = 64 * 1024,
  opts: { tailLines?: number; maxLineChars?: number } = {},
) {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return scanLog(chunked(buf, chunk), { name: 'stderr', uri: 's3://b/logs/stderr.gz', ...opts });
}

describe('scanLog on the sample logs', () => {
  for (const name of SAMPLE_LOGS) {
    it(`${name}: same tail and excerpt whatever the chunk size, same excerpt as the batch API`, async () => {
      const data = readLog(name);
      const lines = logLines(name);
      const expected = extractFailureExcerpt(lines, 'stderr');
      for (const size of [1, 7, 4096, data.length]) {
        const { tail, failure } = await scan(data, size);
        expect(failure).toEqual(expected);
        expect(tail.found).toBe(true);
        expect(tail.uri).toBe('s3://b/logs/stderr.gz');
        expect(tail.lines).toEqual(lines.slice(-100));
        expect(tail.totalLines).toBe(lines.length);
        expect(tail.totalBytes).toBe(data.length);
        expect(tail.omittedLines).toBe(Math.max(0, lines.length - 100));
        expect(tail.omittedBytes).toBe(data.length - bytesOf(lines.slice(-100)));
      }
    });
  }
});

describe('scanLog line handling', () => {
  it('drops the CR of CRLF line ends', async () => {
    const { tail } = await scan('first\r\nsecond\r\n', 3);
    expect(tail.lines).toEqual(['first', 'second']);
    expect(tail.totalLines).toBe(2);
  });

  it('counts a last line without a newline', async () => {
    const { tail } = await scan('a\nb\nlast', 2);
    expect(tail.lines).toEqual(['a', 'b', 'last']);
    expect(tail.totalLines).toBe(3);
    expect(tail.totalBytes).toBe(8);
    expect(tail.omittedBytes).toBe(0);
  });

  it('keeps empty lines and handles an empty log', async () => {
    expect((await scan('\n\nx\n\n', 1)).tail.lines).toEqual(['', '', 'x', '']);
    const empty = await scan('');
    expect(empty.tail).toMatchObject({
      lines: [],
      totalLines: 0,
      totalBytes: 0,
      omittedLines: 0,
      omittedBytes: 0,
    });
    expect(empty.failure).toBeUndefined();
  });

  it('replaces invalid UTF-8 and decodes characters split across chunks', async () => {
    const data = Buffer.concat([
      Buffer.from('a'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('b\nnaïve 日本 😀\n'),
    ]);
    for (const size of [1, 2, 3, 1024]) {
      const { tail } = await scan(data, size);
      expect(tail.lines).toEqual(['a\uFFFD\uFFFDb', 'naïve 日本 😀']);
      expect(tail.omittedBytes).toBe(0);
    }
  });

  it('cuts very long lines and says how many bytes were left out', async () => {
    const long = 'x'.repeat(1_000_000);
    const data = `short\n${long}\n${long}end`;
    for (const size of [999, 64 * 1024, data.length]) {
      const { tail } = await scan(data, size, { maxLineChars: 100 });
      expect(tail.totalLines).toBe(3);
      expect(tail.lines[0]).toBe('short');
      expect(tail.lines[1]).toBe(`${'x'.repeat(100)} [… line cut: 999,900 more bytes]`);
      expect(tail.lines[2]).toBe(`${'x'.repeat(100)} [… line cut: 999,903 more bytes]`);
      expect(tail.omittedBytes).toBe(0);
    }
  });

  it('does not split a surrogate pair or leave half a character when cutting', async () => {
    const { tail } = await scan(`${'😀'.repeat(60)}\n${'é'.repeat(80)}\n`, 5, { maxLineChars: 11 });
    expect(tail.lines[0]).toMatch(/^(😀){5} \[… line cut: 220 more bytes\]$/);
    expect(tail.lines[1]).toMatch(/^é{11} \[… line cut: 138 more bytes\]$/);
  });

  it('keeps the requested number of lines and counts what it left out', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    const { tail } = await scan(`${lines.join('\n')}\n`, 100, { tailLines: 10 });
    expect(tail.lines).toEqual(lines.slice(-10));
    expect(tail.omittedLines).toBe(990);
    expect(tail.omittedBytes).toBe(bytesOf(lines.slice(0, 990)));
    const none = await scan(`${lines.join('\n')}\n`, 100, { tailLines: 0 });
    expect(none.tail.lines).toEqual([]);
    expect(none.tail.omittedLines).toBe(1000);
  });

  it('finds a Java header that ended the previous chunk', async () => {
    const filler = '24/11/24 10:00:01 INFO Foo: bar\n'.repeat(100);
    const data = `${filler}24/11/24 10:00:02 ERROR Bar: failed\njava.io.IOException: disk full\n\tat a.B.c(B.java:1)\n`;
    const cut = data.indexOf('\tat');
    const { failure } = await scanLog(
      (async function* () {
        yield Buffer.from(data.slice(0, cut));
        yield Buffer.from(data.slice(cut));
      })(),
      { name: 'stderr', uri: 'u' },
    );
    expect(failure?.headline).toBe('java.io.IOException: disk full');
    expect(failure?.lines).toEqual(['java.io.IOException: disk full', '\tat a.B.c(B.java:1)']);
  });

  it('copes with a producer that reuses one buffer for every chunk', async () => {
    const data = readLog('java-oom.stderr.txt');
    const expected = await scan(data, 1000);
    const shared = Buffer.alloc(1000);
    async function* reusing() {
      for (let i = 0; i < data.length; i += shared.length) {
        const n = data.copy(shared, 0, i, Math.min(data.length, i + shared.length));
        yield shared.subarray(0, n);
        shared.fill(0x21); // overwritten once the consumer asks for more
      }
    }
    const got = await scanLog(reusing(), { name: 'stderr', uri: 's3://b/logs/stderr.gz' });
    expect(got).toEqual(expected);
  });

  it('a missing log has an empty tail marked not found', () => {
    expect(missingLogTail('s3://b/k/stdout.gz')).toEqual({
      uri: 's3://b/k/stdout.gz',
      found: false,
      lines: [],
      totalLines: 0,
      totalBytes: 0,
      omittedLines: 0,
      omittedBytes: 0,
    });
  });
});

describe('scanLog on a 50 MB log', () => {
  it('finds the traceback near the end, in bounded memory and quickly', async () => {
    const block = Buffer.from(
      Array.from(
        { length: 400 },
        (_, i) =>
          `24/11/24 10:${String(i % 60).padStart(2, '0')}:01 INFO BlockManagerInfo: Added broadcast_${i}_piece0 in memory on [2600:1f18::1]:34567 (size: 12.3 KiB, free: 2.1 GiB)\n`,
      ).join(''),
    );
    const blocks = Math.ceil((50 * 1024 * 1024) / block.length);
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/tmp/spark-1/gwas.py", line 71, in <module>',
      '    gwas.write(out)',
      'ValueError: <script>alert(1)</script> is not a valid path',
    ];
    const end = Buffer.from(
      `${traceback.join('\n')}\n24/11/24 11:00:00 INFO SparkContext: Successfully stopped SparkContext\n`,
    );
    async function* source() {
      for (let i = 0; i < blocks; i++) {
        // zlib hands out 16 KiB pieces: yield the block in pieces that do not align with lines
        for (let j = 0; j < block.length; j += 16 * 1024)
          yield block.subarray(j, Math.min(block.length, j + 16 * 1024));
      }
      yield end;
    }
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const { tail, failure } = await scanLog(source(), { name: 'stderr', uri: 'u' });
    const seconds = (performance.now() - started) / 1000;
    expect(failure?.kind).toBe('python-traceback');
    expect(failure?.headline).toBe('ValueError: <script>alert(1)</script> is not a valid path');
    expect(failure?.frames).toEqual([{ file: '/tmp/spark-1/gwas.py', line: 71, func: '<module>' }]);
    expect(tail.totalLines).toBe(blocks * 400 + traceback.length + 1);
    expect(tail.totalBytes).toBe(blocks * block.length + end.length);
    expect(tail.lines.slice(-5)).toEqual([
      ...traceback,
      '24/11/24 11:00:00 INFO SparkContext: Successfully stopped SparkContext',
    ]);
    expect(tail.lines).toHaveLength(100);
    expect(seconds).toBeLessThan(10);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });
});

describe('LineScanner', () => {
  it('gives every line to onLine, in order, and its state at any time', () => {
    const seen: [string, number][] = [];
    const s = new LineScanner({ name: 'stdout', onLine: (line, no) => seen.push([line, no]) });
    s.push('one\ntw');
    expect(seen).toEqual([['one', 1]]);
    expect(s.state()).toMatchObject({ lines: ['one'], totalLines: 1, totalBytes: 6, omittedBytes: 0 });
    s.push(Uint8Array.from(Buffer.from('o\nthree')));
    s.end();
    expect(seen).toEqual([
      ['one', 1],
      ['two', 2],
      ['three', 3],
    ]);
    expect(s.state().lines).toEqual(['one', 'two', 'three']);
    expect(() => s.push('more')).toThrow(/after end/);
  });
});
