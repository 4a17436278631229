// Renders a JobReport as the step's job summary (GitHub Markdown with the HTML subset GitHub keeps)
// and as a compact PR comment.
//
// Everything that comes from a log, from AWS (stateDetails), from the job (its result) or from
// inputs (names, URIs) is escaped: `core.summary` escapes nothing. Log text goes into `<pre>` blocks,
// where escaped content cannot close the block or inject markup.
//
// Size: GitHub rejects a step summary over 1 MiB and a comment over 65,536 characters. Every section
// except the log tails and the excerpt is bounded by construction (fields are clipped, tables capped);
// the remaining budget goes to the excerpt first and then to the tails, which keep their last lines.

import { deltaHeadline } from '../history/compare.js';
import { renderHistorySection } from './history-section.js';
import { estimateCost } from './cost.js';
import { NO_KNOWN_CAUSE, diagnosisMarkdown } from './diagnosis/render.js';
import { clip, escapeHtml, escapeInline } from './escape.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatQuantity,
  formatUsd,
  formatUtc,
  formatUtcTime,
} from './format.js';
import { commitUrl, emrJobRunConsoleUrl, s3ConsoleUrl } from './links.js';
import type { ArtifactsSource, FailureExcerpt, JobReport, LogTail, ResourceUse } from './model.js';

/** GitHub's limit for one step's job summary. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
/** Default budget: the limit minus room for anything else the step writes to its summary. */
export const DEFAULT_SUMMARY_MAX_BYTES = SUMMARY_LIMIT_BYTES - 32 * 1024;
/** GitHub's limit for a comment body is 65,536 characters; keep a margin. */
export const PR_COMMENT_MAX_CHARS = 60_000;

const MAX_NAME_CHARS = 200;
const MAX_DETAILS_CHARS = 2_000;
const MAX_HEADLINE_CHARS = 1_000;
const MAX_URI_CHARS = 2_048;
const MAX_RESULT_ROWS = 50;
const MAX_RESULT_VALUE_CHARS = 500;
const MAX_OUTPUT_ROWS = 100;
const MAX_ATTEMPT_ROWS = 20;
// Room for the omission notes, whose digits change with what is left out.
const NOTE_SLACK_BYTES = 1_024;

export interface SummaryOptions {
  /** Upper bound for the rendered summary in UTF-8 bytes (default 1 MiB minus 32 KiB). */
  maxBytes?: number;
  /** "Now", for saying whether the Spark UI link has expired (default: the current time). */
  now?: Date;
  /**
   * Show the Spark UI link (default true). It is a bearer link, valid about an hour: a caller may
   * leave it out where the summary is readable by more people than the job's owners (public repos).
   */
  includeSparkUiLink?: boolean;
}

export interface PrCommentOptions {
  /** The hidden marker the comment starts with, to find and update it (see commentMarker). */
  marker: string;
  /** The workflow run's page, when known. */
  runUrl?: string;
  /** Upper bound in characters (default 60,000). */
  maxChars?: number;
}

// ---- small helpers ----

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Inline text: escaped and clipped. */
function text(value: string, max = MAX_NAME_CHARS): string {
  return escapeInline(clip(value, max));
}

/** Inline code-like text (IDs, URIs). Markdown is still parsed inside `<code>`, so it is escaped too. */
function code(value: string, max = MAX_URI_CHARS): string {
  return `<code>${text(value, max)}</code>`;
}

/** A Markdown link whose destination cannot break out of the link (angle-bracket form). */
function link(label: string, url: string): string {
  const safe = clip(url, MAX_URI_CHARS, '').replace(/[<>\s]/g, (c) => encodeURIComponent(c));
  return `[${text(label)}](<${safe}>)`;
}

const ARTIFACT_WORDS: Record<ArtifactsSource, string> = {
  'cache-hit': 'cache hit',
  built: 'built',
  prebuilt: 'prebuilt',
  uploaded: 'uploaded',
};

