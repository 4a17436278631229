// `check-only` reads only what the checks need: no AWS input is required, bad ones are named.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InputErrors, isCheckOnly, readCheckOnlyInputs } from '../../../src/inputs.js';

const ws = mkdtempSync(join(tmpdir(), 'check-only-'));
mkdirSync(join(ws, 'jobs'));
writeFileSync(join(ws, 'jobs/gwas.py'), 'print(1)\n');
writeFileSync(join(ws, 'jobs/util.py'), '');
const env = { GITHUB_WORKSPACE: ws };
const getter = (inputs: Record<string, string>) => (n: string) => inputs[n] ?? '';

describe('check-only inputs', () => {
  it('isCheckOnly parses the boolean and names the input when it is not one', () => {
    expect(isCheckOnly(getter({}))).toBe(false);
    expect(isCheckOnly(getter({ 'check-only': 'true' }))).toBe(true);
    expect(() => isCheckOnly(getter({ 'check-only': 'yes please' }))).toThrow(/input `check-only`/);
  });

  it('needs only the script: no s3-prefix, role, application or region', () => {
    const c = readCheckOnlyInputs(getter({ script: 'jobs/gwas.py', 'py-files': 'jobs/util.py' }), env);
    expect(c.script.relPath).toBe('jobs/gwas.py');
    expect(c.pyFiles.map((f) => f.relPath)).toEqual(['jobs/util.py']);
    expect(c.outputUri).toBeUndefined();
    expect(
      readCheckOnlyInputs(getter({ script: 'jobs/gwas.py', 'output-uri': 's3://genomics-out/run/' }), env)
        .outputUri,
    ).toBe('s3://genomics-out/run');
  });

  it('reports every bad input at once, each by name', () => {
    let caught: unknown;
    try {
      readCheckOnlyInputs(
        getter({ script: 'jobs/missing.py', 'py-files': 'notes.txt', 'output-uri': 'gs://x' }),
        env,
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputErrors);
    expect((caught as InputErrors).problems.map((p) => p.message)).toEqual([
      'input `script`: "jobs/missing.py" does not exist in the workspace',
      'input `py-files`: "notes.txt" is not a .py, .zip or .egg file',
      expect.stringMatching(/^input `output-uri`: /),
    ]);
    expect(() => readCheckOnlyInputs(getter({}), env)).toThrow('input `script`: is required');
  });
});
