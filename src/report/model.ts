// The data the report is rendered from. main.ts fills it; the renderers in src/report/ only read it.

import type { Diagnosis } from './diagnosis/model.js';

export const JOB_RUN_STATES = [
  'SUBMITTED',
  'PENDING',
  'SCHEDULED',
  'QUEUED',
  'RUNNING',
  'SUCCESS',
  'FAILED',
  'CANCELLING',
  'CANCELLED',
] as const;
export type JobRunState = (typeof JOB_RUN_STATES)[number];

/** vCPU-hours, GB-hours of memory and of storage, as GetJobRun reports them. */
export interface ResourceUse {
  vCPUHour?: number;
  memoryGBHour?: number;
  storageGBHour?: number;
}

/** The end of one driver log, read by streaming (bounded memory). */
export interface LogTail {
  /** s3:// URI of the log object (stdout.gz / stderr.gz). */
  uri: string;
  /** False when the object did not exist (yet). */
  found: boolean;
  /** The last lines, oldest first. */
  lines: string[];
  totalLines: number;
  totalBytes: number; // uncompressed
  omittedLines: number;
  omittedBytes: number;
  /** Set when the read stopped early (truncated or corrupt gzip): the lines are those read before it. */
  readError?: string;
}

/** The most useful part of a failed job's log: a traceback, a Hail error or a Java exception. */
export interface FailureExcerpt {
  kind: 'python-traceback' | 'hail-error' | 'java-exception';
  /** One-line headline, e.g. "HailException: ..." or "ValueError: bad input". */
  headline: string;
  lines: string[];
  /** Which log it came from. */
  source: 'stdout' | 'stderr';
  /** Python frames found in the excerpt: remote file path and line. */
  frames: { file: string; line: number; func?: string }[];
}

export interface OutputObject {
  key: string; // full S3 key
  size: number;
  etag?: string;
}

/** One top-level entry under output-uri: a file, or a directory such as a Hail `.ht`/`.mt`. */
export interface OutputEntry {
  name: string; // relative to the output prefix, e.g. "gwas.ht" or "summary.tsv"
  uri: string;
  isDirectory: boolean;
  totalBytes: number;
  fileCount: number;
}

export interface AttemptReport {
  attempt: number;
  state: string;
  stateDetails?: string;
}

export type ArtifactsSource = 'cache-hit' | 'built' | 'prebuilt' | 'uploaded';

/** The part of a record its key carries: enough for the table, the charts and the comparison. */
export interface HistoryEntry {
  time: Date;
  runId: string;
  runAttempt: string;
  runNumber?: string;
  state: string;
  costUsd?: number;
  totalSeconds?: number;
  billedVcpuHours?: number;
  commit?: string; // the first 12 characters
  pullRequest?: number;
  ref?: string;
  key: string;
}

export interface Delta {
  base: HistoryEntry;
  baseRef: string;
  /** Percent change against the base run; undefined when either side lacks the figure or the base is 0. */
  costPct?: number;
  durationPct?: number;
  vcpuPct?: number;
}

export interface HistoryView {
  /** Newest first; the current run included. */
  entries: HistoryEntry[];
  currentKey: string;
  delta?: Delta;
  /** True when the cost grew past the user's threshold. */
  overThreshold?: boolean;
  thresholdPct?: number;
  /** Where the records live (s3:// URI), for people who want the raw data. */
  folderUri: string;
}

export interface JobReport {
  jobName: string;
  jobRunId?: string;
  applicationId: string;
  region: string;
  releaseLabel?: string;
  architecture?: 'X86_64' | 'ARM64';
  hailVersion?: string;
  artifactsSource?: ArtifactsSource;
  artifacts?: { jarUri: string; envArchiveUri: string; cacheKey?: string };
  scriptUri?: string;
  repository?: string; // owner/name
  commitSha?: string;
  serverUrl?: string; // https://github.com
  state: JobRunState;
  stateDetails?: string;
  /** Why the action ended the job, if it did. */
  endedByAction?: 'timeout' | 'workflow-cancelled';
  timings: {
    submittedAt?: Date;
    startedAt?: Date;
    endedAt?: Date;
    queuedMs?: number;
    totalExecutionSeconds?: number;
    /** How long the action waited, seconds. */
    waitedSeconds?: number;
  };
  totalResourceUtilization?: ResourceUse;
  billedResourceUtilization?: ResourceUse;
  attempts?: AttemptReport[];
  logUri?: string; // s3:// prefix of this job run's logs
  logs: { stdout?: LogTail; stderr?: LogTail };
  failure?: FailureExcerpt;
  /** The known cause of the failure and its fix, when one matched (see diagnosis/signatures.ts). */
  diagnosis?: Diagnosis;
  outputs?: {
    uri: string;
    entries: OutputEntry[];
    truncated: boolean;
    /** The listing itself (keys, sizes, ETags), for the provenance record. */
    objects?: OutputObject[];
  };
  /** The job's own `<output-uri>/_action_result.json`, when it wrote one. */
  result?: Record<string, unknown>;
  /** The analysis's earlier runs and the comparison with the base branch (input `history`). */
  history?: HistoryView;
  /** `<output-uri>/_hail_run.json`, when it was written. */
  provenanceUri?: string;
  links: {
    sparkUi?: { url: string; expiresAt: Date };
    cloudWatch?: string;
  };
}