/** The outcome with its status word, used by both the summary and the PR comment. */
export function outcomeLabel(report: Pick<JobReport, 'state' | 'endedByAction'>): string {
  if (report.state === 'SUCCESS') return '✅ Succeeded';
  if (report.endedByAction === 'timeout') return '⏱️ Timed out';
  if (report.endedByAction === 'workflow-cancelled') return '🚫 Cancelled';
  if (report.state === 'FAILED') return '❌ Failed';
  if (report.state === 'CANCELLED' || report.state === 'CANCELLING') return '🚫 Cancelled';
  return `⏳ Not finished (${report.state})`;
}

/** The hidden marker that identifies this job's PR comment (the name is encoded: no `-->` inside). */
export function commentMarker(jobName: string): string {
  return `<!-- hail-emr-serverless:${encodeURIComponent(jobName)} -->`;
}

// ---- fitting lines into a byte budget ----

interface Fitted {
  /** Escaped lines, ready for a `<pre>` block. */
  lines: string[];
  droppedLines: number;
  /** UTF-8 bytes of the dropped lines (unescaped, with their newlines). */
  droppedBytes: number;
}

/** Keeps the last lines whose escaped form fits in `budget` bytes (one line per LF). */
function fitEnd(lines: readonly string[], budget: number): Fitted {
  const kept: string[] = [];
  let used = 0;
  let i = lines.length;
  for (; i > 0; i--) {
    const escaped = escapeHtml(lines[i - 1]!);
    const size = bytes(escaped) + 1;
    if (used + size > budget) break;
    kept.push(escaped);
    used += size;
  }
  if (kept.length === 0 && i > 0 && budget >= 64) {
    // Not even the last line fits: keep its end.
    const last = lines[i - 1]!;
    const end = last.slice(-Math.floor((budget - 16) / 6)); // escaping grows a char to 6 bytes at most
    kept.push(`…${escapeHtml(end)}`);
    i--;
    return { lines: kept, droppedLines: i, droppedBytes: sumBytes(lines, i) + bytes(last) - bytes(end) };
  }
  return { lines: kept.reverse(), droppedLines: i, droppedBytes: sumBytes(lines, i) };
}

function sumBytes(lines: readonly string[], count: number): number {
  let total = 0;
  for (let j = 0; j < count; j++) total += bytes(lines[j]!) + 1;
  return total;
}

function escapedSize(lines: readonly string[]): number {
  let total = 0;
  for (const l of lines) total += bytes(escapeHtml(l)) + 1;
  return total;
}

/** An excerpt within `budget`: its first lines (where a trace starts) and as much of its end as fits. */
function fitExcerpt(lines: readonly string[], budget: number): string[] {
  if (escapedSize(lines) <= budget) return lines.map(escapeHtml);
  if (budget < 64) return [];
  const head = lines.slice(0, 2).map(escapeHtml);
  let headSize = head.reduce((n, l) => n + bytes(l) + 1, 0);
  if (headSize > budget / 4) {
    head.length = 0;
    headSize = 0;
  }
  const marker = 64; // "… N lines omitted …"
  const tail = fitEnd(lines.slice(head.length), Math.max(0, budget - headSize - marker));
  if (tail.droppedLines === 0) return [...head, ...tail.lines];
  return [...head, `… ${formatCount(tail.droppedLines)} lines omitted …`, ...tail.lines];
}

function pre(escapedLines: readonly string[]): string {
  return `<pre>\n${escapedLines.join('\n')}\n</pre>`;
}

/** Splits `total` between wants, lowest wants filled first (water-filling). */
function share(total: number, wants: number[]): number[] {
  const out = wants.map(() => 0);
  let left = Math.max(0, total);
  const order = wants.map((w, i) => ({ w, i })).sort((a, b) => a.w - b.w);
  order.forEach(({ w, i }, k) => {
    const fair = Math.floor(left / (order.length - k));
    out[i] = Math.min(w, fair);
    left -= out[i]!;
  });
  return out;
}

