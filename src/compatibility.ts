import * as core from '@actions/core';
import { Input } from './constants.js';
import { checkCompatibility, chooseReleaseLabel, type Compatibility } from './hail/compat.js';
import type { GivenJar } from './hail/jar-build.js';
import { checkUnlistedHail, chooseReleaseForJar } from './hail/unlisted-compat.js';
import {
  compareLabels,
  EMR_RELEASES,
  FIRST_RETRY_POLICY_RELEASE,
  isListedHailVersion,
  parseHailVersion,
  supportsRetryPolicy,
} from './hail/versions.js';
import { InputError } from './util/errors.js';
import { actionLog as log } from './log.js';

/** True when the Hail version is newer than the table, so its jar must say what it was built for. */
export function needsJarCheck(hailVersion: string): boolean {
  return !isListedHailVersion(parseHailVersion(hailVersion));
}

/**
 * Refuses an impossible Hail/EMR pair, naming the input the release came from: `release-label`,
 * or `application-id` when it was read from the application. A Hail version newer than the table
 * is decided from its jar (`jar`); without one it is refused with what to do.
 */
export function requireCompatible(
  hailVersion: string,
  releaseLabel: string,
  architecture: 'X86_64' | 'ARM64',
  from: Input = Input.ReleaseLabel,
  jar?: GivenJar,
): Compatibility {
  const compat = needsJarCheck(hailVersion)
    ? checkUnlistedHail({ hailVersion, releaseLabel, architecture, jar: jar?.build, jarName: jar?.name })
    : checkCompatibility({ hailVersion, releaseLabel, architecture });
  if (compat.verdict === 'impossible') {
    throw new InputError(
      from,
      `hail ${hailVersion} cannot run on ${releaseLabel} (${architecture}): ${compat.reason}`,
    );
  }
  if (compat.verdict !== 'compatible' || needsJarCheck(hailVersion)) once(compat.reason, (m) => log.info(m));
  // A notice, not a warning: it holds on every emr-7 run, and only a Java 11 runtime would end it.
  if (compat.javaCaveat) once(compat.javaCaveat, (m) => core.notice(m));
  return compat;
}

/** The release for a new application: the table's choice, or (newer Hail) the jar's Spark's. */
export function releaseLabelFor(hailVersion: string, jar?: GivenJar): string {
  return needsJarCheck(hailVersion)
    ? chooseReleaseForJar(hailVersion, jar?.build, jar?.name)
    : chooseReleaseLabel(hailVersion);
}

/**
 * The release a request is planned with before anything is read: the real one for a listed Hail;
 * for a Hail judged by its jar (not read yet), a stand-in from the same table the real one comes
 * from, so the planned request passes or fails validation as the real one will.
 */
export function plannedReleaseLabel(hailVersion: string): string {
  if (!needsJarCheck(hailVersion)) return chooseReleaseLabel(hailVersion);
  return [...EMR_RELEASES]
    .map((r) => r.label)
    .sort(compareLabels)
    .at(-1)!;
}

/**
 * Refuses inputs that need a newer release than the application's, before any upload: today
 * `retry-max-attempts` (StartJobRun `retryPolicy`, emr-7.1.0 and later).
 */
export function requireReleaseFeatures(
  config: { retryMaxAttempts?: number },
  releaseLabel: string,
  from: Input = Input.ReleaseLabel,
): void {
  if (config.retryMaxAttempts !== undefined && !supportsRetryPolicy(releaseLabel)) {
    const where = from === Input.ReleaseLabel ? '' : ` (the release of the application given by ${from})`;
    throw new InputError(
      Input.RetryMaxAttempts,
      `needs ${FIRST_RETRY_POLICY_RELEASE} or later (EMR Serverless job resiliency), but the release is ` +
        `${releaseLabel}${where}: remove retry-max-attempts or use a newer release`,
    );
  }
}

// The check runs twice when the release is given (before and after GetApplication): say things once.
const said = new Set<string>();
function once(message: string, say: (message: string) => void): void {
  if (said.has(message)) return;
  said.add(message);
  say(message);
}
