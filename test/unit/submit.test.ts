// submit() on typed fakes: the script is placed under its content hash (no upload when already
// there), the job run is started once with a stable client token, and the post step's state is
// saved as soon as it exists; a cancelled workflow submits nothing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as core from '@actions/core';
import type { ApplicationInfo } from '../../src/application.js';
import { requireCompatible } from '../../src/compatibility.js';
import { readRunContext } from '../../src/github-context.js';
import { readInputs } from '../../src/inputs.js';
import { submit } from '../../src/submit.js';
import { parseFileCommands } from '../fixtures/action-runner.mjs';
import { setRunnerEnv, type RunnerFiles } from './fakes/runner-env.js';
import { fakeEmr, fakeS3, sdkError } from './fakes/aws.js';

const SCRIPT = 'import hail as hl\nprint("gwas")\n';
const SCRIPT_SHA = createHash('sha256').update(SCRIPT).digest('hex');
const app: ApplicationInfo = {
  applicationId: 'app1',
  releaseLabel: 'emr-7.5.0',
  architecture: 'X86_64',
  created: false,
  state: 'STARTED',
  autoStart: true,
};
let files: RunnerFiles;

beforeEach(() => {
  files = setRunnerEnv(SCRIPT, {
    GITHUB_RUN_ID: '99',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'hail',
    GITHUB_ACTION: 'run',
  });
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

function s3WithScript() {
  return fakeS3({
    HeadObjectCommand: (input) => {
      if (String(input.Key).endsWith(`/${SCRIPT_SHA}/job.py`))
        return { ContentLength: SCRIPT.length, Metadata: {} };
      throw sdkError('NotFound', 404);
    },
  });
}

async function submitOnce(signal = new AbortController().signal) {
  const emr = fakeEmr({ StartJobRunCommand: () => ({ applicationId: 'app1', jobRunId: 'run7' }) });
  const s3 = s3WithScript();
  const config = readInputs((name) => core.getInput(name));
  const compat = requireCompatible(config.hailVersion, app.releaseLabel, app.architecture);
  const out = await submit({ emr, s3, region: 'us-east-1' }, config, readRunContext(), app, compat, signal);
  return { out, emr, s3 };
}

describe('submit', () => {
  it('places the script under its hash without re-uploading it, and starts the job run once', async () => {
    const { out, emr, s3 } = await submitOnce();
    expect(s3.sent()).toEqual(['HeadObjectCommand']); // already there: no PUT
    expect(emr.sent()).toEqual(['StartJobRunCommand']);
    const request = emr.calls[0]!.input as {
      clientToken: string;
      jobDriver: { sparkSubmit: { entryPoint: string } };
      executionRoleArn: string;
    };
    expect(request.jobDriver.sparkSubmit.entryPoint).toBe(`s3://bkt/ci/scripts/${SCRIPT_SHA}/job.py`);
    expect(request.executionRoleArn).toBe('arn:aws:iam::123456789012:role/hail-job');
    expect(out).toMatchObject({
      jobRunId: 'run7',
      state: 'SUBMITTED',
      logPrefix: 's3://bkt/ci/logs/applications/app1/jobs/run7/',
    });
    // The post step can cancel this job run from now on.
    expect(parseFileCommands(readFileSync(files.state, 'utf8'))).toMatchObject({
      'job-run-id': 'run7',
      'application-id': 'app1',
      'cancel-on-abort': 'true',
    });
    expect(parseFileCommands(readFileSync(files.output, 'utf8'))['job-run-id']).toBe('run7');
  });

  it('the same inputs in the same step attempt give the same client token (one job run however often retried)', async () => {
    const first = (await submitOnce()).emr.calls[0]!.input.clientToken;
    const second = (await submitOnce()).emr.calls[0]!.input.clientToken;
    expect(typeof first).toBe('string');
    expect(second).toBe(first);
    process.env.GITHUB_RUN_ATTEMPT = '2'; // a re-run of the workflow is a new request
    expect((await submitOnce()).emr.calls[0]!.input.clientToken).not.toBe(first);
  });

  it('submits nothing once the workflow is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(submitOnce(controller.signal)).rejects.toThrow(
      'the workflow was cancelled before the job run was submitted',
    );
  });
});
