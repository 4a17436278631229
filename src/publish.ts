import * as core from '@actions/core';
import { readEventPayload, type RunContext } from './github-context.js';
import type { Config } from './inputs.js';
import { scriptAnnotation } from './report/annotations.js';
import { diagnosisText } from './report/diagnosis/render.js';
import type { JobReport } from './report/model.js';
import { commentKey, commentOnPullRequest } from './report/pr-comment.js';
import { renderSummary } from './report/summary.js';
import { errorMessage } from './util/errors.js';
import { actionLog } from './log.js';

/**
 * Puts the report where people read it: the job summary, an annotation on the failing line, and
 * (with comment-on-pr) the pull request's comment for this job.
 */
export async function publishReport(
  report: JobReport,
  config: Config,
  ctx: RunContext,
  log: { warning(msg: string): void },
): Promise<void> {
  // The Spark UI link is a bearer link (anyone holding it can open the UI for an hour). It is never
  // written to the log, and it goes in the summary only when the repository is private: a public
  // repository's run summaries can be read by anyone.
  const includeSparkUiLink = repositoryIsPrivate(ctx);
  try {
    await core.summary.addRaw(renderSummary(report, { includeSparkUiLink })).write();
  } catch (err) {
    log.warning(`Could not write the job summary: ${errorMessage(err)}`);
  }
  const scripts = [config.script, ...config.pyFiles].map((f) => ({
    remoteBasename: f.path.slice(f.path.lastIndexOf('/') + 1),
    workspacePath: f.relPath,
  }));
  const annotation = scriptAnnotation(report.failure, scripts);
  if (annotation) {
    const cause = report.diagnosis ? `\n${diagnosisText(report.diagnosis)}` : '';
    core.error(annotation.message + cause, {
      file: annotation.file,
      startLine: annotation.line,
      title: annotation.title,
    });
  }
  if (config.commentOnPr) {
    const key = commentKey({
      name: config.name,
      workflow: ctx.workflow,
      job: ctx.job,
      step: ctx.action,
      matrix: config.matrix,
    });
    const commentLog = {
      debug: core.debug,
      info: actionLog.info,
      notice: (message: string) => core.notice(message),
      warning: (message: string) => log.warning(message),
    };
    await commentOnPullRequest(report, ctx, config.githubToken, commentLog, key);
  } else {
    core.debug('comment-on-pr is false: no pull-request comment');
  }
}

/** Visibility from the event payload the runner provides; unknown counts as public. */
export function repositoryIsPrivate(ctx: RunContext): boolean {
  const event = readEventPayload(ctx.eventPath) as { repository?: { private?: boolean } } | undefined;
  return event?.repository?.private === true;
}
