import { describe, expect, it } from '@jest/globals';
import { extractFailureExcerpt } from '../../../src/report/excerpt.js';
import type { JobReport, LogTail } from '../../../src/report/model.js';
import {
  commentMarker,
  DEFAULT_SUMMARY_MAX_BYTES,
  outcomeLabel,
  PR_COMMENT_MAX_CHARS,
  renderPrComment,
  renderSummary,
  SUMMARY_LIMIT_BYTES,
} from '../../../src/report/summary.js';
import { logLines } from './sample-logs.js';

const XSS = '<script>alert(1)</script>';
const NOW = new Date('2024-11-24T10:05:00Z');
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function tail(lines: string[], extra: Partial<LogTail> = {}): LogTail {
  return {
    uri: 's3://hail-ci-logs/logs/applications/app1/jobs/run1/SPARK_DRIVER/stderr.gz',
    found: true,
    lines,
    totalLines: lines.length,
    totalBytes: lines.reduce((n, l) => n + bytes(l) + 1, 0),
    omittedLines: 0,
    omittedBytes: 0,
    ...extra,
  };
}

function failedReport(overrides: Partial<JobReport> = {}): JobReport {
  const stderr = logLines('python-valueerror.stderr.txt');
  return {
    jobName: 'gwas',
    jobRunId: '00fo2kg7b4m1lq0b',
    applicationId: '00fo2k1kq8r3bt09',
    region: 'us-east-1',
    releaseLabel: 'emr-7.2.0',
    architecture: 'X86_64',
    hailVersion: '0.2.133',
    artifactsSource: 'cache-hit',
    scriptUri: 's3://hail-ci-artifacts/scripts/5e1d9c2a/gwas.py',
    repository: 'octo/hail-gwas',
    commitSha: '4c60fddb171a9e2f0b3c4d5e6f708192a3b4c5d6',
    serverUrl: 'https://github.com',
    state: 'FAILED',
    stateDetails: 'Job failed, please check complete logs in configured logging destination. ExitCode: 1.',
    timings: {
      submittedAt: new Date('2024-11-24T10:00:00Z'),
      startedAt: new Date('2024-11-24T10:00:31Z'),
      endedAt: new Date('2024-11-24T11:02:33Z'),
      queuedMs: 2300,
      totalExecutionSeconds: 3722,
      waitedSeconds: 3760,
    },
    totalResourceUtilization: { vCPUHour: 1.5, memoryGBHour: 6, storageGBHour: 30 },
    billedResourceUtilization: { vCPUHour: 2, memoryGBHour: 8, storageGBHour: 10 },
    logUri: 's3://hail-ci-logs/logs/applications/00fo2k1kq8r3bt09/jobs/00fo2kg7b4m1lq0b/',
    logs: {
      stdout: tail(['hello from print'], { uri: 's3://hail-ci-logs/x/stdout.gz' }),
      stderr: tail(stderr.slice(-100), {
        totalLines: stderr.length,
        omittedLines: stderr.length - 100,
        omittedBytes: 9000,
      }),
    },
    failure: extractFailureExcerpt(stderr, 'stderr'),
    outputs: {
      uri: 's3://hail-ci-data/outputs/run-1187/',
      entries: [
        {
          name: 'gwas.ht',
          uri: 's3://hail-ci-data/outputs/run-1187/gwas.ht/',
          isDirectory: true,
          totalBytes: 123456789,
          fileCount: 311,
        },
        {
          name: 'summary.tsv',
          uri: 's3://hail-ci-data/outputs/run-1187/summary.tsv',
          isDirectory: false,
          totalBytes: 2048,
          fileCount: 1,
        },
      ],
      truncated: false,
    },
    result: { top_hit: 'chr7:117559590', n_samples: 500, nested: { a: [1, 2] } },
    links: {
      sparkUi: {
        url: 'https://p-abc.emrappui-prod.us-east-1.amazonaws.com/shs/?authToken=secret',
        expiresAt: new Date('2024-11-24T11:02:00Z'),
      },
    },
    ...overrides,
  };
}

