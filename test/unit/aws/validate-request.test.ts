import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { EMR_SERVERLESS_MODEL } from '../../../src/aws/emr-serverless-model.js';
import { cutAtCodePoint } from '../../../src/util/text.js';
import {
  compilePattern,
  formatPath,
  validateCreateApplication,
  validateStartJobRun,
} from '../../../src/aws/validate-request.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

function botocoreAvailable(): boolean {
  try {
    execFileSync('python3', ['-c', 'import botocore'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the committed EMR Serverless model', () => {
  const maybe = botocoreAvailable() ? it : it.skip;
  maybe('is exactly what scripts/extract-emr-model.mjs extracts from the installed botocore', () => {
    const fresh = JSON.parse(
      execFileSync(process.execPath, ['scripts/extract-emr-model.mjs', '--stdout'], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ) as unknown;
    // A drift means botocore changed: run `node scripts/extract-emr-model.mjs` and review the diff.
    expect(EMR_SERVERLESS_MODEL).toEqual(fresh);
  });

  it('holds the input shape of every operation the action sends, and every pattern compiles', () => {
    for (const op of ['StartJobRun', 'CreateApplication', 'StartApplication', 'GetJobRun', 'CancelJobRun']) {
      const shape = EMR_SERVERLESS_MODEL.operations[op];
      expect(EMR_SERVERLESS_MODEL.shapes[shape!]?.type).toBe('structure');
    }
    const patterns = Object.values(EMR_SERVERLESS_MODEL.shapes).flatMap((s) =>
      s.pattern ? [s.pattern] : [],
    );
    expect(patterns.length).toBeGreaterThan(10);
    for (const p of patterns) expect(() => compilePattern(p)).not.toThrow();
  });
});

describe('compilePattern', () => {
  it('anchors the pattern: a tag key with one non-ASCII letter is refused', () => {
    const tagKey = EMR_SERVERLESS_MODEL.shapes.TagKey!.pattern!;
    expect(compilePattern(tagKey).test('team')).toBe(true);
    expect(compilePattern(tagKey).test('équipe')).toBe(false);
  });

  it('reads `.` as Java does (no line terminators, no U+0085) but keeps `\\.` and `[.]` literal', () => {
    expect(compilePattern('.*\\S.*').test('a\nb')).toBe(false);
    expect(compilePattern('.+').test('a\u0085b')).toBe(false);
    expect(compilePattern('.*\\S.*').test('   ')).toBe(false);
    expect(compilePattern('.*\\S.*').test(' x ')).toBe(true);
    expect(compilePattern('a\\.b').test('axb')).toBe(false);
    expect(compilePattern('[.]+').test('..')).toBe(true);
    expect(compilePattern('[.]+').test('ab')).toBe(false);
  });
});

describe('cutAtCodePoint', () => {
  it('never splits a surrogate pair', () => {
    const s = 'a'.repeat(255) + '😀';
    expect(s.length).toBe(257);
    expect(cutAtCodePoint(s, 256)).toBe('a'.repeat(255));
    expect(cutAtCodePoint('ab😀', 4)).toBe('ab😀');
    expect(cutAtCodePoint('abc', 2)).toBe('ab');
  });
});

const good = {
  applicationId: '00abc123',
  clientToken: 'a'.repeat(64),
  executionRoleArn: 'arn:aws:iam::123456789012:role/hail-job',
  name: 'gwas',
  mode: 'BATCH',
  executionTimeoutMinutes: 120,
  jobDriver: {
    sparkSubmit: {
      entryPoint: 's3://b/p/scripts/aa/gwas.py',
      entryPointArguments: ['--chrom', '1'],
      sparkSubmitParameters: '--jars s3://b/j.jar',
    },
  },
  configurationOverrides: {
    applicationConfiguration: [{ classification: 'spark-defaults', properties: { 'spark.x': '1' } }],
    monitoringConfiguration: { s3MonitoringConfiguration: { logUri: 's3://b/p/logs/' } },
  },
  tags: { team: 'genomics' },
  retryPolicy: { maxAttempts: 3 },
};

function withChange(path: (string | number)[], value: unknown): object {
  const copy = structuredClone(good) as Record<string, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

const messages = (r: object) => validateStartJobRun(r).map((v) => `${formatPath(v.path)}: ${v.message}`);

describe('validateStartJobRun', () => {
  it('accepts a well-formed request', () => {
    expect(messages(good)).toEqual([]);
  });

  it.each([
    [['clientToken'], undefined, /^clientToken: is required$/],
    [['clientToken'], 'a'.repeat(65), /^clientToken: is 65 characters long \(at most 64\)$/],
    [['clientToken'], 'has space', /^clientToken: "has space" must match/],
    [['applicationId'], 'App', /^applicationId: "App" must match \[0-9a-z\]\+$/],
    [['name'], 'n'.repeat(257), /^name: is 257 characters long \(at most 256\)$/],
    [['name'], '   ', /^name: is empty or blank$/],
    [['name'], 'a\nb', /^name: "a\\nb" has a line break$/],
    [['mode'], 'batch', /^mode: "batch" is not one of BATCH, STREAMING$/],
    [['tags'], { équipe: 'x' }, /^tags\["équipe"\]: key "équipe" must match \[A-Za-z0-9 \/_.:=\+@-\]\+$/],
    [['tags'], { team: 'génomique' }, /^tags\["team"\]: "génomique" must match/],
    [['tags'], { 'aws:team': 'x' }, /^tags\["aws:team"\]: key "aws:team" uses the reserved aws: prefix$/],
    [
      ['tags'],
      Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
      /^tags: has 51 tags \(at most 50/,
    ],
    [
      ['jobDriver', 'sparkSubmit', 'entryPointArguments'],
      ['ok', ' '],
      /^jobDriver\.sparkSubmit\.entryPointArguments\[1\]: is empty or blank$/,
    ],
    [
      ['jobDriver', 'sparkSubmit', 'entryPointArguments'],
      Array(1025).fill('x'),
      /entryPointArguments: has 1025 entries \(at most 1024\)$/,
    ],
    [
      ['jobDriver', 'sparkSubmit', 'entryPoint'],
      undefined,
      /^jobDriver\.sparkSubmit\.entryPoint: is required$/,
    ],
    [['jobDriver'], {}, /^jobDriver: must set exactly one of sparkSubmit, hive$/],
    [
      ['configurationOverrides', 'applicationConfiguration', 0, 'properties'],
      { 'spark.x': '' },
      /^configurationOverrides\.applicationConfiguration\[0\]\.properties\["spark\.x"\]: is empty or blank$/,
    ],
    [
      ['configurationOverrides', 'applicationConfiguration', 0, 'properties'],
      { 'spark.x': 'v'.repeat(1025) },
      /properties\["spark\.x"\]: is 1025 characters long \(at most 1024\)$/,
    ],
    [
      ['configurationOverrides', 'applicationConfiguration', 0, 'properties'],
      Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`spark.p${i}`, 'v'])),
      /applicationConfiguration\[0\]\.properties: has 101 entries \(at most 100\)$/,
    ],
    [
      ['executionTimeoutMinutes'],
      0,
      /^executionTimeoutMinutes: is 0; a BATCH job run takes 1\.\.10080 minutes$/,
    ],
    [['executionTimeoutMinutes'], 10081, /^executionTimeoutMinutes: is 10081; a BATCH job run takes/],
    [['executionTimeoutMinutes'], 1.5, /^executionTimeoutMinutes: must be a whole number$/],
    [['retryPolicy', 'maxAttempts'], 0, /^retryPolicy\.maxAttempts: is 0, outside 1\.\./],
    [
      ['retryPolicy', 'maxAttempts'],
      11,
      /^retryPolicy\.maxAttempts: is 11; a BATCH job run takes at most 10 attempts$/,
    ],
    [['surprise'], 'x', /^surprise: is not a member of this request$/],
  ])('refuses %j = %j', (path, value, expected) => {
    const found = messages(withChange(path, value));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it('returns every violation, not only the first', () => {
    const bad = withChange(['tags'], { é: 'x', ok: 'ü' });
    (bad as Record<string, unknown>).name = '';
    expect(messages(bad)).toHaveLength(3);
  });
});

describe('validateCreateApplication', () => {
  const app = {
    name: 'hail',
    releaseLabel: 'emr-7.5.0',
    type: 'SPARK',
    clientToken: 'tok',
    architecture: 'X86_64',
  };
  it('accepts the request the action sends', () => {
    expect(validateCreateApplication({ ...app, tags: { 'created-by': 'hail-emr-serverless' } })).toEqual([]);
  });
  it('refuses a bad architecture and a non-ASCII tag value', () => {
    const v = validateCreateApplication({ ...app, architecture: 'arm', tags: { k: 'ø' } }).map((x) =>
      formatPath(x.path),
    );
    expect(v.sort()).toEqual(['architecture', 'tags["k"]']);
  });
});
