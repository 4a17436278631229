// The README's two commands set up the local stack's Python themselves: on a machine whose python3
// lacks moto (or that has no python3) they end with one sentence saying what to run, never a stack
// trace; with this image's Python they find its moto. The set-up step of each command is run here
// with PATH limited to what a fresh machine would have.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';

jest.setTimeout(120_000);

const ROOT = new URL('../../../', import.meta.url).pathname;
const DEBIAN_PYTHON = '/usr/bin/python3'; // the OS's Python: no moto, but pip

/** A bin directory holding only node, bash, dirname and (optionally) a python3. */
function freshPath(python?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fresh-bin-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  for (const tool of ['bash', 'dirname']) {
    const found = ['/usr/bin', '/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
    if (found) symlinkSync(found, join(dir, tool));
  }
  if (python) symlinkSync(python, join(dir, 'python3'));
  return dir;
}

function runIn(cmd: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 100_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout, error: r.error };
}

function expectOneClearSentence(out: string, pattern: RegExp) {
  const lines = out.split('\n').filter((l) => l.startsWith('Local stack set-up failed:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(out).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack frame
  expect(out).not.toMatch(/Traceback|Error: could not start moto/);
}

const commands: [string, string, string[]][] = [
  ['npm test (scripts/test-all.sh)', 'bash', ['scripts/test-all.sh']],
  ['npm run demo (scripts/demo.mjs)', process.execPath, ['scripts/demo.mjs']],
];

describe('local stack set-up on a fresh machine', () => {
  it.each(commands)('%s: no python3 at all -> one sentence naming what to install', (_name, cmd, args) => {
    const bin = freshPath();
    const venv = join(mkdtempSync(join(tmpdir(), 'venv-')), 'venv');
    const r = runIn(cmd, args, { PATH: bin, HOME: tmpdir(), LOCAL_STACK_VENV: venv });
    expect(r.error).toBeUndefined();
    expect(r.code).not.toBe(0);
    expectOneClearSentence(r.out, /python3 was not found on PATH.*apt-get install python3 python3-venv/);
    expect(r.out).not.toMatch(/== type-check ==/); // set-up comes first: nothing else ran
  });

  it.each(commands)(
    '%s: a python3 without moto whose install fails -> one sentence with the command to run',
    (_name, cmd, args) => {
      expect(spawnSync(DEBIAN_PYTHON, ['-c', 'import moto']).status).not.toBe(0); // really lacks moto
      const bin = freshPath(DEBIAN_PYTHON);
      const venv = join(mkdtempSync(join(tmpdir(), 'venv-')), 'venv');
      // No package index here: pip fails at once (as it would, more slowly, offline).
      const r = runIn(cmd, args, { PATH: bin, HOME: tmpdir(), LOCAL_STACK_VENV: venv, PIP_NO_INDEX: '1' });
      expect(r.code).not.toBe(0);
      expectOneClearSentence(
        r.out,
        /could not install moto\[server\]==5\.2\.1 .*run `.*venv\/bin\/python -m pip install 'moto\[server\]==5\.2\.1'`/,
      );
      expect(existsSync(join(venv, 'bin', 'python'))).toBe(true); // the environment is kept for next time
    },
  );

  it("with this image's python3 (moto 5.2.1 preinstalled) it creates the environment once and reuses it", () => {
    const venv = join(mkdtempSync(join(tmpdir(), 'venv-')), 'venv');
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOCAL_STACK_VENV: venv };
    const first = runIn(process.execPath, ['scripts/local-python.mjs'], env);
    expect(first.out).toMatch(/Creating .*venv/);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(join(venv, 'bin', 'python'));
    const moto = spawnSync(first.stdout.trim(), ['-c', 'import moto.server; print(moto.__version__)'], {
      encoding: 'utf8',
    });
    expect(moto.stdout.trim()).toBe('5.2.1');
    const second = runIn(process.execPath, ['scripts/local-python.mjs'], env);
    expect(second.code).toBe(0);
    expect(second.out).not.toMatch(/Creating|Installing/);
    expect(second.stdout.trim()).toBe(first.stdout.trim());
  });
});
