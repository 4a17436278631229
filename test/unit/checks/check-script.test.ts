// The pre-submit checks on a script full of mistakes (test/data/scripts/mistakes.py): each finding
// on the exact line, with its fix; an error only where the run is certain to fail.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { checkScript, missingInit, type Finding } from '../../../src/checks/check-script.js';
import { pythonLines } from '../../../src/checks/python-lines.js';

const DATA = new URL('../../data/scripts/', import.meta.url);
const MISTAKES = readFileSync(new URL('mistakes.py', DATA), 'utf8');
const lineOf = (text: string): number => MISTAKES.split('\n').findIndex((l) => l.includes(text)) + 1;
const at = (findings: Finding[], rule: string): number[] =>
  findings.filter((f) => f.rule === rule).map((f) => f.line);

describe('checkScript on mistakes.py', () => {
  const findings = checkScript(MISTAKES, 'jobs/mistakes.py', { outputUriGiven: false });

  it('finds each mistake on its line', () => {
    expect(at(findings, 'hail-kryo-overridden')).toEqual([
      lineOf('JavaSerializer'),
      lineOf('my.Registrator'),
    ]);
    expect(at(findings, 'hail-tmp-dir')).toEqual([lineOf('tmp_dir="/tmp/hail"')]);
    expect(at(findings, 'spark-setting-overrides-action')).toEqual([lineOf('spark.driver.extraClassPath')]);
    expect(at(findings, 'output-uri-not-set')).toEqual([lineOf('out = os.environ["HAIL_OUTPUT_URI"]')]);
    expect(at(findings, 'env-local-default')).toEqual([lineOf('os.getenv("HAIL_TMP_DIR", "/tmp")')]);
    expect(at(findings, 'env-misspelled')).toEqual([lineOf('HAIL_TMPDIR')]);
    expect(at(findings, 'env-shell-syntax')).toEqual([lineOf('$HAIL_OUTPUT_URI/log.txt')]);
    expect(at(findings, 'gs-path')).toEqual([lineOf('gs://my-lab-cohorts')]);
    expect(at(findings, 'gs-public-dataset')).toEqual([lineOf('gs://gcp-public-data--gnomad')]);
    expect(at(findings, 's3a-path')).toEqual([lineOf('s3a://hail-ci-data')]);
    expect(at(findings, 'hdfs-path')).toEqual([lineOf('hdfs:///user')]);
    expect(at(findings, 'spark-master-local')).toEqual([lineOf('local[4]'), lineOf('master="local[*]"')]);
  });

  it("ignores comments, docstrings and Hail's own Kryo values", () => {
    expect(findings.some((f) => f.message.includes('not-a-finding'))).toBe(false);
    expect(findings.some((f) => f.line === lineOf("Hail's own: fine"))).toBe(false);
  });

  it('says the fix', () => {
    const message = (rule: string) => findings.find((f) => f.rule === rule)!.message;
    expect(message('s3a-path')).toContain('write `s3://hail-ci-data/sites.vcf.bgz`');
    expect(message('gs-public-dataset')).toContain('`s3://gnomad-public-us-east-1/release/4.1/ht/exomes/');
    expect(message('hail-tmp-dir')).toContain('tmp_dir=os.environ["HAIL_TMP_DIR"]');
    expect(message('env-misspelled')).toBe('The action sets `HAIL_TMP_DIR`, not `HAIL_TMPDIR`.');
    expect(message('output-uri-not-set')).toContain('Set `output-uri`');
  });

  it('is an error only where the run is certain to fail: module level, literal values', () => {
    const errors = findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}@${f.line}`);
    expect(errors).toEqual([`hail-kryo-overridden@${lineOf('JavaSerializer')}`]);
    // Without output-uri, HAIL_OUTPUT_URI may still come from spark-conf or an image: a warning.
    expect(findings.find((f) => f.rule === 'output-uri-not-set')!.severity).toBe('warning');
    // Inside def main(): it may never run, so only a warning.
    expect(findings.find((f) => f.line === lineOf('my.Registrator'))!.severity).toBe('warning');
  });

  it('knows HAIL_OUTPUT_URI is set when output-uri is given, and only warns when that is unknown', () => {
    const given = checkScript(MISTAKES, 'm.py', { outputUriGiven: true });
    expect(at(given, 'output-uri-not-set')).toEqual([]);
    const unknown = checkScript(MISTAKES, 'm.py', {});
    expect(unknown.find((f) => f.rule === 'output-uri-not-set')!.severity).toBe('warning');
  });

  it('hl.init without tmp_dir is a warning on the call; with **kwargs it cannot tell', () => {
    expect(
      at(checkScript('import hail as hl\nhl.init(default_reference="GRCh38")\n', 'a.py'), 'hail-tmp-dir'),
    ).toEqual([2]);
    expect(checkScript('hl.init(**settings)\n', 'a.py')).toEqual([]);
    expect(checkScript('hl.init(tmp_dir=os.environ["HAIL_TMP_DIR"])\n', 'a.py')).toEqual([]);
  });
});

describe('the examples shipped with the action pass the checks', () => {
  const dir = new URL('../../../examples/', import.meta.url);
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.py'))) {
    it(name, () => {
      expect(checkScript(readFileSync(new URL(name, dir), 'utf8'), name, { outputUriGiven: true })).toEqual(
        [],
      );
    });
  }
});

describe('missingInit', () => {
  const files = (...texts: string[]) =>
    texts.map((text, i) => ({ text, file: i === 0 ? 'main.py' : `lib${i}.py` }));

  it("warns on the entry point's import when no file calls init", () => {
    const f = missingInit(files('import os\nimport hail as hl\nmt = hl.balding_nichols_model(3, 10, 10)\n'))!;
    expect([f.file, f.line, f.severity, f.rule]).toEqual(['main.py', 2, 'warning', 'hail-init-missing']);
    expect(f.message).toContain('hl.init(tmp_dir=os.environ["HAIL_TMP_DIR"])');
  });

  it('accepts init under an alias, from hail import init, or in a py-files module', () => {
    expect(missingInit(files('import hail as h\nh.init(tmp_dir=t)\n'))).toBeUndefined();
    expect(missingInit(files('from hail import init\ninit(tmp_dir=t)\n'))).toBeUndefined();
    expect(
      missingInit(files('import hail as hl\nimport setup\n', 'import hail as hl\nhl.init(tmp_dir=t)\n')),
    ).toBeUndefined();
    expect(missingInit(files('print("no hail here")\n'))).toBeUndefined();
    // A comment is not a call.
    expect(missingInit(files('import hail as hl\n# hl.init(tmp_dir=t)\n'))).toBeDefined();
  });
});

describe('pythonLines', () => {
  it('keeps one-line strings, drops comments and docstring text, and tracks the statement indent', () => {
    const lines = pythonLines('x = "a # b"  # c\n"""doc\ngs://x\n"""\ndef f(\n  a,\n):\n    y = 1\n');
    expect(lines.map((l) => l.code)).toEqual([
      'x = "a # b"  ',
      '"""',
      '',
      '"""',
      'def f(',
      '  a,',
      '):',
      '    y = 1',
      '',
    ]);
    expect(lines.map((l) => l.stmtIndent)).toEqual([0, 0, 0, 0, 0, 0, 0, 4, 4]);
  });
});
