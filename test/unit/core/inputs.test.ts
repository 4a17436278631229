import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InputErrors, readInputs } from '../../../src/inputs.js';

const ws = mkdtempSync(join(tmpdir(), 'inputs-'));
mkdirSync(join(ws, 'jobs'));
writeFileSync(join(ws, 'jobs/gwas.py'), 'print(1)\n');
writeFileSync(join(ws, 'jobs/util.py'), '');
mkdirSync(join(ws, 'lib'));
writeFileSync(join(ws, 'lib/gwas.py'), '');
writeFileSync(join(ws, 'hail-all-spark.jar'), 'jar');
writeFileSync(join(ws, 'env.tar.gz'), 'tgz');
// Links: out of the workspace (refused, whatever they point at) and within it (allowed).
const outside = mkdtempSync(join(tmpdir(), 'inputs-outside-'));
writeFileSync(join(outside, 'secret.py'), 'AWS_SECRET_ACCESS_KEY=x\n');
symlinkSync(join(outside, 'secret.py'), join(ws, 'jobs/linked-out.py'));
symlinkSync(outside, join(ws, 'outdir'));
symlinkSync('util.py', join(ws, 'jobs/alias.py'));
symlinkSync('missing.py', join(ws, 'jobs/dangling.py'));

const good: Record<string, string> = {
  script: 'jobs/gwas.py',
  's3-prefix': 's3://genomics-bucket/ci',
  'execution-role-arn': 'arn:aws:iam::123456789012:role/hail-job',
  'application-id': '00fabc123def4567',
  'hail-version': '0.2.134',
  'aws-region': 'us-east-1',
};
const env = { GITHUB_WORKSPACE: ws };
const read = (overrides: Record<string, string>) =>
  readInputs((n) => ({ ...good, ...overrides })[n] ?? '', env);

