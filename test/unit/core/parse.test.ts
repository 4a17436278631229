import { describe, expect, it } from '@jest/globals';
import {
  parseBoolean,
  parseIntInRange,
  parseKeyValueLines,
  parseLines,
  shellQuote,
} from '../../../src/util/parse.js';
import { childUri, parseS3Uri } from '../../../src/aws/s3-uri.js';
import { clientToken, readRunContext } from '../../../src/github-context.js';

describe('parsers', () => {
  it('accepts only YAML core booleans', () => {
    expect(parseBoolean('true')).toBe(true);
    expect(parseBoolean('FALSE')).toBe(false);
    expect(() => parseBoolean('yes')).toThrow(/not a boolean/);
  });
  it('splits key=value on the first =, keeps order, skips blanks and comments', () => {
    expect(parseKeyValueLines('a=1\n\n# c\nb = x=y\r\n')).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
    ]);
    expect(() => parseKeyValueLines('novalue')).toThrow(/not key=value/);
    expect(parseLines(' a \n\nb')).toEqual(['a', 'b']);
  });
  it('bounds whole numbers', () => {
    expect(parseIntInRange('10080', 1, 10080)).toBe(10080);
    expect(() => parseIntInRange('0', 1, 10080)).toThrow(/out of range/);
    expect(() => parseIntInRange('1.5', 1, 10)).toThrow(/whole number/);
  });
  it('quotes for the shell', () => {
    expect(shellQuote('abc')).toBe('abc');
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
  });
  it('parses s3 URIs and refuses bad buckets', () => {
    expect(parseS3Uri('s3://my-bucket/a/b')).toEqual({ bucket: 'my-bucket', key: 'a/b' });
    expect(() => parseS3Uri('https://x')).toThrow(/not an s3/);
    expect(() => parseS3Uri('s3://My_Bucket/x')).toThrow(/bucket name/);
    expect(childUri({ bucket: 'b', key: 'p/' }, 'logs')).toBe('s3://b/p/logs');
  });
});

describe('clientToken', () => {
  const env = {
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'j',
    GITHUB_ACTION: 's',
  };
  const request = {
    applicationId: '00abc',
    name: 'gwas',
    jobDriver: { sparkSubmit: { entryPoint: 's3://b/x.py', entryPointArguments: ['--chrom', '1'] } },
    configurationOverrides: {
      applicationConfiguration: [{ classification: 'spark-defaults', properties: { a: '1' } }],
    },
    tags: { team: 'g' },
  };
  const noRandom = () => {
    throw new Error('no randomness inside a workflow run');
  };
  const token = (r: object, e: Record<string, string> = env) => clientToken(readRunContext(e), r, noRandom);

  it('is the same for the same request in the same step attempt, whatever the order of its keys', () => {
    const a = token(request);
    expect(token(structuredClone(request))).toBe(a);
    const reordered = Object.fromEntries(Object.entries(request).reverse());
    expect(token(reordered)).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/); // the model's ClientToken: 1-64 of [A-Za-z0-9._-]
  });

  it('changes with the step identity: attempt, job, step, run, repository', () => {
    const a = token(request);
    const others = [
      { GITHUB_RUN_ATTEMPT: '2' },
      { GITHUB_JOB: 'k' },
      { GITHUB_ACTION: 'other' },
      { GITHUB_RUN_ID: '43' },
      { GITHUB_REPOSITORY: 'o/s' },
    ].map((o) => token(request, { ...env, ...o }));
    expect(new Set([a, ...others]).size).toBe(6);
  });

  it('changes with any field of the request (matrix legs differing only in script-args never share one)', () => {
    const variants = [
      { ...request, name: 'gwas2' },
      { ...request, applicationId: '00abd' },
      { ...request, tags: { team: 'h' } },
      { ...request, executionTimeoutMinutes: 60 },
      {
        ...request,
        jobDriver: {
          sparkSubmit: { ...request.jobDriver.sparkSubmit, entryPointArguments: ['--chrom', '2'] },
        },
      },
      {
        ...request,
        jobDriver: { sparkSubmit: { ...request.jobDriver.sparkSubmit, entryPoint: 's3://b/y.py' } },
      },
      {
        ...request,
        configurationOverrides: {
          applicationConfiguration: [{ classification: 'spark-defaults', properties: { a: '2' } }],
        },
      },
    ];
    const tokens = [request, ...variants].map((r) => token(r));
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('is random outside a workflow run, where nothing identifies the step', () => {
    expect(clientToken(readRunContext({}), request, () => 'random')).toBe('random');
  });
});
