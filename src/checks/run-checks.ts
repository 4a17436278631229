// The pre-submit checks at the edge: read the entry point and the .py files of `py-files`, put
// each finding as an annotation on its line, and stop the run (before any upload or request) when
// one is certain to fail.

import { actionLog as log } from '../log.js';
import { readFile } from 'node:fs/promises';
import * as core from '@actions/core';
import type { CheckOnlyConfig, Config, WorkspaceFile } from '../inputs.js';
import { checkScript, missingInit, type Finding } from './check-script.js';
import type { CheckOptions } from './rules.js';

/** GitHub shows at most 10 annotations of each type per step; the rest go to the log. */
export const MAX_ANNOTATIONS_PER_TYPE = 10;
/** In a full run, leave room for the warnings and errors the run itself may need to show. */
export const MAX_CHECK_ANNOTATIONS_IN_RUN = 5;

export interface ChecksInput {
  script: WorkspaceFile;
  pyFiles: readonly WorkspaceFile[];
}

/** What a full run knows: HAIL_OUTPUT_URI is set by `output-uri`, or by a `spark-conf` line. */
export function checkOptionsFor(config: Pick<Config, 'outputUri' | 'sparkConf'>): CheckOptions {
  const viaSparkConf = config.sparkConf.some(([k]) => k === 'spark.emr-serverless.driverEnv.HAIL_OUTPUT_URI');
  return { outputUriGiven: Boolean(config.outputUri) || viaSparkConf };
}

/** The findings in the entry point and the `.py` files among `py-files` (archives are not opened). */
export async function findProblems(files: ChecksInput, opts: CheckOptions): Promise<Finding[]> {
  const py = [files.script, ...files.pyFiles.filter((f) => f.path.endsWith('.py'))];
  const texts = await Promise.all(py.map((f) => readFile(f.path, 'utf8')));
  const findings = py.flatMap((f, i) => checkScript(texts[i]!, f.relPath, opts));
  const noInit = missingInit(py.map((f, i) => ({ text: texts[i]!, file: f.relPath })));
  return noInit ? [noInit, ...findings] : findings;
}

/** Annotates the findings (up to `max` of each type, the rest in the log); returns how many were errors. */
export function annotate(findings: readonly Finding[], max = MAX_ANNOTATIONS_PER_TYPE): number {
  const shown = { warning: 0, error: 0 };
  for (const f of findings) {
    const props = { file: f.file, startLine: f.line, title: f.title };
    if (shown[f.severity]++ < max) {
      (f.severity === 'error' ? core.error : core.warning)(f.message, props);
    } else {
      log.info(`${f.severity}: ${f.file}:${f.line}: ${f.title}: ${f.message}`);
    }
  }
  return shown.error;
}

/**
 * Runs the checks and annotates what they find. Throws when a finding is certain to fail the run,
 * so nothing is uploaded or submitted.
 */
export async function runPreSubmitChecks(
  files: ChecksInput,
  opts: CheckOptions,
  maxAnnotations = MAX_CHECK_ANNOTATIONS_IN_RUN,
): Promise<Finding[]> {
  const findings = await findProblems(files, opts);
  const errors = annotate(findings, maxAnnotations);
  const warnings = findings.length - errors;
  if (findings.length === 0) log.info('Pre-submit checks: no problems found.');
  else log.info(`Pre-submit checks: ${errors} error(s), ${warnings} warning(s) (see the annotations).`);
  if (errors > 0) {
    throw new Error(
      `the pre-submit checks found ${errors} problem(s) that would make the job fail; nothing was submitted (see the annotations)`,
    );
  }
  return findings;
}

/** `check-only`: the checks alone, nothing sent; HAIL_OUTPUT_URI is known set only with output-uri. */
export async function runCheckOnly(config: CheckOnlyConfig): Promise<Finding[]> {
  const opts = { outputUriGiven: config.outputUri ? true : undefined };
  return runPreSubmitChecks(config, opts, MAX_ANNOTATIONS_PER_TYPE);
}
