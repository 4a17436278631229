// What a diagnosis says: a known cause of a failed run, in words, and the one change that fixes it.

/** Where the matched text was found. */
export type EvidenceSource = 'excerpt' | 'stateDetails' | 'stderr' | 'stdout';

/** Something the user can paste, and where it goes. */
export interface Paste {
  /** Where it goes, e.g. "the action's `with:`" or "the job runtime role's policy". */
  target: string;
  language: 'yaml' | 'json' | 'shell' | 'text';
  text: string;
}

export interface Fix {
  /** What to do, in one or two sentences (plain text; names in `backticks`). */
  action: string;
  paste?: Paste;
  /** A second paste, when the fix has two parts (e.g. a grant and a Spark setting). */
  alsoPaste?: Paste;
}

export interface Diagnosis {
  /** Stable id of the signature, e.g. "s3-connection-pool". */
  id: string;
  title: string;
  /** The cause in one sentence. */
  cause: string;
  fix: Fix;
  /** The line that matched (clipped), and where it was. */
  evidence: { source: EvidenceSource; line: string };
}

/** What the action knows about the run, to fill fixes in (bucket, prefix, role, release). */
export interface DiagnosisContext {
  executionRoleArn?: string;
  /** s3://bucket/prefix (no trailing slash). */
  s3Prefix?: string;
  outputUri?: string;
  scriptUri?: string;
  releaseLabel?: string;
  hailVersion?: string;
  applicationId?: string;
  timeoutMinutes?: number;
  /** The user's `spark-conf` lines, so a fix raises a setting from what the job had. */
  sparkConf?: Readonly<Record<string, string>>;
}

export interface Match {
  /** The groups of the pattern that matched (0 is the whole match). */
  groups: readonly string[];
  line: string;
  source: EvidenceSource;
  /** Every line of that source, and where the match is, to look around it (e.g. for a URI). */
  lines: readonly string[];
  index: number;
}

/** What a run-level signature looks at: how the run ended rather than what it printed. */
export interface RunFacts {
  state: string;
  endedByAction?: 'timeout' | 'workflow-cancelled';
  started: boolean;
  stateDetails?: string;
}

export interface Signature {
  id: string;
  title: string;
  /** Patterns tried line by line; any one matching recognises the failure. */
  patterns?: readonly RegExp[];
  /** Each must also match some line of the same text (for patterns that alone are not enough). */
  requires?: readonly RegExp[];
  /** Where the patterns may match (default: everywhere). */
  sources?: readonly EvidenceSource[];
  /** Text patterns count only when this holds (e.g. the job never started running). */
  onlyIf?: (facts: RunFacts) => boolean;
  /** A run-level condition, checked before any log text when the action ended the run. */
  run?: (facts: RunFacts) => boolean;
  cause: (m: Match, ctx: DiagnosisContext) => string;
  fix: (m: Match, ctx: DiagnosisContext) => Fix;
}
