import { describe, expect, it } from '@jest/globals';
import { clip, codeFence, escapeHtml, escapeInline, preBlock } from '../../../src/report/escape.js';
import {
  formatCount,
  formatDuration,
  formatUsd,
  formatUtc,
  formatUtcTime,
} from '../../../src/report/format.js';
import {
  cloudWatchLogGroupUrl,
  commitUrl,
  emrJobRunConsoleUrl,
  s3ConsoleUrl,
} from '../../../src/report/links.js';

describe('escape', () => {
  it('escapes HTML', () => {
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes Markdown and HTML for inline text, and keeps it on one line', () => {
    expect(escapeInline('*bold* _it_ [link](x) `code` a|b $x$ <i>\nnext')).toBe(
      '\\*bold\\* \\_it\\_ \\[link\\]\\(x\\) \\`code\\` a\\|b \\$x\\$ &lt;i&gt; next',
    );
  });

  it('builds code fences the content cannot close', () => {
    expect(codeFence('a ``` b', 'py')).toBe('````py\na ``` b\n````');
    expect(codeFence('plain')).toBe('```\nplain\n```');
  });

  it('escapes the lines of a <pre> block', () => {
    expect(preBlock(['</pre>', 'x'])).toBe('<pre>\n&lt;/pre&gt;\nx\n</pre>');
  });

  it('clips without splitting a surrogate pair', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('ab😀cd', 4)).toBe('ab…');
    expect(clip('abc', 4)).toBe('abc');
  });
});

describe('format', () => {
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(0.3)).toBe('< 1 s');
    expect(formatDuration(59.6)).toBe('1 min');
    expect(formatDuration(3723)).toBe('1 h 2 min 3 s');
    expect(formatDuration(90_000)).toBe('25 h');
    expect(formatDuration(Number.NaN)).toBe('unknown');
  });

  it('formats times in UTC, counts and dollars', () => {
    const d = new Date('2024-11-24T10:07:09.123Z');
    expect(formatUtc(d)).toBe('2024-11-24T10:07:09Z');
    expect(formatUtcTime(d)).toBe('10:07 UTC');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.00001)).toBe('< $0.0001');
    expect(formatUsd(0.15259)).toBe('$0.1526');
    expect(formatUsd(12.345)).toBe('$12.35');
  });
});

describe('links', () => {
  it('builds S3 console links for folders and objects, encoding keys', () => {
    expect(s3ConsoleUrl('s3://b/out/gwas.ht/', 'eu-west-1')).toBe(
      'https://s3.console.aws.amazon.com/s3/buckets/b?prefix=out/gwas.ht/&region=eu-west-1',
    );
    expect(s3ConsoleUrl('s3://b/out/a b&c.tsv', 'us-east-1')).toBe(
      'https://s3.console.aws.amazon.com/s3/object/b?prefix=out/a%20b%26c.tsv&region=us-east-1',
    );
    expect(s3ConsoleUrl('s3://b/logs/run', 'us-east-1', true)).toBe(
      'https://s3.console.aws.amazon.com/s3/buckets/b?prefix=logs/run/&region=us-east-1',
    );
    expect(s3ConsoleUrl('https://x', 'us-east-1')).toBeUndefined();
  });

  it('builds a CloudWatch log group link in the doubly encoded form the console uses', () => {
    expect(cloudWatchLogGroupUrl('eu-west-1', '/aws/emr-serverless')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Femr-serverless',
    );
  });

  it('builds EMR console and commit links', () => {
    expect(emrJobRunConsoleUrl('us-west-2', 'app1', 'run1')).toBe(
      'https://us-west-2.console.aws.amazon.com/emr/home?region=us-west-2#/serverless/applications/app1/job-runs/run1',
    );
    expect(commitUrl('https://github.com/', 'o/r', 'abc')).toBe('https://github.com/o/r/commit/abc');
    expect(commitUrl(undefined, 'o/r', 'abc')).toBeUndefined();
  });
});