// ---- sections ----

interface Context {
  report: JobReport;
  now: Date;
  includeSparkUiLink: boolean;
}

function header(report: JobReport): string {
  const lines = [`## ${outcomeLabel(report)}: Hail job ${text(report.jobName)}`, ''];
  const facts: string[] = [];
  const where = `application ${code(report.applicationId)} (${text(report.region)})`;
  if (report.jobRunId) {
    const page = emrJobRunConsoleUrl(report.region, report.applicationId, report.jobRunId);
    facts.push(`**Job run:** ${code(report.jobRunId)} on ${where} · ${link('EMR console', page)}`);
  } else {
    facts.push(
      `**Application:** ${code(report.applicationId)} (${text(report.region)}); no job run was started`,
    );
  }
  const release = [report.releaseLabel, report.architecture].filter((v): v is string => !!v);
  if (release.length > 0) facts.push(`**Release:** ${release.map((v) => text(v)).join(' · ')}`);
  if (report.hailVersion || report.artifactsSource) {
    const parts = [report.hailVersion ? text(report.hailVersion) : 'version unknown'];
    if (report.artifactsSource) parts.push(`artifacts: ${ARTIFACT_WORDS[report.artifactsSource]}`);
    facts.push(`**Hail:** ${parts.join(' · ')}`);
  }
  if (report.scriptUri) facts.push(`**Script:** ${code(report.scriptUri)}`);
  if (report.commitSha) {
    const url = commitUrl(report.serverUrl, report.repository, report.commitSha);
    const short = report.commitSha.slice(0, 12);
    facts.push(`**Commit:** ${url ? link(short, url) : code(short)}`);
  }
  return [...lines, ...facts.map((f) => `- ${f}`)].join('\n');
}

/** Why the job did not succeed, in words; undefined on success. */
function reason(report: JobReport): string | undefined {
  if (report.state === 'SUCCESS') return undefined;
  const waited =
    report.timings.waitedSeconds !== undefined
      ? ` after waiting ${formatDuration(report.timings.waitedSeconds)}`
      : '';
  let why: string;
  if (report.endedByAction === 'timeout') {
    why = `The action cancelled the job run${waited} because it reached the action's time limit.`;
  } else if (report.endedByAction === 'workflow-cancelled') {
    why = 'The workflow run was cancelled, so the action cancelled the job run.';
  } else if (report.state === 'FAILED') {
    why = 'EMR Serverless reports the job run as failed.';
  } else if (report.state === 'CANCELLED' || report.state === 'CANCELLING') {
    why = 'The job run was cancelled outside this action.';
  } else {
    why = `The action stopped waiting${waited} while the job run was ${text(report.state)}.`;
  }
  // The known cause and its fix come first; without one, say so rather than guess.
  const parts = [`### Why it did not succeed`, ''];
  if (report.diagnosis) parts.push(diagnosisMarkdown(report.diagnosis), '');
  parts.push(why);
  if (!report.diagnosis && report.state === 'FAILED') parts.push('', NO_KNOWN_CAUSE);
  // In <code>: GitHub does not turn "@name" into a mention there (this text may reach a PR comment).
  if (report.stateDetails) {
    parts.push('', `**State details:** ${code(report.stateDetails, MAX_DETAILS_CHARS)}`);
  }
  return parts.join('\n');
}

function excerptSection(report: JobReport, budget: number): string | undefined {
  if (report.state === 'SUCCESS') return undefined;
  const f = report.failure;
  if (!f) {
    if (report.state !== 'FAILED') return undefined;
    return 'No Python traceback, Hail error or Java exception was found in the driver logs; see their last lines below.';
  }
  const kinds: Record<FailureExcerpt['kind'], string> = {
    'python-traceback': 'Python traceback',
    'hail-error': 'Hail error',
    'java-exception': 'Java exception',
  };
  const lines = [
    `**Error:** <code>${text(f.headline, MAX_HEADLINE_CHARS)}</code>`,
    '',
    `${kinds[f.kind]} from the driver's ${f.source}:`,
    '',
  ];
  return [...lines, pre(fitExcerpt(f.lines, budget))].join('\n');
}

