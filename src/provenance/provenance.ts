// `<output-uri>/_hail_run.json`: what made the outputs next to it, enough to answer "which commit,
// Hail build and settings produced this table" and to run it again.
import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import { estimateCost } from '../report/cost.js';
import type { JobReport } from '../report/model.js';

export const PROVENANCE_FILE = '_hail_run.json';
export const PROVENANCE_VERSION = 1;

export interface PlacedSource {
  /** Workspace-relative path. */
  path: string;
  uri: string;
  sha256: string;
}

export interface ArtifactProvenance {
  uri: string;
  /** Known when the action hashed the file (uploaded, built, or a cache entry's manifest). */
  sha256?: string;
}

export interface ProvenanceInputs {
  report: JobReport;
  request: StartJobRunCommandInput;
  github: {
    repository?: string;
    commit?: string;
    ref?: string;
    workflowRunUrl?: string;
    actor?: string;
    event?: string;
  };
  script: PlacedSource;
  pyFiles: readonly PlacedSource[];
  artifacts: { jar: ArtifactProvenance; envArchive: ArtifactProvenance; source?: string; cacheKey?: string };
  outputs: readonly { key: string; size: number; etag?: string }[];
  outputsTruncated: boolean;
  writtenAt: Date;
}

// Spark properties are the user's to set; one that looks like a secret is kept out of the file
// (its name stays, so the record still says it was set).
const SECRET_KEY = /(password|passwd|secret|token|credential|private[._-]?key|access[._-]?key)/i;

function redact(props: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props ?? {})) out[k] = SECRET_KEY.test(k) ? '(redacted)' : v;
  return out;
}

export function buildProvenance(p: ProvenanceInputs) {
  const r = p.report;
  const driver = p.request.jobDriver?.sparkSubmit;
  const classifications = (p.request.configurationOverrides?.applicationConfiguration ?? []).map((c) => ({
    classification: c.classification,
    properties: redact(c.properties),
  }));
  const billed = r.billedResourceUtilization;
  return {
    version: PROVENANCE_VERSION,
    writtenAt: p.writtenAt.toISOString(),
    github: p.github,
    script: p.script,
    pyFiles: p.pyFiles,
    hail: {
      version: r.hailVersion,
      artifactsSource: p.artifacts.source,
      cacheKey: p.artifacts.cacheKey,
      jar: p.artifacts.jar,
      envArchive: p.artifacts.envArchive,
    },
    emrServerless: {
      region: r.region,
      applicationId: r.applicationId,
      releaseLabel: r.releaseLabel,
      architecture: r.architecture,
      jobRunId: r.jobRunId,
      name: p.request.name,
      executionRoleArn: p.request.executionRoleArn,
      entryPoint: driver?.entryPoint,
      entryPointArguments: driver?.entryPointArguments ?? [],
      sparkSubmitParameters: driver?.sparkSubmitParameters,
      applicationConfiguration: classifications,
      executionTimeoutMinutes: p.request.executionTimeoutMinutes,
      retryPolicy: p.request.retryPolicy,
      state: r.state,
      stateDetails: r.stateDetails,
      attempts: r.attempts,
    },
    timings: {
      submittedAt: r.timings.submittedAt?.toISOString(),
      startedAt: r.timings.startedAt?.toISOString(),
      endedAt: r.timings.endedAt?.toISOString(),
      queuedSeconds: r.timings.queuedMs !== undefined ? r.timings.queuedMs / 1000 : undefined,
      totalExecutionSeconds: r.timings.totalExecutionSeconds,
    },
    resources: {
      billed,
      used: r.totalResourceUtilization,
      estimatedCostUsd: billed ? estimateCost(billed, r.region, r.architecture ?? 'X86_64').usd : undefined,
    },
    outputs: { objects: p.outputs, truncated: p.outputsTruncated },
  };
}

export type Provenance = ReturnType<typeof buildProvenance>;
