// Checks the requests the action will send against EMR Serverless's own model and documented
// rules, and names the input behind each violation, so a request the service would refuse is
// refused before the first upload (and before a Hail build).
import type { CreateApplicationCommandInput, StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import {
  formatPath,
  validateCreateApplication,
  validateStartJobRun,
  type PathPart,
  type Violation,
} from './aws/validate-request.js';
import { Input } from './constants.js';
import type { RunContext } from './github-context.js';
import { applicationRequestFor, plannedJobRequest } from './job-request.js';
import { OUTPUT_URI_PROPERTY, TMP_DIR_PROPERTY } from './hail/spark-submit.js';
import { InputErrors, type Config } from './inputs.js';
import { InputError } from './util/errors.js';
import { plannedReleaseLabel } from './compatibility.js';
import { showValue } from './util/text.js';

/**
 * Every request this config will send (StartJobRun, and CreateApplication in application-name
 * mode), planned and checked before the first upload or AWS call (reading a given s3:// jar included).
 */
export function requireValidRequests(config: Config, ctx: RunContext): void {
  if (config.jobRunId) return; // re-attaching sends neither
  const problems = jobRunProblems(plannedJobRequest(config, ctx), config);
  if (config.applicationName) {
    const releaseLabel = config.releaseLabel ?? plannedReleaseLabel(config.hailVersion);
    problems.push(...applicationProblems(applicationRequestFor(config, ctx, undefined, releaseLabel)));
  }
  throwAll(problems);
}

/** Throws, naming the input behind each reason the service would refuse this request. */
export function requireValidJobRequest(request: StartJobRunCommandInput, config: Config): void {
  throwAll(jobRunProblems(request, config));
}

function jobRunProblems(request: StartJobRunCommandInput, config: Config): Error[] {
  return validateStartJobRun(request).map((v) => jobRunProblem(v, config));
}

function applicationProblems(request: CreateApplicationCommandInput): Error[] {
  return validateCreateApplication(request).map(applicationProblem);
}

/** InputErrors when every problem has an input to name; else the action itself is at fault. */
function throwAll(problems: Error[]): void {
  const unique = [...new Map(problems.map((p) => [p.message, p])).values()];
  if (unique.length === 0) return;
  if (unique.every((p) => p instanceof InputError)) throw new InputErrors(unique as InputError[]);
  throw new Error(unique.map((p) => p.message).join('\n'));
}

const mapKey = (p: PathPart | undefined) => (typeof p === 'object' ? p.mapKey : undefined);

/** A violation said in terms of the input it came from. */
function jobRunProblem(v: Violation, config: Config): Error {
  const [first, second, third] = v.path;
  const at = (input: Input, text: string) => new InputError(input, text);
  switch (first) {
    case 'applicationId':
      return at(Input.ApplicationId, v.message);
    case 'executionRoleArn':
      return at(Input.ExecutionRoleArn, v.message);
    case 'name':
      return at(Input.Name, config.name ? v.message : `the default job run name ${v.message}: set name`);
    case 'executionTimeoutMinutes':
      return at(Input.TimeoutMinutes, v.message);
    case 'retryPolicy':
      return at(Input.RetryMaxAttempts, v.message);
    case 'tags':
      return tagProblem(v, Input.Tags, config.tags);
    case 'jobDriver':
      return sparkSubmitProblem(v);
    case 'configurationOverrides':
      if (second === 'applicationConfiguration') return propertyProblem(v, config);
      if (third === 'cloudWatchLoggingConfiguration') return at(Input.CloudWatchLogGroup, v.message);
      if (third === 's3MonitoringConfiguration') return at(Input.S3Prefix, `the log URI ${v.message}`);
  }
  return internal(v);
}

function sparkSubmitProblem(v: Violation): Error {
  const [, , member, index] = v.path;
  if (member === 'entryPoint') return new InputError(Input.Script, `its S3 URI ${v.message}`);
  if (member === 'entryPointArguments') {
    if (typeof index === 'number')
      return new InputError(Input.ScriptArgs, `argument ${index + 1} ${v.message}`);
    return new InputError(Input.ScriptArgs, v.message.replace('entries', 'arguments'));
  }
  if (member === 'sparkSubmitParameters') {
    return new InputError(
      Input.PyFiles,
      `the spark-submit parameters (jar, archive and py-files URIs) ${v.message}`,
    );
  }
  return internal(v);
}

/** spark-defaults: the user's spark-conf, plus what the action sets from s3-prefix and output-uri. */
function propertyProblem(v: Violation, config: Config): Error {
  const key = mapKey(v.path[4]);
  if (key === undefined) {
    if (v.path[3] === 'properties') {
      const n = config.sparkConf.length;
      return new InputError(
        Input.SparkConf,
        `${v.message.replace('entries', 'properties')} in spark-defaults once the action's own are added ` +
          `(${n} from spark-conf): set fewer`,
      );
    }
    return internal(v);
  }
  if (config.sparkConf.some(([k]) => k === key))
    return new InputError(Input.SparkConf, `"${key}" ${v.message}`);
  if (key === OUTPUT_URI_PROPERTY) return new InputError(Input.OutputUri, `as ${key}, ${v.message}`);
  if (key === TMP_DIR_PROPERTY) return new InputError(Input.S3Prefix, `its tmp dir, as ${key}, ${v.message}`);
  return internal(v);
}

function tagProblem(v: Violation, input: Input, userTags: Readonly<Record<string, string>>): InputError {
  const key = mapKey(v.path[1]);
  const whose = key !== undefined && !(key in userTags) ? ' (a tag the action adds)' : '';
  if (key === undefined) return new InputError(input, v.message);
  if (v.message.startsWith('key ')) return new InputError(input, `tag ${v.message}${whose}`);
  return new InputError(input, `tag value for ${showValue(key)}: ${v.message}${whose}`);
}

function applicationProblem(v: Violation): Error {
  if (v.path[0] === 'name') return new InputError(Input.ApplicationName, v.message);
  if (v.path[0] === 'releaseLabel') return new InputError(Input.ReleaseLabel, v.message);
  if (v.path[0] === 'tags') return tagProblem(v, Input.ApplicationName, {});
  return internal(v);
}

/** A violation no input explains: the action built a bad request. */
function internal(v: Violation): Error {
  return new Error(`internal: the request's ${formatPath(v.path)} ${v.message}; please report this`);
}
