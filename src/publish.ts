import * as core from '@actions/core';
import type { RunContext } from './github-context.js';
import type { Config } from './inputs.js';
import { scriptAnnotation } from './report/annotations.js';
import type { JobReport } from './report/model.js';
import { renderSummary } from './report/summary.js';
import { errorMessage } from './util/errors.js';

/** Puts the report where people read it: the job summary, an annotation on the failing line. */
export async function publishReport(
  report: JobReport,
  config: Config,
  _ctx: RunContext,
  log: { warning(msg: string): void },
): Promise<void> {
  // The Spark UI link is a bearer link: never let it reach the (public) log.
  if (report.links.sparkUi) core.setSecret(report.links.sparkUi.url);
  try {
    await core.summary.addRaw(renderSummary(report)).write();
  } catch (err) {
    log.warning(`Could not write the job summary: ${errorMessage(err)}`);
  }
  const scripts = [config.script, ...config.pyFiles].map((f) => ({
    remoteBasename: f.path.slice(f.path.lastIndexOf('/') + 1),
    workspacePath: f.relPath,
  }));
  const annotation = scriptAnnotation(report.failure, scripts);
  if (annotation) {
    core.error(annotation.message, { file: annotation.file, startLine: annotation.line, title: annotation.title });
  }
}
