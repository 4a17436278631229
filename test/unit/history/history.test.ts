import { describe, expect, it } from '@jest/globals';
import { analysisId, analysisIdentity } from '../../../src/history/analysis.js';
import { compareWithBase, deltaHeadline, exceedsThreshold } from '../../../src/history/compare.js';
import {
  buildHistoryRecord,
  historyObjectName,
  parseHistoryObjectName,
  type HistoryRecord,
} from '../../../src/history/record.js';
import { renderHistorySection } from '../../../src/report/history-section.js';
import type { JobReport } from '../../../src/report/model.js';
import type { RunContext } from '../../../src/github-context.js';

const ctx = (over: Partial<RunContext> = {}): RunContext => ({
  repository: 'org/gwas',
  workflow: 'GWAS',
  workflowRef: 'org/gwas/.github/workflows/gwas.yml@refs/heads/main',
  job: 'gwas',
  action: 'hail',
  runId: '100',
  runNumber: '7',
  runAttempt: '1',
  sha: 'a'.repeat(40),
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  tempDir: '/tmp',
  ...over,
});

function report(over: Partial<JobReport> = {}): JobReport {
  return {
    jobName: 'org/gwas/GWAS#7',
    jobRunId: '00abc',
    applicationId: '00app',
    region: 'us-east-1',
    state: 'SUCCESS',
    timings: {
      startedAt: new Date('2026-11-01T10:00:00Z'),
      endedAt: new Date('2026-11-01T10:10:00Z'),
      queuedMs: 3000,
      totalExecutionSeconds: 600,
    },
    billedResourceUtilization: { vCPUHour: 2, memoryGBHour: 8, storageGBHour: 0 },
    logs: {},
    links: {},
    ...over,
  };
}

function record(i: number, over: Partial<HistoryRecord> = {}): HistoryRecord {
  const base = buildHistoryRecord(
    report({
      timings: { endedAt: new Date(Date.UTC(2026, 10, 1, 0, i)), totalExecutionSeconds: 60 * (i + 1) },
    }),
    {
      analysisId: 'a',
      serverUrl: 'https://github.com',
      runId: String(100 + i),
      runNumber: String(i),
      ref: 'refs/heads/main',
      commit: `${i}`.padStart(40, 'c'),
    },
    new Date(),
  );
  return { ...base, ...over };
}

describe('analysis id', () => {
  it('is the same across runs, commits and refs of one step, and differs per step, job, file and name', () => {
    const id = (c: Partial<RunContext>, name?: string, matrix?: string) =>
      analysisId(analysisIdentity(ctx(c), name, matrix));
    const first = id({});
    expect(id({ runId: '200', runNumber: '8', sha: 'b'.repeat(40), ref: 'refs/pull/3/merge' })).toBe(first);
    expect(id({ action: 'other' })).not.toBe(first);
    expect(id({ job: 'qc' })).not.toBe(first);
    expect(id({ workflowRef: 'org/gwas/.github/workflows/other.yml@refs/heads/main' })).not.toBe(first);
    expect(id({}, 'chr1')).not.toBe(id({}, 'chr2'));
    expect(id({}, undefined, '{"chrom":1}')).not.toBe(id({}, undefined, '{"chrom":2}'));
    expect(id({}, undefined, '{"chrom":1}')).not.toBe(first);
    expect(first).toMatch(/^gwas\.hail-[0-9a-f]{16}$/);
  });
});

