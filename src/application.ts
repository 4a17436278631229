import type { CreateApplicationCommandInput, EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { createApplication, findApplicationByName, getApplication, startApplication } from './aws/emr.js';
import { sleep } from './util/sleep.js';

export interface ApplicationInfo {
  applicationId: string;
  releaseLabel: string;
  architecture: 'X86_64' | 'ARM64';
  created: boolean;
  /** As read when the application was resolved (saves a second GetApplication when it is ready). */
  state: string;
  autoStart: boolean;
}

export interface AppLogger {
  info(msg: string): void;
}

/** Finds (or creates) the application by id or name and reads its release label and architecture. */
export async function resolveApplication(
  emr: EMRServerlessClient,
  p: {
    applicationId?: string;
    applicationName?: string;
    /** The CreateApplication request, should no application of that name exist. */
    newApplication: () => CreateApplicationCommandInput;
    log: AppLogger;
  },
): Promise<ApplicationInfo> {
  let applicationId = p.applicationId;
  let created = false;
  if (!applicationId) {
    const name = p.applicationName!;
    applicationId = await findApplicationByName(emr, name);
    if (applicationId) {
      p.log.info(`Using application ${applicationId} (found by name "${name}")`);
    } else {
      const request = p.newApplication();
      const releaseLabel = request.releaseLabel ?? '';
      applicationId = await createApplication(emr, request);
      created = true;
      p.log.info(
        `Created application ${applicationId} "${name}" on ${releaseLabel} (X86_64, auto-stop after 15 idle minutes)`,
      );
    }
  }
  const app = await getApplication(emr, applicationId);
  if (app.state === 'TERMINATED') {
    throw new Error(
      `application ${applicationId} is TERMINATED; give a live application-id or an application-name`,
    );
  }
  return {
    applicationId,
    releaseLabel: app.releaseLabel ?? '',
    architecture: (app.architecture ?? 'X86_64') as 'X86_64' | 'ARM64',
    created,
    state: app.state ?? '',
    autoStart: app.autoStartConfiguration?.enabled !== false,
  };
}

const READY = new Set(['STARTED']);
const STARTABLE = new Set(['CREATED', 'STOPPED']);

/**
 * Makes sure a job can be submitted. An application with auto-start (the default) starts itself
 * on StartJobRun; one without it is started here and awaited within its own timeout, so a slow
 * start never eats into the job's timeout.
 */
export async function ensureApplicationReady(
  emr: EMRServerlessClient,
  app: ApplicationInfo,
  timeoutMinutes: number,
  log: AppLogger,
  signal?: AbortSignal,
): Promise<void> {
  // The common cases need no further call: already started, or auto-start will start it.
  if (READY.has(app.state) || (STARTABLE.has(app.state) && app.autoStart)) return;
  const applicationId = app.applicationId;
  const deadline = Date.now() + timeoutMinutes * 60_000;
  let startRequested = false;
  for (;;) {
    const current = await getApplication(emr, applicationId);
    const state = current.state ?? '';
    if (READY.has(state)) break;
    if (STARTABLE.has(state)) {
      if (current.autoStartConfiguration?.enabled !== false) return;
      if (!startRequested) {
        log.info(`Application ${applicationId} is ${state} without auto-start: starting it`);
        await startApplication(emr, applicationId);
        startRequested = true;
      }
    }
    if (state === 'TERMINATED') throw new Error(`application ${applicationId} is TERMINATED`);
    if (Date.now() > deadline) {
      throw new Error(
        `application ${applicationId} is still ${state} after ${timeoutMinutes} min (application-start-timeout-minutes)`,
      );
    }
    if (signal?.aborted) return;
    await sleep(2_000, signal);
  }
  log.info(`Application ${applicationId} is STARTED`);
}
