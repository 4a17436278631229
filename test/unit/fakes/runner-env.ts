// The runner's side of a step for in-process tests of src/: the action's inputs as INPUT_* (with
// action.yml's defaults), a workspace holding job.py, and the file commands' files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputEnv } from '../../fixtures/action-runner.mjs';

export interface RunnerFiles {
  output: string;
  state: string;
  summary: string;
  workspace: string;
}

/** Sets process.env for one step that runs `script` as job.py; `env` adds or overrides variables. */
export function setRunnerEnv(script: string, env: Record<string, string>): RunnerFiles {
  const dir = mkdtempSync(join(tmpdir(), 'step-'));
  const files = { output: join(dir, 'output'), state: join(dir, 'state'), summary: join(dir, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const workspace = mkdtempSync(join(tmpdir(), 'ws-'));
  writeFileSync(join(workspace, 'job.py'), script);
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
  Object.assign(process.env, {
    ...inputEnv({
      script: 'job.py',
      's3-prefix': 's3://bkt/ci',
      'execution-role-arn': 'arn:aws:iam::123456789012:role/hail-job',
      'application-id': 'app1',
      'hail-jar': 's3://bkt/a/hail-all-spark.jar',
      'hail-env-archive': 's3://bkt/a/pyspark_hail.tar.gz',
      'aws-region': 'us-east-1',
    }),
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: 'lab/gwas',
    ...env,
  });
  return { ...files, workspace };
}