describe('renderSummary: content and order', () => {
  const md = renderSummary(failedReport(), { now: NOW });

  it('starts with the outcome and the job, then the facts', () => {
    expect(md.startsWith('## ❌ Failed: Hail job gwas\n')).toBe(true);
    expect(md).toContain(
      '<code>00fo2kg7b4m1lq0b</code> on application <code>00fo2k1kq8r3bt09</code> (us-east-1)',
    );
    expect(md).toContain('emr-7.2.0');
    expect(md).toContain('**Hail:** 0.2.133 · artifacts: cache hit');
    expect(md).toContain(
      '[4c60fddb171a](<https://github.com/octo/hail-gwas/commit/4c60fddb171a9e2f0b3c4d5e6f708192a3b4c5d6>)',
    );
  });

  it('puts the reason and the excerpt before timings, resources, result, outputs, links and logs', () => {
    const order = [
      '### Why it did not succeed',
      '**State details:** <code>Job failed, please check complete logs',
      "**Error:** <code>ValueError: phenotype column 'height'",
      '<pre>\nTraceback (most recent call last):',
      '### Timings',
      '### Resources and estimated cost',
      '### Result',
      '### Outputs',
      '### Links',
      '### Driver logs',
    ].map((s) => md.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('shows the timings as durations and UTC times', () => {
    expect(md).toContain(
      '| 2024-11-24T10:00:00Z | 2 s | 2024-11-24T10:00:31Z | 2024-11-24T11:02:33Z | 1 h 2 min 2 s |',
    );
    expect(md).toContain('| 1 h 2 min 33 s | 1 h 2 min 40 s |');
  });

  it('estimates the cost from billed use and says it is an estimate with which rates', () => {
    // 2 × 0.052624 + 8 × 0.0057785 + 10 × 0.000111 = 0.152586
    expect(md).toContain(
      '**Estimated cost: $0.1526**: billed use × us-east-1 X86_64 rates ($0.052624 per vCPU-hour',
    );
    expect(md).toContain('An estimate, not your AWS bill.');
    expect(md).toContain('| Billed | 2 | 8 | 10 |');
  });

  it('lists the result and the outputs with S3 console links', () => {
    expect(md).toContain('| top\\_hit | chr7:117559590 |');
    expect(md).toContain('| nested | {&quot;a&quot;:\\[1,2\\]} |');
    expect(md).toContain(
      '[gwas.ht/](<https://s3.console.aws.amazon.com/s3/buckets/hail-ci-data?prefix=outputs/run-1187/gwas.ht/&region=us-east-1>) | 118 MiB | 311 |',
    );
    expect(md).toContain(
      '(<https://s3.console.aws.amazon.com/s3/object/hail-ci-data?prefix=outputs/run-1187/summary.tsv&region=us-east-1>) | 2.00 KiB | 1 |',
    );
  });

  it('links the Spark UI with its expiry, the EMR console and the logs', () => {
    expect(md).toContain(
      '[Spark UI](<https://p-abc.emrappui-prod.us-east-1.amazonaws.com/shs/?authToken=secret>): expires at 11:02 UTC',
    );
    expect(md).toContain(
      '[Job run in the EMR console](<https://us-east-1.console.aws.amazon.com/emr/home?region=us-east-1#/serverless/applications/00fo2k1kq8r3bt09/job-runs/00fo2kg7b4m1lq0b>)',
    );
    expect(md).toContain(
      '[Logs in the S3 console](<https://s3.console.aws.amazon.com/s3/buckets/hail-ci-logs?prefix=logs/applications/00fo2k1kq8r3bt09/jobs/00fo2kg7b4m1lq0b/&region=us-east-1>)',
    );
    const hidden = renderSummary(failedReport(), { now: NOW, includeSparkUiLink: false });
    expect(hidden).not.toContain('authToken=secret');
    expect(hidden).toContain('Spark UI: open it from the job run in the EMR console');
    const later = renderSummary(failedReport(), { now: new Date('2024-11-24T12:00:00Z') });
    expect(later).toContain('Spark UI: the link expired at 11:02 UTC');
    expect(later).not.toContain('authToken=secret');
  });

  it('puts the log tails in collapsible blocks with what was omitted, and says when a log is missing', () => {
    expect(md).toContain('<details><summary>stdout: 1 line</summary>');
    expect(md).toMatch(
      /<details><summary>stderr: last 100 of 103 lines<\/summary>\n\n3 earlier lines \(8\.79 KiB\) omitted/,
    );
    const missing = renderSummary(
      failedReport({ logs: { stdout: { ...tail([]), found: false, uri: 's3://b/stdout.gz' } } }),
      { now: NOW },
    );
    expect(missing).toContain('- stdout: not found at <code>s3://b/stdout.gz</code>.');
  });

  it('shows attempts only when there was more than one', () => {
    expect(md).not.toContain('### Attempts');
    const retried = renderSummary(
      failedReport({
        attempts: [
          { attempt: 1, state: 'FAILED', stateDetails: 'OOM' },
          { attempt: 2, state: 'FAILED', stateDetails: 'OOM again' },
        ],
      }),
      { now: NOW },
    );
    expect(retried).toContain('| 2 | FAILED | OOM again |');
  });
});

describe('renderSummary: outcomes', () => {
  it('on success shows no reason and no excerpt', () => {
    const md = renderSummary(failedReport({ state: 'SUCCESS', stateDetails: undefined }), { now: NOW });
    expect(md.startsWith('## ✅ Succeeded: Hail job gwas')).toBe(true);
    expect(md).not.toContain('Why it did not succeed');
    expect(md).not.toContain('**Error:**');
  });

  it('says when the action ended the job', () => {
    const timedOut = renderSummary(failedReport({ state: 'CANCELLED', endedByAction: 'timeout' }), {
      now: NOW,
    });
    expect(timedOut.startsWith('## ⏱️ Timed out')).toBe(true);
    expect(timedOut).toContain(
      "The action cancelled the job run after waiting 1 h 2 min 40 s because it reached the action's time limit.",
    );
    const cancelled = renderSummary(
      failedReport({ state: 'CANCELLING', endedByAction: 'workflow-cancelled' }),
      {
        now: NOW,
      },
    );
    expect(cancelled.startsWith('## 🚫 Cancelled')).toBe(true);
    expect(cancelled).toContain('The workflow run was cancelled, so the action cancelled the job run.');
  });

  it('says when no excerpt was found in a failed job', () => {
    const md = renderSummary(failedReport({ failure: undefined }), { now: NOW });
    expect(md).toContain('No Python traceback, Hail error or Java exception was found in the driver logs');
  });

  it('labels every state', () => {
    expect(outcomeLabel({ state: 'RUNNING' })).toBe('⏳ Not finished (RUNNING)');
    expect(outcomeLabel({ state: 'CANCELLED' })).toBe('🚫 Cancelled');
  });
});

describe('renderSummary: escaping', () => {
  it('never lets HTML from logs, AWS, the job or inputs through', () => {
    const report = failedReport({
      jobName: `gwas ${XSS}`,
      stateDetails: `Last few exceptions: ${XSS}`,
      scriptUri: `s3://b/${XSS}.py`,
      result: { [XSS]: XSS, '"quoted"': '"<b>"' },
      logs: {
        stdout: tail([XSS, `print: ${XSS}`]),
        stderr: tail(['</pre><img src=x onerror=alert(1)>', XSS]),
      },
      failure: {
        kind: 'python-traceback',
        headline: `ValueError: ${XSS}`,
        lines: ['Traceback (most recent call last):', `ValueError: ${XSS}`, '</pre>', '```'],
        source: 'stderr',
        frames: [],
      },
      outputs: {
        uri: 's3://hail-ci-data/out/',
        entries: [
          { name: XSS, uri: `s3://hail-ci-data/out/${XSS}`, isDirectory: false, totalBytes: 1, fileCount: 1 },
        ],
        truncated: false,
      },
    });
    for (const out of [
      renderSummary(report, { now: NOW }),
      renderPrComment(report, { marker: commentMarker(XSS) }),
    ]) {
      expect(out).not.toContain('<script>');
      expect(out).not.toContain('<img');
      expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      // Only our own </pre> closes each <pre>.
      expect(out.split('<pre>').length).toBe(out.split('</pre>').length);
    }
  });
});

describe('renderSummary: size', () => {
  const bigLines = (n: number, tag: string): string[] =>
    Array.from({ length: n }, (_, i) => `${tag} ${i} ${'é<&>'.repeat(20)} ${'x'.repeat(20)}`);

  it('keeps a 5 MB log tail (and a huge excerpt) under the limit, with header, reason and excerpt end', () => {
    const stdout = bigLines(50_000, 'out');
    const stderr = bigLines(50_000, 'err');
    expect(bytes(stderr.join('\n'))).toBeGreaterThan(5_000_000);
    const excerptLines = [
      'Traceback (most recent call last):',
      ...bigLines(20_000, 'frame'),
      'ValueError: the end',
    ];
    const report = failedReport({
      logs: { stdout: tail(stdout), stderr: tail(stderr) },
      failure: {
        kind: 'python-traceback',
        headline: 'ValueError: the end',
        lines: excerptLines,
        source: 'stderr',
        frames: [],
      },
    });
    const md = renderSummary(report, { now: NOW });
    expect(bytes(md)).toBeLessThanOrEqual(DEFAULT_SUMMARY_MAX_BYTES);
    expect(DEFAULT_SUMMARY_MAX_BYTES).toBeLessThan(SUMMARY_LIMIT_BYTES);
    expect(md.startsWith('## ❌ Failed: Hail job gwas')).toBe(true);
    expect(md).toContain('**State details:**');
    expect(md).toContain('**Error:** <code>ValueError: the end</code>');
    expect(md).toContain('<pre>\nTraceback (most recent call last):'); // the excerpt's start ...
    expect(md).toContain('ValueError: the end\n</pre>'); // ... and its end
    // The excerpt does not fit whole, so the tails were shrunk to nothing first.
    expect(md).toMatch(/lines omitted …/);
    expect(md).toContain('<summary>stderr: last 0 of 50,000 lines</summary>');
    expect(md).toContain('### Links');
  });

  it('shrinks the tails before the excerpt, keeping the tails’ last lines', () => {
    const stderr = bigLines(50_000, 'err');
    const md = renderSummary(failedReport({ logs: { stderr: tail(stderr) } }), {
      now: NOW,
      maxBytes: 60_000,
    });
    expect(bytes(md)).toBeLessThanOrEqual(60_000);
    expect(md).toContain("ValueError: phenotype column 'height' not found"); // the excerpt is whole
    expect(md).toContain(
      `${stderr.at(-1)!.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}\n</pre>`,
    );
    expect(md).not.toContain('err 0 ');
    expect(md).toMatch(
      /<summary>stderr: last [\d,]+ of 50,000 lines<\/summary>\n\n[\d,]+ earlier lines \([\d.]+ [KM]iB\) omitted/,
    );
  });

  it('stays under even an absurdly small limit', () => {
    for (const maxBytes of [300, 2_000, 8_000]) {
      const md = renderSummary(failedReport({ logs: { stderr: tail(bigLines(1000, 'err')) } }), {
        now: NOW,
        maxBytes,
      });
      expect(bytes(md)).toBeLessThanOrEqual(maxBytes);
      expect(md.startsWith('## ❌ Failed')).toBe(true);
    }
  });
});

describe('renderPrComment', () => {
  it('is compact, starts with the marker, and links the workflow run', () => {
    const marker = commentMarker('gwas');
    const c = renderPrComment(failedReport(), {
      marker,
      runUrl: 'https://github.com/octo/hail-gwas/actions/runs/42',
    });
    expect(marker).toBe('<!-- hail-emr-serverless:gwas -->');
    expect(c.startsWith(`${marker}\n### ❌ Failed: Hail job gwas`)).toBe(true);
    expect(c).toContain(
      'Run time 1 h 2 min 2 s · queued 2 s · waited 1 h 2 min 40 s · estimated cost $0.1526',
    );
    expect(c).toContain("**Error:** <code>ValueError: phenotype column 'height'");
    expect(c).toContain('[workflow run](<https://github.com/octo/hail-gwas/actions/runs/42>)');
    expect(c).not.toContain('authToken'); // the Spark UI link is a bearer link
    expect(c).not.toContain('### Driver logs');
  });

  it('stays under 65,536 characters with a huge excerpt', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `\tat frame${i} <${'x'.repeat(50)}>`);
    const c = renderPrComment(
      failedReport({
        failure: { kind: 'java-exception', headline: 'E', lines, source: 'stderr', frames: [] },
      }),
      { marker: commentMarker('gwas') },
    );
    expect(c.length).toBeLessThanOrEqual(PR_COMMENT_MAX_CHARS);
    expect(c.length).toBeGreaterThan(PR_COMMENT_MAX_CHARS - 5_000);
    expect(c).toContain(`frame99999`);
  });

  it('keeps the marker a single HTML comment whatever the job name', () => {
    const marker = commentMarker('a --> b <!-- c');
    expect(marker.match(/-->/g)).toHaveLength(1);
    expect(marker.endsWith(' -->')).toBe(true);
  });
});