describe('history object names', () => {
  it('carry the figures the table needs and read back', () => {
    const r = record(3, { pullRequest: 12, ref: 'refs/pull/12/merge', state: 'FAILED' });
    const name = historyObjectName(r);
    expect(name.length).toBeLessThan(300);
    const e = parseHistoryObjectName(`p/history/a/${name}`)!;
    expect(e.time.toISOString()).toBe(r.time);
    expect(e.state).toBe('FAILED');
    expect(e.runId).toBe('103');
    expect(e.runNumber).toBe('3');
    expect(e.pullRequest).toBe(12);
    expect(e.ref).toBe('refs/pull/12/merge');
    expect(e.totalSeconds).toBe(240);
    expect(e.billedVcpuHours).toBe(2);
    expect(e.costUsd).toBeCloseTo(r.estimatedCostUsd!, 6);
    expect(e.commit).toBe(r.commit!.slice(0, 12));
  });

  it('sort newest first in key order, as S3 lists them', () => {
    const names = [0, 5, 2, 9].map((i) => historyObjectName(record(i)));
    const listed = [...names].sort();
    expect(listed.map((n) => parseHistoryObjectName(n)!.runNumber)).toEqual(['9', '5', '2', '0']);
  });

  it('ignores objects that are not records', () => {
    expect(parseHistoryObjectName('p/history/a/notes.txt')).toBeUndefined();
    expect(parseHistoryObjectName('p/history/a/123~v1~x.json')).toBeUndefined();
  });
});

describe('comparison with the base branch', () => {
  const entries = (rs: HistoryRecord[]) =>
    rs.map((r) => parseHistoryObjectName(historyObjectName(r))!).sort((a, b) => (a.key < b.key ? -1 : 1));

  it('uses the newest successful run on the base branch, skipping failures and other refs', () => {
    const es = entries([
      record(1),
      record(2, { commit: 'feed'.repeat(10) }),
      record(3, { state: 'FAILED' }),
      record(4, { ref: 'refs/heads/dev' }),
    ]);
    const current = parseHistoryObjectName(
      historyObjectName({
        ...record(5, { ref: 'refs/pull/9/merge', pullRequest: 9 }),
        estimatedCostUsd: record(2).estimatedCostUsd! * 1.38,
      }),
    )!;
    const d = compareWithBase(current, [current, ...es], 'refs/heads/main')!;
    expect(d.base.runNumber).toBe('2');
    expect(Math.round(d.costPct!)).toBe(38);
    expect(deltaHeadline(d)).toMatch(/^cost \+38%, duration \+100%, billed vCPU-hours ±0% vs main@feedfee$/);
    expect(exceedsThreshold(d, 25)).toBe(true);
    expect(exceedsThreshold(d, 50)).toBe(false);
    expect(exceedsThreshold(d, undefined)).toBe(false);
  });

  it('has nothing to compare with when the base branch has no successful run', () => {
    const es = entries([record(1, { state: 'FAILED' })]);
    const current = es[0]!;
    expect(compareWithBase({ ...current, key: 'x' }, es, 'refs/heads/main')).toBeUndefined();
  });
});

describe('history section', () => {
  it('renders a table, two Mermaid xychart-beta charts and marks the current run', () => {
    const rs = [1, 2, 3].map((i) => record(i));
    const es = rs.map((r) => parseHistoryObjectName(`h/${historyObjectName(r)}`)!).reverse();
    const out = renderHistorySection({
      entries: es,
      currentKey: es[0]!.key,
      folderUri: 's3://b/p/history/a/',
    })!;
    const charts = out.match(/```mermaid\nxychart-beta\n[\s\S]*?```/g) ?? [];
    expect(charts).toHaveLength(2);
    expect(charts[0]).toContain('x-axis ["#1", "#2", "#3 (this run)"]');
    expect(charts[1]).toContain('bar [2, 3, 4]');
    expect(out).toContain('| \\#3 ◀ this run |');
    expect(out.split('\n').filter((l) => l.startsWith('| \\#'))).toHaveLength(3);
  });

  it('escapes a branch name that carries Markdown or HTML', () => {
    const r = record(1, { ref: 'refs/heads/<img src=x>|x' });
    const e = parseHistoryObjectName(`h/${historyObjectName(r)}`)!;
    const out = renderHistorySection({ entries: [e], currentKey: e.key, folderUri: 's3://b/h/' })!;
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x&gt;\\|x');
  });
});
