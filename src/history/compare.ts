import type { Delta, HistoryEntry } from '../report/model.js';

export type { Delta };

const pct = (now: number | undefined, base: number | undefined) =>
  now === undefined || base === undefined || base === 0 ? undefined : ((now - base) / base) * 100;

/** The newest successful run on the base branch (entries are newest first, as listed). */
export function latestSuccessOn(entries: readonly HistoryEntry[], baseRef: string): HistoryEntry | undefined {
  return entries.find((e) => e.state === 'SUCCESS' && e.ref === baseRef);
}

/** How this run compares with the newest successful run of the same analysis on the base branch. */
export function compareWithBase(
  current: HistoryEntry,
  entries: readonly HistoryEntry[],
  baseRef: string,
): Delta | undefined {
  const base = latestSuccessOn(
    entries.filter((e) => e.key !== current.key),
    baseRef,
  );
  if (!base) return undefined;
  return {
    base,
    baseRef,
    costPct: pct(current.costUsd, base.costUsd),
    durationPct: pct(current.totalSeconds, base.totalSeconds),
    vcpuPct: pct(current.billedVcpuHours, base.billedVcpuHours),
  };
}

/** `+38%`, `-5%`, `±0%`. */
export function formatPct(p: number): string {
  const r = Math.round(p);
  return r === 0 ? '±0%' : `${r > 0 ? '+' : ''}${r}%`;
}

/** "cost +38% vs main@abc1234" (the base branch's short name and commit). */
export function deltaHeadline(d: Delta): string {
  const branch = d.baseRef.replace(/^refs\/heads\//, '');
  const at = d.base.commit ? `${branch}@${d.base.commit.slice(0, 7)}` : branch;
  const parts: string[] = [];
  if (d.costPct !== undefined) parts.push(`cost ${formatPct(d.costPct)}`);
  if (d.durationPct !== undefined) parts.push(`duration ${formatPct(d.durationPct)}`);
  if (d.vcpuPct !== undefined) parts.push(`billed vCPU-hours ${formatPct(d.vcpuPct)}`);
  return parts.length > 0 ? `${parts.join(', ')} vs ${at}` : `no figures to compare with ${at}`;
}

/** True when the cost grew by more than the threshold (a percentage). */
export function exceedsThreshold(d: Delta | undefined, thresholdPct: number | undefined): boolean {
  return d?.costPct !== undefined && thresholdPct !== undefined && d.costPct > thresholdPct;
}