function timings(report: JobReport): string | undefined {
  const t = report.timings;
  const cols: [string, string][] = [];
  if (t.submittedAt) cols.push(['Submitted', formatUtc(t.submittedAt)]);
  if (t.queuedMs !== undefined) cols.push(['Queued', formatDuration(t.queuedMs / 1000)]);
  if (t.startedAt) cols.push(['Started', formatUtc(t.startedAt)]);
  if (t.endedAt) cols.push(['Ended', formatUtc(t.endedAt)]);
  if (t.totalExecutionSeconds !== undefined) cols.push(['Run time', formatDuration(t.totalExecutionSeconds)]);
  if (t.submittedAt && t.endedAt) {
    cols.push(['Total', formatDuration((t.endedAt.getTime() - t.submittedAt.getTime()) / 1000)]);
  }
  if (t.waitedSeconds !== undefined) cols.push(['Action waited', formatDuration(t.waitedSeconds)]);
  if (cols.length === 0) return undefined;
  return [
    '### Timings',
    '',
    `| ${cols.map((c) => c[0]).join(' | ')} |`,
    `| ${cols.map(() => '---').join(' | ')} |`,
    `| ${cols.map((c) => c[1]).join(' | ')} |`,
  ].join('\n');
}

function useRow(label: string, use: ResourceUse): string {
  const cell = (n?: number): string => (n === undefined ? '–' : formatQuantity(n));
  return `| ${label} | ${cell(use.vCPUHour)} | ${cell(use.memoryGBHour)} | ${cell(use.storageGBHour)} |`;
}

function rate(n: number): string {
  return `$${Number(n.toPrecision(5))}`;
}

function resources(report: JobReport): string | undefined {
  const total = report.totalResourceUtilization;
  const billed = report.billedResourceUtilization;
  if (!total && !billed) return undefined;
  const lines = [
    '### Resources and estimated cost',
    '',
    '| | vCPU-hours | Memory GB-hours | Storage GB-hours |',
    '| --- | --- | --- | --- |',
  ];
  if (total) lines.push(useRow('Used', total));
  if (billed) lines.push(useRow('Billed', billed));
  const cost = estimateCost(billed ?? total, report.region, report.architecture ?? 'X86_64');
  const basisOf = billed
    ? 'billed use'
    : 'used resources (no billed figures; storage includes the free 20 GB per worker)';
  lines.push(
    '',
    `**Estimated cost: ${formatUsd(cost.usd)}**: ${basisOf} × ${text(cost.region)} ${cost.architecture} rates ` +
      `(${rate(cost.rates.vCPUHour)} per vCPU-hour, ${rate(cost.rates.memoryGBHour)} per memory GB-hour, ` +
      `${rate(cost.rates.storageGBHour)} per storage GB-hour; ${text(cost.basis, 300)}). ` +
      'An estimate, not your AWS bill.',
  );
  return lines.join('\n');
}

function attempts(report: JobReport): string | undefined {
  const list = report.attempts ?? [];
  if (list.length <= 1) return undefined;
  const rows = list
    .slice(-MAX_ATTEMPT_ROWS)
    .map((a) => `| ${a.attempt} | ${text(a.state)} | ${a.stateDetails ? text(a.stateDetails, 500) : ''} |`);
  const more =
    list.length > MAX_ATTEMPT_ROWS
      ? ['', `${list.length - MAX_ATTEMPT_ROWS} earlier attempts not shown.`]
      : [];
  return ['### Attempts', '', '| Attempt | State | Details |', '| --- | --- | --- |', ...rows, ...more].join(
    '\n',
  );
}

function resultValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function result(report: JobReport): string | undefined {
  const r = report.result;
  if (!r || typeof r !== 'object') return undefined;
  const keys = Object.keys(r);
  if (keys.length === 0) return undefined;
  const rows = keys
    .slice(0, MAX_RESULT_ROWS)
    .map((k) => `| ${text(k, 100)} | ${text(resultValue(r[k]), MAX_RESULT_VALUE_CHARS)} |`);
  const lines = ['### Result', '', '| Key | Value |', '| --- | --- |', ...rows];
  if (keys.length > MAX_RESULT_ROWS) lines.push('', `${keys.length - MAX_RESULT_ROWS} more keys not shown.`);
  return lines.join('\n');
}

function outputs(report: JobReport): string | undefined {
  const o = report.outputs;
  if (!o) return undefined;
  const folder = s3ConsoleUrl(o.uri, report.region, true);
  const lines = ['### Outputs', '', `${code(o.uri)}${folder ? ` · ${link('S3 console', folder)}` : ''}`, ''];
  if (o.entries.length === 0) {
    lines.push('Nothing was written under the output prefix.');
    return lines.join('\n');
  }
  lines.push('| Name | Size | Files |', '| --- | --- | --- |');
  for (const e of o.entries.slice(0, MAX_OUTPUT_ROWS)) {
    const url = s3ConsoleUrl(e.uri, report.region, e.isDirectory);
    const name = e.isDirectory ? `${e.name}/` : e.name;
    lines.push(
      `| ${url ? link(clip(name, 300), url) : text(name, 300)} | ${formatBytes(e.totalBytes)} | ${formatCount(e.fileCount)} |`,
    );
  }
  if (o.entries.length > MAX_OUTPUT_ROWS) {
    lines.push('', `${formatCount(o.entries.length - MAX_OUTPUT_ROWS)} more entries not shown.`);
  }
  if (o.truncated) lines.push('', 'The listing was cut short: sizes and counts are lower bounds.');
  return lines.join('\n');
}

