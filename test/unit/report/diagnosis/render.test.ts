// The diagnosis where people read it: first under "Why it did not succeed" in the summary and the
// PR comment, escaped; and as plain text for the failure annotation.
import { describe, expect, it } from '@jest/globals';
import { diagnosisMarkdown, diagnosisText, NO_KNOWN_CAUSE } from '../../../../src/report/diagnosis/render.js';
import type { Diagnosis } from '../../../../src/report/diagnosis/model.js';
import type { JobReport } from '../../../../src/report/model.js';
import { commentMarker, renderPrComment, renderSummary } from '../../../../src/report/summary.js';

const DIAGNOSIS: Diagnosis = {
  id: 's3-connection-pool',
  title: 'EMRFS ran out of S3 connections',
  cause: "More tasks used S3 at once than EMRFS's pool allows (`fs.s3.maxConnections`).",
  fix: {
    action: 'Raise the EMRFS connection pool.',
    paste: {
      target: "the action's `with:`",
      language: 'yaml',
      text: 'spark-conf: |\n  spark.hadoop.fs.s3.maxConnections=1000',
    },
  },
  evidence: {
    source: 'excerpt',
    line: 'ConnectionPoolTimeoutException: Timeout waiting for connection from pool',
  },
};

function report(over: Partial<JobReport> = {}): JobReport {
  return {
    jobName: 'gwas',
    jobRunId: '00fo2kg7b4m1lq0b',
    applicationId: '00fo2k1kq8r3bt09',
    region: 'us-east-1',
    state: 'FAILED',
    stateDetails: 'Job failed, please check complete logs in configured logging destination. ExitCode: 1.',
    timings: {},
    logs: {},
    links: {},
    failure: {
      kind: 'hail-error',
      headline: 'FatalError: ConnectionPoolTimeoutException: Timeout waiting for connection from pool',
      lines: [
        'hail.utils.java.FatalError: ConnectionPoolTimeoutException: Timeout waiting for connection from pool',
      ],
      source: 'stderr',
      frames: [],
    },
    ...over,
  };
}

describe('diagnosisMarkdown', () => {
  it('shows the cause, the fix and the paste in a fence, with code spans', () => {
    const md = diagnosisMarkdown(DIAGNOSIS);
    expect(md).toContain(
      "**Cause: EMRFS ran out of S3 connections.** More tasks used S3 at once than EMRFS's pool allows \\(<code>fs.s3.maxConnections</code>\\).",
    );
    expect(md).toContain('**Fix:** Raise the EMRFS connection pool.');
    expect(md).toContain('```yaml\nspark-conf: |\n  spark.hadoop.fs.s3.maxConnections=1000\n```');
    expect(md).toContain('Recognised in the error in the driver log: <code>ConnectionPoolTimeoutException');
  });

  it('escapes what came from a log: markup in the cause, the evidence and a paste cannot escape', () => {
    const hostile: Diagnosis = {
      ...DIAGNOSIS,
      cause: 'found `<img src=x onerror=alert(1)>` and </pre><script>x</script>',
      fix: { action: 'x', paste: { target: 't', language: 'text', text: '```\n<script>y</script>' } },
      evidence: { source: 'stderr', line: '</code><script>z</script>' },
    };
    const md = diagnosisMarkdown(hostile);
    const outsideFence = md.replace(/````text\n[\s\S]*?\n````/, '');
    expect(outsideFence).not.toMatch(/<script>|<img/);
    expect(md).toContain('&lt;/code&gt;&lt;script&gt;z');
    expect(md).toContain('````text\n```\n<script>y</script>\n````'); // inside a longer fence: inert
  });

  it('plain text for annotations: no backticks, the paste on its own lines', () => {
    expect(diagnosisText(DIAGNOSIS)).toBe(
      "Cause: EMRFS ran out of S3 connections. More tasks used S3 at once than EMRFS's pool allows (fs.s3.maxConnections).\n" +
        'Fix: Raise the EMRFS connection pool.\n' +
        "Paste into the action's with::\nspark-conf: |\n  spark.hadoop.fs.s3.maxConnections=1000",
    );
  });
});

describe('the summary and the PR comment', () => {
  it('put the diagnosis first under "Why it did not succeed", before the state and the excerpt', () => {
    for (const md of [
      renderSummary(report({ diagnosis: DIAGNOSIS })),
      renderPrComment(report({ diagnosis: DIAGNOSIS }), { marker: commentMarker('gwas') }),
    ]) {
      const cause = md.indexOf('**Cause: EMRFS ran out of S3 connections.**');
      expect(cause).toBeGreaterThan(0);
      expect(cause).toBeLessThan(md.indexOf('EMR Serverless reports the job run as failed.'));
      expect(cause).toBeLessThan(md.indexOf('**Error:**'));
      expect(md).not.toContain(NO_KNOWN_CAUSE);
    }
    const summary = renderSummary(report({ diagnosis: DIAGNOSIS }));
    expect(summary.indexOf('### Why it did not succeed')).toBeLessThan(summary.indexOf('**Cause:'));
  });

  it('say no known cause matched when none did, and keep the excerpt', () => {
    const md = renderSummary(report());
    expect(md).toContain(NO_KNOWN_CAUSE);
    expect(md).not.toContain('**Cause:');
    expect(md).toContain('**Error:** <code>FatalError: ConnectionPoolTimeoutException');
    expect(renderPrComment(report(), { marker: commentMarker('gwas') })).toContain(NO_KNOWN_CAUSE);
    expect(renderSummary(report({ state: 'SUCCESS', failure: undefined }))).not.toContain(NO_KNOWN_CAUSE);
  });
});
