import { describe, expect, it } from '@jest/globals';
import {
  extractFailureExcerpt,
  MAX_EXCERPT_LINES,
  MAX_FRAMES_PER_TRACE,
  pickFailure,
} from '../../../src/report/excerpt.js';
import type { FailureExcerpt } from '../../../src/report/model.js';
import { logLines } from './sample-logs.js';

const SCRIPT = '/tmp/spark-2f7c9a41-8d3e-4b6a-9c1f-0e5d7b3a2c18/gwas.py';

function excerptOf(name: string): FailureExcerpt {
  const f = extractFailureExcerpt(logLines(name), 'stderr');
  if (!f) throw new Error(`no excerpt found in ${name}`);
  return f;
}

describe('extractFailureExcerpt on the sample logs', () => {
  it('finds the ValueError raised by the user script, with its frames', () => {
    const f = excerptOf('python-valueerror.stderr.txt');
    expect(f.kind).toBe('python-traceback');
    expect(f.source).toBe('stderr');
    expect(f.headline).toBe(
      "ValueError: phenotype column 'height' not found in s3://hail-ci-data/pheno/ukb_subset.tsv (columns: s, sex, age, bmi)",
    );
    expect(f.frames).toEqual([
      { file: SCRIPT, line: 48, func: '<module>' },
      { file: SCRIPT, line: 41, func: 'main' },
      { file: SCRIPT, line: 19, func: 'load_phenotypes' },
    ]);
    expect(f.lines[0]).toBe('Traceback (most recent call last):');
    expect(f.lines[f.lines.length - 1]).toBe(f.headline);
    // Spark's "User application exited with 1" that follows is not part of it.
    expect(f.lines.join('\n')).not.toContain('SparkUserAppException');
  });

  it("keeps Hail's FatalError message whole: Java stack trace (capped), version and error summary", () => {
    const f = excerptOf('hail-spark-mismatch.stderr.txt');
    expect(f.kind).toBe('python-traceback');
    expect(f.headline).toBe(
      'hail.utils.java.FatalError: HailException: This Hail JAR was compiled for Spark 3.5.0, cannot run with Spark 3.3.1-amzn-0.',
    );
    expect(f.frames[0]).toEqual({ file: SCRIPT, line: 12, func: '<module>' });
    expect(f.frames.map((fr) => fr.file)).toContain('<decorator-gen-1914>');
    expect(f.frames.at(-1)).toMatchObject({ line: 36, func: 'deco' });
    expect(f.lines).toContain('Hail version: 0.2.133-4c60fddb171a');
    expect(f.lines).toContain(
      'Error summary: HailException: This Hail JAR was compiled for Spark 3.5.0, cannot run with Spark 3.3.1-amzn-0.',
    );
    // The summary's indented second line is its last line; the shutdown noise after it is not included.
    expect(f.lines.at(-1)).toBe(
      '  The major and minor versions must agree, though the patch version can differ.',
    );
    const javaFrames = f.lines.filter((l) => l.startsWith('\tat '));
    expect(javaFrames).toHaveLength(MAX_FRAMES_PER_TRACE);
    expect(f.lines.some((l) => /^\t\.\.\. \d+ more frames not shown/.test(l))).toBe(true);
  });

  it('reports a Hail error without a Python traceback by its error summary', () => {
    const f = excerptOf('hail-kryo-missing.stderr.txt');
    expect(f.kind).toBe('hail-error');
    expect(f.headline).toBe('HailException: Found problems with SparkContext configuration:');
    expect(f.frames).toEqual([]);
    expect(f.lines[0]).toBe('is.hail.utils.HailException: Found problems with SparkContext configuration:');
    expect(f.lines).toContain('Hail version: 0.2.133-4c60fddb171a');
    expect(f.lines.at(-1)).toContain('spark.kryo.registrator must include is.hail.kryo.HailKryoRegistrator');
    expect(f.lines.join('\n')).not.toContain('ERROR:gwas:set spark.serializer');
  });

  it('reports the root cause of a Java exception that killed the main thread', () => {
    const f = excerptOf('java-oom.stderr.txt');
    expect(f.kind).toBe('java-exception');
    expect(f.headline).toBe('java.lang.OutOfMemoryError: Java heap space');
    expect(f.frames).toEqual([]);
    expect(f.lines[0]).toMatch(/^Exception in thread "main" org\.apache\.spark\.SparkException: Job aborted/);
    expect(f.lines).toContain('Driver stacktrace:');
    expect(f.lines).toContain('Caused by: java.lang.OutOfMemoryError: Java heap space');
    // Neither the earlier WARN (a retried task) nor the later shutdown-hook timeout is chosen.
    expect(f.lines.join('\n')).not.toContain('TimeoutException');
    expect(f.lines.join('\n')).not.toContain('WARN TaskSetManager');
    for (let i = 0, run = 0; i < f.lines.length; i++) {
      run = f.lines[i]!.startsWith('\tat ') ? run + 1 : 0;
      expect(run).toBeLessThanOrEqual(MAX_FRAMES_PER_TRACE);
    }
  });

  it('keeps all tracebacks of chained exceptions and every frame', () => {
    const f = excerptOf('python-chained.stderr.txt');
    expect(f.kind).toBe('python-traceback');
    expect(f.headline).toBe('RuntimeError: sample QC failed; see the cohort table in qc.py');
    const qc =
      '/tmp/spark-2f7c9a41-8d3e-4b6a-9c1f-0e5d7b3a2c18/userFiles-6d1a2b3c-4e5f-4a6b-8c7d-9e0f1a2b3c4d/qc.py';
    expect(f.frames).toEqual([
      { file: qc, line: 27, func: 'sample_qc_thresholds' },
      { file: SCRIPT, line: 55, func: '<module>' },
      { file: qc, line: 41, func: 'filter_samples' },
      { file: qc, line: 29, func: 'sample_qc_thresholds' },
      { file: SCRIPT, line: 58, func: '<module>' },
    ]);
    expect(f.lines).toContain("KeyError: 'ukb_500k'");
    expect(f.lines).toContain('During handling of the above exception, another exception occurred:');
    expect(f.lines).toContain('The above exception was the direct cause of the following exception:');
    expect(f.lines.filter((l) => l === 'Traceback (most recent call last):')).toHaveLength(3);
  });

  it('reports the S3 connection-pool timeout with the Java cause and the Hail summary', () => {
    const f = excerptOf('s3-connection-pool.stderr.txt');
    expect(f.kind).toBe('python-traceback');
    expect(f.headline).toBe(
      'hail.utils.java.FatalError: ConnectionPoolTimeoutException: Timeout waiting for connection from pool',
    );
    expect(f.frames[0]).toEqual({ file: SCRIPT, line: 71, func: '<module>' });
    expect(
      f.lines.some((l) => l.startsWith('Caused by: ') && l.includes('ConnectionPoolTimeoutException')),
    ).toBe(true);
    expect(f.lines.at(-1)).toBe(
      'Error summary: ConnectionPoolTimeoutException: Timeout waiting for connection from pool',
    );
  });

  it('finds nothing in a successful run', () => {
    expect(extractFailureExcerpt(logLines('success.stderr.txt'), 'stderr')).toBeUndefined();
    expect(extractFailureExcerpt(logLines('success.stdout.txt'), 'stdout')).toBeUndefined();
  });
});

