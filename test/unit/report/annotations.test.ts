import { describe, expect, it } from '@jest/globals';
import { scriptAnnotation } from '../../../src/report/annotations.js';
import { extractFailureExcerpt } from '../../../src/report/excerpt.js';
import { logLines } from './sample-logs.js';

const excerpt = (name: string) => extractFailureExcerpt(logLines(name), 'stderr');
const scripts = [
  { remoteBasename: 'gwas.py', workspacePath: 'analysis/gwas.py' },
  { remoteBasename: 'qc.py', workspacePath: 'analysis/lib/qc.py' },
];

describe('scriptAnnotation', () => {
  it("points at the innermost frame in the user's script", () => {
    expect(scriptAnnotation(excerpt('python-valueerror.stderr.txt'), scripts)).toEqual({
      file: 'analysis/gwas.py',
      line: 19,
      title: 'Hail job failed in load_phenotypes()',
      message:
        "ValueError: phenotype column 'height' not found in s3://hail-ci-data/pheno/ukb_subset.tsv (columns: s, sex, age, bmi)",
    });
  });

  it('skips frames in Hail and py4j code', () => {
    const a = scriptAnnotation(excerpt('hail-spark-mismatch.stderr.txt'), scripts);
    expect(a).toMatchObject({ file: 'analysis/gwas.py', line: 12, title: 'Hail job failed' });
    expect(a?.message).toMatch(/^hail\.utils\.java\.FatalError: HailException: This Hail JAR/);
  });

  it('uses the last traceback of a chain, and any uploaded script (py-files too)', () => {
    const chained = excerpt('python-chained.stderr.txt');
    expect(scriptAnnotation(chained, scripts)).toMatchObject({ file: 'analysis/gwas.py', line: 58 });
    expect(scriptAnnotation(chained, [scripts[1]!])).toMatchObject({
      file: 'analysis/lib/qc.py',
      line: 29,
      title: 'Hail job failed in sample_qc_thresholds()',
    });
  });

  it('matches remote paths of any shape by basename', () => {
    const f = { kind: 'python-traceback' as const, headline: 'E', lines: [], source: 'stderr' as const };
    for (const file of ['/home/hadoop/gwas.py', 'gwas.py', 'C:\\work\\gwas.py']) {
      expect(scriptAnnotation({ ...f, frames: [{ file, line: 3 }] }, scripts)?.line).toBe(3);
    }
    expect(
      scriptAnnotation({ ...f, frames: [{ file: '/x/gwas.py', line: 3 }] }, [
        { remoteBasename: 's3://b/scripts/abc/gwas.py', workspacePath: 'gwas.py' },
      ]),
    ).toMatchObject({ file: 'gwas.py', line: 3 });
  });

  it('gives nothing without a matching frame', () => {
    expect(scriptAnnotation(excerpt('java-oom.stderr.txt'), scripts)).toBeUndefined();
    expect(scriptAnnotation(undefined, scripts)).toBeUndefined();
    expect(scriptAnnotation(excerpt('python-valueerror.stderr.txt'), [])).toBeUndefined();
    expect(
      scriptAnnotation(excerpt('python-valueerror.stderr.txt'), [
        { remoteBasename: 'other.py', workspacePath: 'o.py' },
      ]),
    ).toBeUndefined();
  });
});
