// The summary's "History" section: the analysis's last runs as a table and as two Mermaid charts
// (GitHub renders `xychart-beta` from Markdown), and the comparison with the base branch.
import { deltaHeadline } from '../history/compare.js';
import type { HistoryEntry, HistoryView } from './model.js';
import { escapeInline } from './escape.js';
import { formatDuration, formatUsd, formatUtc } from './format.js';

export const HISTORY_ROWS = 30;

function runLabel(e: HistoryEntry): string {
  return e.runNumber ? `#${e.runNumber}` : formatUtc(e.time).slice(0, 16);
}

/** One Mermaid bar chart, oldest run on the left; the current run's label is marked. */
function chart(
  title: string,
  unit: string,
  rows: readonly HistoryEntry[],
  value: (e: HistoryEntry) => number | undefined,
  currentKey: string,
): string | undefined {
  const points = rows
    .map((e) => ({ e, v: value(e) }))
    .filter((p): p is { e: HistoryEntry; v: number } => p.v !== undefined && Number.isFinite(p.v))
    .reverse();
  if (points.length < 2) return undefined;
  // Labels are built from digits and dates only, but quotes would end a label: strip them anyway.
  const label = (e: HistoryEntry) =>
    `"${(runLabel(e) + (e.key === currentKey ? ' (this run)' : '')).replace(/"/g, '')}"`;
  const max = Math.max(...points.map((p) => p.v));
  const round = (v: number) => Number(v.toPrecision(4));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis [${points.map((p) => label(p.e)).join(', ')}]`,
    `  y-axis "${unit}" 0 --> ${round(max * 1.1) || 1}`,
    `  bar [${points.map((p) => round(p.v)).join(', ')}]`,
    '```',
  ].join('\n');
}

function stateWord(state: string): string {
  return state === 'SUCCESS' ? '✅' : state === 'FAILED' ? '❌' : state === 'CANCELLED' ? '🚫' : state;
}

export function renderHistorySection(view: HistoryView): string | undefined {
  const rows = view.entries.slice(0, HISTORY_ROWS);
  if (rows.length === 0) return undefined;
  const lines = ['### History', ''];
  if (view.delta) {
    const warn = view.overThreshold ? ` ⚠️ over the ${view.thresholdPct}% threshold` : '';
    lines.push(`**Compared with the base branch:** ${escapeInline(deltaHeadline(view.delta))}${warn}`, '');
  }
  const cost = chart('Estimated cost per run (USD)', 'USD', rows, (e) => e.costUsd, view.currentKey);
  // Seconds, minutes or hours, whichever keeps the longest run's figure readable.
  const longest = Math.max(0, ...rows.map((e) => e.totalSeconds ?? 0));
  const [unit, per] = longest < 120 ? ['seconds', 1] : longest < 7200 ? ['minutes', 60] : ['hours', 3600];
  const duration = chart(
    `Run time per run (${unit})`,
    unit,
    rows,
    (e) => (e.totalSeconds === undefined ? undefined : e.totalSeconds / per),
    view.currentKey,
  );
  for (const c of [cost, duration]) if (c) lines.push(c, '');
  lines.push(
    '| Run | Ended (UTC) | State | Run time | Est. cost | Billed vCPU-h | Commit | Ref |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const e of rows) {
    const mark = e.key === view.currentKey ? ' ◀ this run' : '';
    const ref = e.pullRequest
      ? `PR #${e.pullRequest}`
      : escapeInline((e.ref ?? '').replace(/^refs\/heads\//, ''));
    lines.push(
      `| ${escapeInline(runLabel(e))}${mark} | ${formatUtc(e.time)} | ${stateWord(e.state)} | ` +
        `${e.totalSeconds !== undefined ? formatDuration(e.totalSeconds) : ''} | ` +
        `${e.costUsd !== undefined ? formatUsd(e.costUsd) : ''} | ` +
        `${e.billedVcpuHours !== undefined ? e.billedVcpuHours.toFixed(4) : ''} | ` +
        `${e.commit ? `<code>${escapeInline(e.commit.slice(0, 7))}</code>` : ''} | ${ref} |`,
    );
  }
  if (view.entries.length > rows.length)
    lines.push('', `*${view.entries.length - rows.length} earlier runs not shown.*`);
  lines.push('', `Records: <code>${escapeInline(view.folderUri)}</code>`);
  return lines.join('\n');
}