describe('extractFailureExcerpt edge cases', () => {
  it('takes the last of several tracebacks', () => {
    const lines = [
      'Traceback (most recent call last):',
      '  File "a.py", line 1, in <module>',
      'KeyError: 1',
      '24/11/24 10:00:01 INFO x: y',
      'Traceback (most recent call last):',
      '  File "b.py", line 2, in <module>',
      'TypeError: 2',
    ];
    const f = extractFailureExcerpt(lines, 'stdout')!;
    expect(f.headline).toBe('TypeError: 2');
    expect(f.frames).toEqual([{ file: 'b.py', line: 2, func: '<module>' }]);
    expect(f.source).toBe('stdout');
  });

  it('prefers a Python traceback to a later Java exception, and attaches a separate Hail summary', () => {
    const lines = [
      'Hail version: 0.2.133-4c60fddb171a',
      'Error summary: HailException: bad interval',
      '24/11/24 10:00:01 INFO x: y',
      'Traceback (most recent call last):',
      '  File "gwas.py", line 3, in <module>',
      'hail.utils.java.FatalError: bad interval',
      '24/11/24 10:00:02 ERROR x: y',
      'java.io.IOException: boom',
      '\tat a.b.C.d(C.java:1)',
    ];
    const f = extractFailureExcerpt(lines, 'stderr')!;
    expect(f.kind).toBe('python-traceback');
    expect(f.lines.slice(-2)).toEqual([
      'Hail version: 0.2.133-4c60fddb171a',
      'Error summary: HailException: bad interval',
    ]);
  });

  it('uses the exception line above the frames as the header', () => {
    const lines = [
      '24/11/24 10:00:01 ERROR SparkContext: Error initializing SparkContext.',
      'java.lang.IllegalArgumentException: Required executor memory (14336 MB) is above the max threshold',
      '\tat org.apache.spark.deploy.Foo.bar(Foo.scala:10)',
      '\tat org.apache.spark.deploy.Foo.baz(Foo.scala:20)',
    ];
    const f = extractFailureExcerpt(lines, 'stderr')!;
    expect(f.kind).toBe('java-exception');
    expect(f.headline).toBe(
      'java.lang.IllegalArgumentException: Required executor memory (14336 MB) is above the max threshold',
    );
    expect(f.lines).toEqual(lines.slice(1));
  });

  it('bounds a huge traceback: keeps its start and its end', () => {
    const lines = ['Traceback (most recent call last):'];
    for (let i = 0; i < 5000; i++) lines.push(`  File "deep.py", line ${i + 1}, in f${i}`, `    f${i + 1}()`);
    lines.push('RecursionError: maximum recursion depth exceeded');
    const f = extractFailureExcerpt(lines, 'stderr')!;
    expect(f.lines.length).toBeLessThanOrEqual(MAX_EXCERPT_LINES);
    expect(f.lines[0]).toBe('Traceback (most recent call last):');
    expect(f.lines.at(-1)).toBe('RecursionError: maximum recursion depth exceeded');
    expect(f.lines.some((l) => /lines not shown in this excerpt/.test(l))).toBe(true);
    expect(f.frames).toHaveLength(5000);
    expect(f.headline).toBe('RecursionError: maximum recursion depth exceeded');
  });
});

describe('pickFailure', () => {
  const make = (kind: FailureExcerpt['kind'], source: FailureExcerpt['source']): FailureExcerpt => ({
    kind,
    source,
    headline: kind,
    lines: [],
    frames: [],
  });

  it('prefers a traceback, then a Hail error, then the first given', () => {
    expect(pickFailure(make('java-exception', 'stderr'), make('python-traceback', 'stdout'))?.source).toBe(
      'stdout',
    );
    expect(pickFailure(make('hail-error', 'stderr'), make('hail-error', 'stdout'))?.source).toBe('stderr');
    expect(pickFailure(undefined, make('java-exception', 'stdout'))?.kind).toBe('java-exception');
    expect(pickFailure(undefined, undefined)).toBeUndefined();
  });
});
