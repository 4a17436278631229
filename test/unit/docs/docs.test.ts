// scripts/docs.mjs keeps the README's generated blocks equal to their sources: `--check` passes
// on the repository, and fails, saying what to do, on a README or action.yml that disagree.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts/docs.mjs');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const ACTION = readFileSync(join(ROOT, 'action.yml'), 'utf8');
const SLOW = 60_000; // each run starts node and transpiles the compatibility module

const scratch = mkdtempSync(join(tmpdir(), 'hes-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
function copy(name: string, text: string): string {
  const path = join(scratch, `${copies++}-${name}`);
  writeFileSync(path, text);
  return path;
}

function docs(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', timeout: SLOW });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('scripts/docs.mjs --check', () => {
  it(
    'passes on the repository: README.md agrees with action.yml',
    () => {
      const r = docs('--check');
      expect(r.output).toMatch(/up to date/);
      expect(r.status).toBe(0);
    },
    SLOW,
  );

  it(
    'fails on a README whose inputs table was edited by hand, naming the block and the fix',
    () => {
      const row = '| `script` | yes |';
      expect(README).toContain(row);
      const readme = copy('README.md', README.replace(row, '| `script` | no |'));
      const r = docs('--check', '--readme', readme);
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/out of date/);
      expect(r.output).toMatch(/the inputs block differs/);
      expect(r.output).toContain('| `script` | no |');
      expect(r.output).toMatch(/npm run docs/);
    },
    SLOW,
  );

  it(
    'fails when action.yml gains an input the README does not list',
    () => {
      const extra = ACTION.replace(
        /^inputs:\n/m,
        "inputs:\n  brand-new:\n    description: An input nobody documented.\n    required: false\n    default: ''\n",
      );
      const action = copy('action.yml', extra);
      const r = docs('--check', '--action', action);
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/the inputs block differs/);
      expect(r.output).toContain('`brand-new`');
    },
    SLOW,
  );

  it(
    'fails when an output changes, naming the outputs block',
    () => {
      const renamed = ACTION.replace(/(\noutputs:\n {2}job-run-id:\n {4}description: )[^\n]+/, '$1Renamed.');
      expect(renamed).not.toBe(ACTION);
      const action = copy('action.yml', renamed);
      const r = docs('--check', '--action', action);
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/the outputs block differs/);
    },
    SLOW,
  );

  it(
    'regenerates a tampered README back to the committed one',
    () => {
      const readme = copy('README.md', README.replace('| `script` | yes |', '| `script` | no |'));
      expect(docs('--readme', readme).status).toBe(0);
      expect(readFileSync(readme, 'utf8')).toBe(README);
      expect(docs('--check', '--readme', readme).status).toBe(0);
    },
    SLOW,
  );

  it(
    'refuses a README without the generated blocks, and an input without a description',
    () => {
      const bare = docs('--check', '--readme', copy('README.md', '# A README without markers\n'));
      expect(bare.status).toBe(1);
      expect(bare.output).toMatch(/has no <!-- inputs:start -->/);

      const undocumented = ACTION.replace(/(\n {2}script:\n) {4}description: [^\n]+\n/, '$1');
      const r = docs('--check', '--action', copy('action.yml', undocumented));
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/inputs\.script has no description/);
    },
    SLOW,
  );
});
