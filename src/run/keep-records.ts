// What the action keeps after a run it watched end: the analysis's history record (and the
// history read back for the summary) and, with output-uri, the provenance next to the outputs.
import * as core from '@actions/core';
import type { AwsClients } from '../aws/clients.js';
import { Output } from '../constants.js';
import { workflowRunUrl, type RunContext } from '../github-context.js';
import { recordAndReadHistory } from '../history/record-run.js';
import type { Config } from '../inputs.js';
import { PROVENANCE_FILE } from '../provenance/provenance.js';
import { writeProvenance } from '../provenance/write-provenance.js';
import { formatPct } from '../history/compare.js';
import type { JobReport } from '../report/model.js';
import type { RunMade } from '../submit.js';
import { errorMessage } from '../util/errors.js';

export interface RecordsLogger {
  info(msg: string): void;
  warning(msg: string): void;
}

export async function keepRecords(
  clients: AwsClients,
  config: Config,
  ctx: RunContext,
  report: JobReport,
  made: RunMade | undefined,
  log: RecordsLogger,
): Promise<void> {
  if (config.history && report.jobRunId) {
    report.history = await recordAndReadHistory(report, ctx, {
      s3: clients.s3,
      prefix: config.s3Prefix,
      explicitName: config.name,
      matrix: config.matrix,
      costIncreaseThresholdPct: config.costIncreaseThresholdPct,
      log,
    });
    const pct = report.history?.delta?.costPct;
    if (pct !== undefined) core.setOutput(Output.CostChangePercent, pct.toFixed(1));
  }
  if (config.outputUri && made) {
    try {
      const written = await writeProvenance(
        clients.s3,
        config.outputUri,
        {
          report,
          ...made,
          github: {
            repository: ctx.repository,
            commit: ctx.sha,
            ref: ctx.ref,
            workflowRunUrl: workflowRunUrl(ctx),
            actor: ctx.actor,
            event: ctx.eventName,
          },
          // The record describes the job's outputs, not an earlier record at the same place.
          outputs: (report.outputs?.objects ?? []).filter((o) => !o.key.endsWith(`/${PROVENANCE_FILE}`)),
          outputsTruncated: report.outputs?.truncated ?? false,
          writtenAt: new Date(),
        },
        ctx.tempDir,
      );
      report.provenanceUri = written.uri;
      core.setOutput(Output.ProvenanceUri, written.uri);
      core.setOutput(Output.ProvenancePath, written.path);
      log.info(`Provenance: ${written.uri}`);
    } catch (err) {
      log.warning(`Could not write ${PROVENANCE_FILE}: ${errorMessage(err)}`);
    }
  }
}

/** A cost increase past the threshold: a warning annotation, or the step's failure when asked. */
export function costIncreaseMessage(report: JobReport): string | undefined {
  const h = report.history;
  if (!h?.overThreshold || h.delta?.costPct === undefined) return undefined;
  return `estimated cost ${formatPct(h.delta.costPct)} against the base branch's newest successful run (threshold ${h.thresholdPct}%)`;
}
