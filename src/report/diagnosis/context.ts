// Joins a finished run's report with what the inputs say (role, prefixes, time limit), so a fix can
// name the user's own bucket, prefix and job runtime role.

import { formatS3Uri } from '../../aws/s3-uri.js';
import type { Config } from '../../inputs.js';
import type { JobReport } from '../model.js';
import { diagnose } from './match.js';
import type { DiagnosisContext } from './model.js';

export function diagnosisContext(config: Config, report: JobReport): DiagnosisContext {
  return {
    executionRoleArn: config.executionRoleArn,
    s3Prefix: formatS3Uri(config.s3Prefix).replace(/\/+$/, ''),
    outputUri: config.outputUri,
    scriptUri: report.scriptUri,
    releaseLabel: report.releaseLabel,
    hailVersion: report.hailVersion ?? config.hailVersion,
    applicationId: report.applicationId,
    timeoutMinutes: config.timeoutMinutes,
    sparkConf: Object.fromEntries(config.sparkConf),
  };
}

/** The report with its diagnosis (undefined when the run succeeded or no known cause matched). */
export function withDiagnosis(report: JobReport, config: Config): JobReport {
  return { ...report, diagnosis: diagnose(report, diagnosisContext(config, report)) };
}
