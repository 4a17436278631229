import * as core from '@actions/core';
import type { HailArtifacts } from './artifacts.js';
import { Output } from './constants.js';
import type { Config } from './inputs.js';
import { estimateCost } from './report/cost.js';
import type { JobReport } from './report/model.js';
import { actionLog as log } from './log.js';

export function setArtifactOutputs(a: HailArtifacts): void {
  core.setOutput(Output.HailJarUri, a.jarUri);
  core.setOutput(Output.HailEnvArchiveUri, a.envArchiveUri);
  core.setOutput(Output.HailArtifactsSource, a.source);
  log.info(`Hail artifacts (${a.source}): ${a.jarUri}, ${a.envArchiveUri}`);
}

/** The outputs later steps read once the job run has ended. */
export function setFinalOutputs(report: JobReport, config: Config): void {
  core.setOutput(Output.State, report.state);
  core.setOutput(Output.StateDetails, report.stateDetails ?? '');
  core.setOutput(Output.OutputUri, config.outputUri ?? '');
  if (report.result) core.setOutput(Output.Result, JSON.stringify(report.result));
  if (report.timings.totalExecutionSeconds !== undefined) {
    core.setOutput(Output.DurationSeconds, String(report.timings.totalExecutionSeconds));
  }
  if (report.billedResourceUtilization) {
    const cost = estimateCost(
      report.billedResourceUtilization,
      report.region,
      report.architecture ?? 'X86_64',
    );
    core.setOutput(Output.EstimatedCostUsd, cost.usd.toFixed(4));
  }
}
