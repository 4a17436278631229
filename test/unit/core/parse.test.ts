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
  const rnd = () => 'random';
  it('is stable within one step attempt and changes on a re-run', () => {
    const a = clientToken(readRunContext(env), 's3://b/x.py', rnd);
    expect(clientToken(readRunContext(env), 's3://b/x.py', rnd)).toBe(a);
    expect(clientToken(readRunContext({ ...env, GITHUB_RUN_ATTEMPT: '2' }), 's3://b/x.py', rnd)).not.toBe(a);
    expect(clientToken(readRunContext({ ...env, GITHUB_ACTION: 'other' }), 's3://b/x.py', rnd)).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
  it('is random outside a workflow run', () => {
    expect(clientToken(readRunContext({}), 's3://b/x.py', rnd)).toBe('random');
  });
});
