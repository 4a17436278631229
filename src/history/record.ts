// One run of an analysis, as kept in S3: the full record is the object's body; the figures the
// history table, the charts and the pull-request comparison need are also spelled in the object's
// key, so a single LIST reads up to 1,000 runs without a GET per run.
import { workflowRunUrl } from '../github-context.js';
import type { HistoryEntry, JobReport, ResourceUse } from '../report/model.js';

export type { HistoryEntry };
import { estimateCost } from '../report/cost.js';

export const HISTORY_RECORD_VERSION = 1;

export interface HistoryRecord {
  version: typeof HISTORY_RECORD_VERSION;
  analysisId: string;
  time: string; // ISO 8601, when the record was made (the run's end)
  repository?: string;
  ref?: string;
  commit?: string;
  pullRequest?: number;
  workflowRunUrl?: string;
  runId?: string;
  runAttempt?: string;
  runNumber?: string;
  jobRunId?: string;
  applicationId: string;
  state: string;
  durations: { queuedSeconds?: number; runSeconds?: number; totalSeconds?: number };
  billed?: ResourceUse;
  used?: ResourceUse;
  estimatedCostUsd?: number;
  hailVersion?: string;
  releaseLabel?: string;
  artifacts?: { jarUri: string; envArchiveUri: string; cacheKey?: string; source?: string };
  result?: Record<string, unknown>;
}

export interface RecordContext {
  analysisId: string;
  repository?: string;
  ref?: string;
  commit?: string;
  pullRequest?: number;
  serverUrl: string;
  runId?: string;
  runAttempt?: string;
  runNumber?: string;
}

/** The record of a run that reached EMR Serverless and ended while the action watched it. */
export function buildHistoryRecord(report: JobReport, ctx: RecordContext, now: Date): HistoryRecord {
  const t = report.timings;
  const runSeconds =
    t.startedAt && t.endedAt ? Math.max(0, (t.endedAt.getTime() - t.startedAt.getTime()) / 1000) : undefined;
  const cost = report.billedResourceUtilization
    ? estimateCost(report.billedResourceUtilization, report.region, report.architecture ?? 'X86_64').usd
    : undefined;
  return {
    version: HISTORY_RECORD_VERSION,
    analysisId: ctx.analysisId,
    time: (t.endedAt ?? now).toISOString(),
    repository: ctx.repository,
    ref: ctx.ref,
    commit: ctx.commit,
    pullRequest: ctx.pullRequest,
    workflowRunUrl: workflowRunUrl(ctx),
    runId: ctx.runId,
    runAttempt: ctx.runAttempt,
    runNumber: ctx.runNumber,
    jobRunId: report.jobRunId,
    applicationId: report.applicationId,
    state: report.state,
    durations: {
      queuedSeconds: t.queuedMs !== undefined ? t.queuedMs / 1000 : undefined,
      runSeconds,
      totalSeconds: t.totalExecutionSeconds,
    },
    billed: report.billedResourceUtilization,
    used: report.totalResourceUtilization,
    estimatedCostUsd: cost,
    hailVersion: report.hailVersion,
    releaseLabel: report.releaseLabel,
    artifacts: report.artifacts ? { ...report.artifacts, source: report.artifactsSource } : undefined,
    result: report.result,
  };
}

// Keys sort ascending in a listing; an inverted time puts the newest run first.
const TIME_DIGITS = 13;
const MAX_TIME_MS = 10 ** TIME_DIGITS - 1;
const SEP = '~';
const KEY_VERSION = 'v1';
const MAX_REF_CHARS = 200;

const fixed = (n: number | undefined, scale: number) =>
  n === undefined || !Number.isFinite(n) ? '' : String(Math.round(n * scale));
const safe = (s: string | undefined) => (s ?? '').replace(/[^A-Za-z0-9._-]/g, '');

/** The object name (under the analysis's prefix) for a record. */
export function historyObjectName(r: HistoryRecord): string {
  const ms = Date.parse(r.time);
  const inverted = String(MAX_TIME_MS - ms).padStart(TIME_DIGITS, '0');
  const encodedRef = Buffer.from(r.ref ?? '', 'utf8').toString('base64url');
  // Keys are at most 1,024 bytes: a very long ref is left out (it then matches no base branch).
  const ref = encodedRef.length <= MAX_REF_CHARS ? encodedRef : '';
  return (
    [
      inverted,
      KEY_VERSION,
      safe(r.runId) || 'local',
      safe(r.runAttempt) || '1',
      safe(r.runNumber),
      safe(r.state),
      fixed(r.estimatedCostUsd, 1e6), // micro-dollars
      fixed(r.durations.totalSeconds, 1),
      fixed(r.billed?.vCPUHour, 1e4),
      safe(r.commit).slice(0, 12),
      r.pullRequest ? String(r.pullRequest) : '',
      ref,
    ].join(SEP) + '.json'
  );
}

const num = (s: string | undefined, scale: number) => (s ? Number(s) / scale : undefined);

/** Reads an object name written by historyObjectName; undefined for anything else in the folder. */
export function parseHistoryObjectName(key: string): HistoryEntry | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (!name.endsWith('.json')) return undefined;
  const f = name.slice(0, -'.json'.length).split(SEP);
  if (f.length !== 12 || f[1] !== KEY_VERSION || !/^\d{13}$/.test(f[0]!)) return undefined;
  const [inv, , runId, runAttempt, runNumber, state, cost, total, vcpu, commit, pr, ref] = f as [
    string,
    ...string[],
  ];
  return {
    time: new Date(MAX_TIME_MS - Number(inv)),
    runId: runId!,
    runAttempt: runAttempt!,
    runNumber: runNumber || undefined,
    state: state!,
    costUsd: num(cost, 1e6),
    totalSeconds: num(total, 1),
    billedVcpuHours: num(vcpu, 1e4),
    commit: commit || undefined,
    pullRequest: pr ? Number(pr) : undefined,
    ref: ref ? Buffer.from(ref, 'base64url').toString('utf8') : undefined,
    key,
  };
}