describe('readInputs', () => {
  it('parses a complete set of inputs', () => {
    const c = read({
      'script-args': '--out\ns3://b/o\n',
      'spark-conf': 'spark.executor.memory=8g',
      tags: 'team=genomics',
      'timeout-minutes': '30',
      'hail-jar': 'hail-all-spark.jar',
      'hail-env-archive': 's3://bkt/env.tar.gz',
      'py-files': 'jobs/util.py',
    });
    expect(c.script.relPath).toBe('jobs/gwas.py');
    expect(c.scriptArgs).toEqual(['--out', 's3://b/o']);
    expect(c.s3Prefix).toEqual({ bucket: 'genomics-bucket', key: 'ci' });
    expect(c.sparkConf).toEqual([['spark.executor.memory', '8g']]);
    expect(c.tags).toEqual({ team: 'genomics' });
    expect(c.timeoutMinutes).toBe(30);
    expect(c.wait).toBe(true); // an empty input takes action.yml's default, as the runner would give it
    expect(c.artifactsMode).toBe('prebuilt'); // auto with both artifacts given
    expect(c.hailJar).toMatchObject({ kind: 'local' });
    expect(c.hailEnvArchive).toEqual({ kind: 's3', uri: 's3://bkt/env.tar.gz' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  // Each bad value must be refused with a message that names the input.
  const bad: [string, Record<string, string>, RegExp][] = [
    ['script', { script: '' }, /is required/],
    ['script', { script: 'jobs/missing.py' }, /does not exist/],
    ['script', { script: '../outside.py' }, /outside the workspace/],
    ['script', { script: '/etc/passwd.py' }, /outside the workspace/],
    ['script', { script: 'jobs/gwas.sh' }, /not a \.py/],
    ['script', { script: 'jobs' }, /\.py/],
    ['s3-prefix', { 's3-prefix': 'genomics-bucket/ci' }, /not an s3/],
    ['s3-prefix', { 's3-prefix': 's3://Bad_Bucket/x' }, /bucket name/],
    ['execution-role-arn', { 'execution-role-arn': 'hail-job' }, /IAM role ARN/],
    ['execution-role-arn', { 'execution-role-arn': 'arn:aws:iam::123:role/x' }, /12-digit/],
    ['application-id', { 'application-id': 'ABC!' }, /application ID/],
    ['application-id', { 'application-id': '' }, /is required/],
    ['application-name', { 'application-name': 'x' }, /not both/],
    ['hail-version', { 'hail-version': '2.0' }, /Hail version/],
    ['hail-version', { 'hail-version': '' }, /is required/],
    ['release-label', { 'release-label': '7.5.0' }, /release label/],
    ['hail-artifacts', { 'hail-artifacts': 'fetch' }, /auto, build, prebuilt/],
    ['hail-jar', { 'hail-artifacts': 'prebuilt' }, /required when hail-artifacts is prebuilt/],
    ['hail-jar', { 'hail-jar': 'env.tar.gz' }, /\.jar/],
    [
      'hail-jar',
      { 'hail-jar': 'https://x/h.jar', 'hail-env-archive': 'env.tar.gz' },
      /workspace path or an s3/,
    ],
    ['hail-env-archive', { 'hail-jar': 'hail-all-spark.jar' }, /both/],
    ['spark-conf', { 'spark-conf': 'spark.x' }, /key=value/],
    ['spark-conf', { 'spark-conf': 'bad key=1' }, /Spark property/],
    ['output-uri', { 'output-uri': '/local/out' }, /not an s3/],
    ['tags', { tags: 'aws:x=1' }, /reserved/],
    ['tags', { tags: 'k=<script>' }, /tag value for "k": "<script>" must match/],
    ['wait', { wait: 'yes' }, /not a boolean/],
    ['dry-run', { 'dry-run': '1' }, /not a boolean/],
    ['timeout-minutes', { 'timeout-minutes': '0' }, /out of range/],
    ['timeout-minutes', { 'timeout-minutes': '10081' }, /out of range/],
    ['timeout-minutes', { 'timeout-minutes': '2h' }, /whole number/],
    ['job-run-id', { 'job-run-id': 'X Y' }, /job run ID/],
    ['retry-max-attempts', { 'retry-max-attempts': '11' }, /out of range/],
    ['log-tail-lines', { 'log-tail-lines': '-1' }, /whole number/],
    ['aws-region', { 'aws-region': 'Virginia' }, /AWS region/],
    ['name', { name: 'x'.repeat(257) }, /at most 256/],
    ['py-files', { 'py-files': 'jobs/gwas.txt' }, /\.py, \.zip or \.egg/],
    ['python-requirements', { 'python-requirements': 'requirements.txt' }, /does not exist/],
    ['script', { script: 'jobs/linked-out.py' }, /resolves to .*secret\.py, outside the workspace/],
    ['py-files', { 'py-files': 'outdir/secret.py' }, /outside the workspace/],
    ['py-files', { 'py-files': 'jobs/dangling.py' }, /does not exist/],
    ['python-requirements', { 'python-requirements': 'jobs' }, /not a regular file/],
    ['name', { name: 'gwas\n::add-mask::x' }, /control character/],
    ['name', { name: 'gwas\u2028x' }, /one line/],
    ['matrix', { matrix: '{python: 3.10}' }, /not JSON/],
    ['output-uri', { 'output-uri': 's3://genomics-bucket/ci/out' }, /inside s3-prefix/],
    ['output-uri', { 'output-uri': 's3://genomics-bucket/' }, /contains s3-prefix/],
    [
      'py-files',
      { 'py-files': 'lib/gwas.py' },
      /lib\/gwas\.py has the same file name as the script jobs\/gwas\.py/,
    ],
    ['name', { name: 'a\u200bb\u0085c' }, /control character/],
  ];
  it.each([
    ['output-uri', { 'output-uri': 's3://genomics-bucket/ci-results' }],
    ['output-uri', { 'output-uri': 's3://other-bucket/ci' }],
    ['py-files', { 'py-files': 'jobs/gwas.py' }],
    [
      'spark-conf',
      {
        'spark-conf': 'spark.serializer=org.apache.spark.serializer.KryoSerializer\nspark.jars=s3://b/x.jar',
      },
    ],
    ['name', { name: 'GWAS 😀 run' }],
  ])('accepts a good %s next to the refused ones (%j)', (_input, overrides) => {
    expect(() => read(overrides)).not.toThrow();
  });

  it.each(bad)('refuses a bad %s (%j)', (input, overrides, problem) => {
    let err: unknown;
    try {
      read(overrides);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputErrors);
    const match = (err as InputErrors).problems.find((p) => p.input === input);
    expect(match?.message).toMatch(`input \`${input}\``);
    expect(match?.message).toMatch(problem);
  });

  it('takes a link inside the workspace under its own name', () => {
    const c = read({ 'py-files': 'jobs/alias.py' });
    expect(c.pyFiles.map((f) => f.relPath)).toEqual(['jobs/alias.py']);
    expect(c.pyFiles[0]!.path).toBe(join(ws, 'jobs/alias.py'));
  });

  it('keeps matrix values as canonical JSON, and none outside a matrix', () => {
    expect(read({ matrix: 'null' }).matrix).toBeUndefined();
    expect(read({ matrix: '{\n  "py": "3.11",\n  "os": {"b": 1, "a": 2}\n}' }).matrix).toBe(
      '{"os":{"a":2,"b":1},"py":"3.11"}',
    );
  });

  it('reports every problem at once', () => {
    let err: unknown;
    try {
      read({ 'timeout-minutes': 'x', wait: 'maybe', 's3-prefix': 'nope' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputErrors);
    expect((err as InputErrors).problems.map((p) => p.input).sort()).toEqual([
      's3-prefix',
      'timeout-minutes',
      'wait',
    ]);
  });

  it('needs a region unless it is a dry run', () => {
    expect(() => readInputs((n) => ({ ...good, 'aws-region': '' })[n] ?? '', env)).toThrow(/aws-region/);
    const c = readInputs((n) => ({ ...good, 'aws-region': '', 'dry-run': 'true' })[n] ?? '', env);
    expect(c.region).toBeUndefined();
  });
});
