import type { RunContext } from '../github-context.js';
import { sha256Hex } from '../util/hash.js';

/**
 * What stays the same across runs of one analysis: the repository, the workflow file, the job,
 * the step, the user's explicit `name`, and the matrix values (the `matrix` input). Run numbers,
 * commits and refs are left out on purpose.
 */
export interface AnalysisIdentity {
  repository?: string;
  /** The workflow file, from GITHUB_WORKFLOW_REF (`owner/repo/.github/workflows/x.yml@ref`) without its ref. */
  workflowFile?: string;
  job?: string;
  step?: string;
  name?: string;
  /** Canonical JSON of the matrix values (the `matrix` input), outside a matrix undefined. */
  matrix?: string;
}

export function analysisIdentity(
  ctx: RunContext,
  explicitName: string | undefined,
  matrix?: string,
): AnalysisIdentity {
  const workflowFile = ctx.workflowRef?.replace(/@.*$/, '') || ctx.workflow;
  return {
    repository: ctx.repository,
    workflowFile,
    job: ctx.job,
    step: ctx.action,
    name: explicitName,
    matrix,
  };
}

const SLUG_CHARS = 60;

/**
 * An S3-safe, readable, stable id: a slug of the job, step and name for people listing the bucket,
 * then a hash of the whole identity so two analyses never share an id.
 */
export function analysisId(identity: AnalysisIdentity): string {
  const whole = [
    identity.repository,
    identity.workflowFile,
    identity.job,
    identity.step,
    identity.name,
    identity.matrix,
  ]
    .map((p) => p ?? '')
    .join('\n');
  const readable = [identity.job, identity.name ?? identity.step]
    .filter((p): p is string => Boolean(p))
    .join('.')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, SLUG_CHARS);
  const hash = sha256Hex(whole).slice(0, 16);
  return readable ? `${readable}-${hash}` : hash;
}