function links(ctx: Context): string | undefined {
  const { report, now } = ctx;
  const items: string[] = [];
  const spark = report.links.sparkUi;
  if (spark && !ctx.includeSparkUiLink) {
    items.push(
      'Spark UI: open it from the job run in the EMR console (its link grants access without signing in).',
    );
  } else if (spark) {
    const when = formatUtcTime(spark.expiresAt);
    items.push(
      spark.expiresAt.getTime() > now.getTime()
        ? `${link('Spark UI', spark.url)}: expires at ${when}. Anyone with this link can open the UI until then; do not share it.`
        : `Spark UI: the link expired at ${when}; open the job run in the EMR console for a new one.`,
    );
  }
  if (report.jobRunId) {
    items.push(
      link(
        'Job run in the EMR console',
        emrJobRunConsoleUrl(report.region, report.applicationId, report.jobRunId),
      ),
    );
  }
  if (report.logUri) {
    const url = s3ConsoleUrl(report.logUri, report.region, true);
    items.push(`${url ? `${link('Logs in the S3 console', url)}: ` : 'Logs: '}${code(report.logUri)}`);
  }
  if (report.provenanceUri)
    items.push(`How the outputs were made (provenance): ${code(report.provenanceUri)}`);
  const cw = report.links.cloudWatch;
  if (cw) items.push(/^https:\/\//.test(cw) ? link('CloudWatch logs', cw) : `CloudWatch logs: ${code(cw)}`);
  if (items.length === 0) return undefined;
  return ['### Links', '', ...items.map((i) => `- ${i}`)].join('\n');
}

function logTail(name: string, tail: LogTail | undefined, budget: number): string {
  if (!tail) return `- ${name}: not read.`;
  if (!tail.found) return `- ${name}: not found at ${code(tail.uri)}.`;
  if (tail.totalLines === 0) return `- ${name}: empty (${code(tail.uri)}).`;
  const fitted = fitEnd(tail.lines, budget);
  const shown = fitted.lines.length;
  const omittedLines = tail.omittedLines + fitted.droppedLines;
  const omittedBytes = tail.omittedBytes + fitted.droppedBytes;
  const title =
    shown < tail.totalLines
      ? `last ${formatCount(shown)} of ${formatCount(tail.totalLines)} lines`
      : `${formatCount(shown)} ${shown === 1 ? 'line' : 'lines'}`;
  const parts = [`<details><summary>${escapeHtml(name)}: ${title}</summary>`, ''];
  if (tail.readError) {
    parts.push(
      `The log ended early (${escapeHtml(tail.readError)}); these are the lines read before that.`,
      '',
    );
  }
  if (omittedLines > 0) {
    parts.push(
      `${formatCount(omittedLines)} earlier lines (${formatBytes(omittedBytes)}) omitted; the whole log is at ${code(tail.uri)}.`,
      '',
    );
  }
  if (shown > 0) parts.push(pre(fitted.lines), '');
  parts.push('</details>');
  return parts.join('\n');
}

function logsSection(report: JobReport, budgets: { stdout: number; stderr: number }): string | undefined {
  const { stdout, stderr } = report.logs;
  if (!stdout && !stderr) return undefined;
  return [
    '### Driver logs',
    '',
    logTail('stdout', stdout, budgets.stdout),
    '',
    logTail('stderr', stderr, budgets.stderr),
  ].join('\n');
}

interface Budgets {
  excerpt: number;
  stdout: number;
  stderr: number;
}

function renderWith(ctx: Context, b: Budgets, compact: boolean): string {
  const r = ctx.report;
  const sections = [
    header(r),
    reason(r),
    excerptSection(r, b.excerpt),
    timings(r),
    resources(r),
    attempts(r),
    compact || !r.history ? undefined : renderHistorySection(r.history),
    compact ? undefined : result(r),
    compact ? undefined : outputs(r),
    links(ctx),
    compact ? undefined : logsSection(r, b),
  ];
  return `${sections.filter((s): s is string => s !== undefined).join('\n\n')}\n`;
}

/** Cuts text to at most maxBytes UTF-8 bytes, on a character boundary, with a note. */
function hardCut(text: string, maxBytes: number): string {
  const note = '\n\n*(summary cut to fit the size limit)*\n';
  const room = maxBytes - bytes(note);
  if (room <= 0)
    return Buffer.from(note)
      .subarray(0, Math.max(0, maxBytes))
      .toString('utf8')
      .replace(/\uFFFD$/, '');
  const cut = Buffer.from(text, 'utf8')
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return cut + note;
}

/**
 * The job summary. Under maxBytes UTF-8 bytes whatever the input: the log tails shrink first
 * (keeping their last lines), then the failure excerpt; the header and the reason are never cut
 * unless maxBytes is too small for anything else.
 */
export function renderSummary(report: JobReport, opts: SummaryOptions = {}): string {
  const maxBytes = opts.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES;
  const ctx: Context = {
    report,
    now: opts.now ?? new Date(),
    includeSparkUiLink: opts.includeSparkUiLink ?? true,
  };
  const fixed = bytes(renderWith(ctx, { excerpt: 0, stdout: 0, stderr: 0 }, false));
  let available = maxBytes - fixed - NOTE_SLACK_BYTES;
  const wantExcerpt = report.failure && report.state !== 'SUCCESS' ? escapedSize(report.failure.lines) : 0;
  const excerpt = Math.min(wantExcerpt, Math.max(0, available));
  available -= excerpt;
  const wantStdout = report.logs.stdout?.found ? escapedSize(report.logs.stdout.lines) : 0;
  const wantStderr = report.logs.stderr?.found ? escapedSize(report.logs.stderr.lines) : 0;
  const [stderr, stdout] = share(available, [wantStderr, wantStdout]) as [number, number];
  const budgets: Budgets = { excerpt, stdout, stderr };
  let out = renderWith(ctx, budgets, false);
  // The estimate above can miss by a few bytes; shrink what may shrink until it fits.
  for (let i = 0; i < 8 && bytes(out) > maxBytes; i++) {
    let over = bytes(out) - maxBytes + 256;
    for (const k of ['stdout', 'stderr', 'excerpt'] as const) {
      const take = Math.min(over, budgets[k]);
      budgets[k] -= take;
      over -= take;
    }
    out = renderWith(ctx, budgets, false);
  }
  if (bytes(out) > maxBytes) out = renderWith(ctx, { excerpt: 0, stdout: 0, stderr: 0 }, true);
  return bytes(out) > maxBytes ? hardCut(out, maxBytes) : out;
}

/**
 * A compact report for a pull-request comment: outcome, reason, timings and cost, the failure
 * excerpt, and links. Starts with `opts.marker` so a later run can find and update the comment.
 */
export function renderPrComment(report: JobReport, opts: PrCommentOptions): string {
  const maxChars = opts.maxChars ?? PR_COMMENT_MAX_CHARS;
  const t = report.timings;
  const facts: string[] = [];
  if (t.totalExecutionSeconds !== undefined)
    facts.push(`run time ${formatDuration(t.totalExecutionSeconds)}`);
  if (t.queuedMs !== undefined) facts.push(`queued ${formatDuration(t.queuedMs / 1000)}`);
  if (t.waitedSeconds !== undefined) facts.push(`waited ${formatDuration(t.waitedSeconds)}`);
  const use = report.billedResourceUtilization ?? report.totalResourceUtilization;
  if (use) {
    const cost = estimateCost(use, report.region, report.architecture ?? 'X86_64');
    facts.push(`estimated cost ${formatUsd(cost.usd)}`);
  }
  const refs: string[] = [];
  if (opts.runUrl) refs.push(link('workflow run', opts.runUrl));
  if (report.commitSha) {
    const url = commitUrl(report.serverUrl, report.repository, report.commitSha);
    const short = report.commitSha.slice(0, 12);
    refs.push(url ? `commit ${link(short, url)}` : `commit ${code(short)}`);
  }
  if (report.jobRunId) {
    refs.push(link('EMR console', emrJobRunConsoleUrl(report.region, report.applicationId, report.jobRunId)));
  }
  const top = [opts.marker, `### ${outcomeLabel(report)}: Hail job ${text(report.jobName)}`, ''];
  if (facts.length > 0) top.push(`${facts.join(' · ').replace(/^./, (c) => c.toUpperCase())}`, '');
  const delta = report.history?.delta;
  if (delta) {
    const warn = report.history?.overThreshold
      ? ` ⚠️ over the ${report.history.thresholdPct}% threshold`
      : '';
    top.push(`**Compared with the base branch:** ${text(deltaHeadline(delta))}${warn}`, '');
  }
  const why = reason(report);
  if (why) top.push(why.replace(/^### Why it did not succeed\n\n/, ''), '');
  const bottom = refs.length > 0 ? ['', refs.join(' · ')] : [];
  const build = (excerptBudget: number): string => {
    const f = report.failure;
    const middle: string[] = [];
    if (f && report.state !== 'SUCCESS') {
      middle.push(
        `**Error:** <code>${text(f.headline, MAX_HEADLINE_CHARS)}</code>`,
        '',
        `<details><summary>${escapeHtml(f.kind === 'python-traceback' ? 'Traceback' : 'Stack trace')} from the driver's ${f.source}</summary>`,
        '',
        pre(fitExcerpt(f.lines, excerptBudget)),
        '',
        '</details>',
      );
    }
    return `${[...top, ...middle, ...bottom].join('\n')}\n`;
  };
  // Bytes bound characters from above, so a byte budget keeps the character count in bounds.
  const fixed = build(0).length;
  let budget = Math.max(0, maxChars - fixed - NOTE_SLACK_BYTES);
  let out = build(budget);
  for (let i = 0; i < 8 && out.length > maxChars; i++) {
    budget = Math.max(0, budget - (out.length - maxChars) - 256);
    out = build(budget);
  }
  return out.length > maxChars ? clip(out, maxChars) : out;
}
