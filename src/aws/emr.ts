import {
  CancelJobRunCommand,
  CreateApplicationCommand,
  GetApplicationCommand,
  GetDashboardForJobRunCommand,
  GetJobRunCommand,
  ListApplicationsCommand,
  ListJobRunAttemptsCommand,
  StartApplicationCommand,
  StartJobRunCommand,
  type Application,
  type CreateApplicationCommandInput,
  type EMRServerlessClient,
  type JobRun,
  type JobRunAttemptSummary,
  type StartJobRunCommandInput,
} from '@aws-sdk/client-emr-serverless';
import { describeMissingApplication } from './errors.js';

export type { Application, JobRun };

export const TERMINAL_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'FAILED', 'CANCELLED']);

export function isTerminal(state: string | undefined): boolean {
  return state !== undefined && TERMINAL_STATES.has(state);
}

export async function getApplication(emr: EMRServerlessClient, applicationId: string): Promise<Application> {
  const out = await emr.send(new GetApplicationCommand({ applicationId })).catch(async (err: unknown) => {
    if ((err as { name?: string })?.name !== 'ResourceNotFoundException') throw err;
    const region = await emr.config.region().catch(() => 'unknown');
    throw new Error(describeMissingApplication(applicationId, region), { cause: err });
  });
  if (!out.application) throw new Error(`GetApplication returned no application for ${applicationId}`);
  return out.application;
}

/** The newest non-terminated application with this name, if any. */
export async function findApplicationByName(
  emr: EMRServerlessClient,
  name: string,
): Promise<string | undefined> {
  let nextToken: string | undefined;
  const matches: { id: string; createdAt: number }[] = [];
  do {
    const out = await emr.send(
      new ListApplicationsCommand({
        nextToken,
        maxResults: 50,
        states: ['CREATING', 'CREATED', 'STARTING', 'STARTED', 'STOPPING', 'STOPPED'],
      }),
    );
    for (const app of out.applications ?? []) {
      if (app.name === name && app.id) matches.push({ id: app.id, createdAt: app.createdAt?.getTime() ?? 0 });
    }
    nextToken = out.nextToken;
  } while (nextToken);
  matches.sort((a, b) => b.createdAt - a.createdAt);
  return matches[0]?.id;
}

export interface NewApplication {
  name: string;
  releaseLabel: string;
  clientToken: string;
  tags: Record<string, string>;
}

/** A Spark application for Hail: X86_64 (Hail ships no ARM64 natives), auto-start and auto-stop on. */
export function createApplicationInput(p: NewApplication): CreateApplicationCommandInput {
  return {
    name: p.name,
    releaseLabel: p.releaseLabel,
    type: 'SPARK',
    architecture: 'X86_64',
    clientToken: p.clientToken,
    autoStartConfiguration: { enabled: true },
    autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 15 },
    tags: p.tags,
  };
}

export async function createApplication(
  emr: EMRServerlessClient,
  request: CreateApplicationCommandInput,
): Promise<string> {
  const out = await emr.send(new CreateApplicationCommand(request));
  if (!out.applicationId) throw new Error('CreateApplication returned no applicationId');
  return out.applicationId;
}

export async function startApplication(emr: EMRServerlessClient, applicationId: string): Promise<void> {
  await emr.send(new StartApplicationCommand({ applicationId }));
}

export async function startJobRun(
  emr: EMRServerlessClient,
  request: StartJobRunCommandInput,
): Promise<{ jobRunId: string }> {
  const out = await emr.send(new StartJobRunCommand(request));
  if (!out.jobRunId) throw new Error('StartJobRun returned no jobRunId');
  return { jobRunId: out.jobRunId };
}

export async function getJobRun(
  emr: EMRServerlessClient,
  applicationId: string,
  jobRunId: string,
  abortSignal?: AbortSignal,
): Promise<JobRun> {
  const out = await emr.send(new GetJobRunCommand({ applicationId, jobRunId }), { abortSignal });
  if (!out.jobRun) throw new Error(`GetJobRun returned no job run for ${jobRunId}`);
  return out.jobRun;
}

export async function cancelJobRun(
  emr: EMRServerlessClient,
  applicationId: string,
  jobRunId: string,
): Promise<void> {
  await emr.send(new CancelJobRunCommand({ applicationId, jobRunId }));
}

/**
 * Cancels a job run, unless it has already ended: the service refuses to cancel a finished job run
 * (400 ValidationException "not in a cancellable state"), which happens when it ends between the
 * last poll and the cancel. Returns the ended job run in that case, undefined once cancel was sent.
 * Any refusal is checked against the job run's state; only a refusal of a job run still active is
 * an error.
 */
export async function cancelJobRunUnlessEnded(
  emr: EMRServerlessClient,
  applicationId: string,
  jobRunId: string,
): Promise<JobRun | undefined> {
  try {
    await cancelJobRun(emr, applicationId, jobRunId);
    return undefined;
  } catch (err) {
    const run = await getJobRun(emr, applicationId, jobRunId).catch(() => undefined);
    if (run && isTerminal(run.state)) return run;
    throw err;
  }
}

/** The Spark UI link (live while running, history after); a bearer link valid for one hour. */
export async function getDashboardUrl(
  emr: EMRServerlessClient,
  applicationId: string,
  jobRunId: string,
): Promise<string | undefined> {
  const out = await emr.send(new GetDashboardForJobRunCommand({ applicationId, jobRunId }));
  return out.url;
}

export async function listJobRunAttempts(
  emr: EMRServerlessClient,
  applicationId: string,
  jobRunId: string,
): Promise<JobRunAttemptSummary[]> {
  const attempts: JobRunAttemptSummary[] = [];
  let nextToken: string | undefined;
  do {
    const out = await emr.send(new ListJobRunAttemptsCommand({ applicationId, jobRunId, nextToken }));
    attempts.push(...(out.jobRunAttempts ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return attempts.sort((a, b) => (a.attempt ?? 0) - (b.attempt ?? 0));
}
