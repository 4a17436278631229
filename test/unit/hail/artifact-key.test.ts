import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  artifactKey,
  canonicalJson,
  recipeDigests,
  textFileSha256,
  type ArtifactKeyInput,
} from '../../../src/hail/artifact-key.js';
import { sha256Hex } from '../../../src/util/hash.js';

const BASE: ArtifactKeyInput = {
  hailVersion: '0.2.136',
  buildKind: 'pypi',
  releaseLabel: 'emr-7.5.0',
  baseImage: 'public.ecr.aws/emr-serverless/spark/emr-7.5.0:latest',
  os: 'al2023',
  python: '3.10',
  pythonBuild: '3.10.14',
  jarSpark: '3.5.0',
  scala: '2.12.18',
  architecture: 'X86_64',
  recipeFiles: [
    { path: 'Dockerfile.pypi', sha256: 'a'.repeat(64) },
    { path: 'build.sh', sha256: 'b'.repeat(64) },
  ],
};

// Computed once from BASE and pinned: a change here means every cache entry everywhere misses.
// Cross-checked with Python: sha256(json.dumps(inputs, sort_keys=True, separators=(',', ':'))).
const PINNED_KEY = '271635256c0e8b16217df3e6ff9c1aeced7c3bebc7fc4684accc6c950efbef70';

describe('canonicalJson', () => {
  test('sorts keys at every depth, so key order does not matter', () => {
    const a = canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: 'x' } });
    const b = canonicalJson({ a: { c: 'x', d: [2, { x: 2, y: 1 }] }, b: 1 });
    expect(a).toBe(b);
    expect(a).toBe('{"a":{"c":"x","d":[2,{"x":2,"y":1}]},"b":1}');
  });

  test('drops undefined members, keeps array order, refuses what JSON cannot hold', () => {
    expect(canonicalJson({ a: undefined, b: null, c: [3, 1] })).toBe('{"b":null,"c":[3,1]}');
    expect(() => canonicalJson({ n: NaN })).toThrow('not representable');
    expect(() => canonicalJson({ f: () => 1 })).toThrow('cannot represent');
  });
});

describe('artifactKey', () => {
  test('is a full sha256 hex of the canonical inputs, pinned for a fixed input', () => {
    const { key, inputs } = artifactKey(BASE);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).toBe(sha256Hex(canonicalJson(inputs)));
    expect(key).toBe(PINNED_KEY);
  });

  test('does not depend on the order recipe files or object keys arrive in', () => {
    const shuffled: ArtifactKeyInput = {
      recipeFiles: [...BASE.recipeFiles].reverse(),
      architecture: BASE.architecture,
      scala: BASE.scala,
      jarSpark: BASE.jarSpark,
      pythonBuild: BASE.pythonBuild,
      python: BASE.python,
      os: BASE.os,
      baseImage: BASE.baseImage,
      releaseLabel: BASE.releaseLabel,
      buildKind: BASE.buildKind,
      hailVersion: BASE.hailVersion,
    };
    expect(artifactKey(shuffled).key).toBe(artifactKey(BASE).key);
  });

  const CHANGES: [string, Partial<ArtifactKeyInput>][] = [
    ['hailVersion', { hailVersion: '0.2.137' }],
    ['buildKind', { buildKind: 'source' }],
    ['releaseLabel', { releaseLabel: 'emr-7.6.0' }],
    ['baseImage', { baseImage: 'public.ecr.aws/amazonlinux/amazonlinux:2023' }],
    ['os', { os: 'al2' }],
    ['python', { python: '3.11' }],
    ['pythonBuild', { pythonBuild: '3.10.15' }],
    ['jarSpark', { jarSpark: '3.5.3' }],
    ['scala', { scala: '2.12.19' }],
    ['architecture', { architecture: 'ARM64' }],
    [
      'a recipe file content',
      { recipeFiles: [{ path: 'Dockerfile.pypi', sha256: 'c'.repeat(64) }, BASE.recipeFiles[1]!] },
    ],
    [
      'a recipe file name',
      { recipeFiles: [{ path: 'Dockerfile.x', sha256: 'a'.repeat(64) }, BASE.recipeFiles[1]!] },
    ],
    [
      'an added recipe file',
      { recipeFiles: [...BASE.recipeFiles, { path: 'extra.sh', sha256: 'd'.repeat(64) }] },
    ],
    ['extra requirements', { pythonRequirementsSha256: 'e'.repeat(64) }],
  ];
  test.each(CHANGES)('changes when %s changes', (_, change) => {
    expect(artifactKey({ ...BASE, ...change }).key).not.toBe(artifactKey(BASE).key);
  });

  test('two different requirements files give two keys', () => {
    const one = artifactKey({ ...BASE, pythonRequirementsSha256: '1'.repeat(64) }).key;
    const two = artifactKey({ ...BASE, pythonRequirementsSha256: '2'.repeat(64) }).key;
    expect(one).not.toBe(two);
  });

  test('refuses a recipe file listed twice', () => {
    expect(() => artifactKey({ ...BASE, recipeFiles: [BASE.recipeFiles[0]!, BASE.recipeFiles[0]!] })).toThrow(
      'twice',
    );
  });
});

describe('recipeDigests', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recipe-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('hashes files by relative path, sorted, skipping Markdown and dotfiles', async () => {
    await mkdir(join(dir, 'sub'));
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, 'b.sh'), 'echo b\n');
    await writeFile(join(dir, 'A.txt'), 'a\n');
    await writeFile(join(dir, 'sub', 'c.sh'), 'echo c\n');
    await writeFile(join(dir, 'README.md'), '# docs\n');
    await writeFile(join(dir, '.hidden'), 'x');
    await writeFile(join(dir, '.git', 'HEAD'), 'ref');
    const files = await recipeDigests(dir);
    expect(files.map((f) => f.path)).toEqual(['A.txt', 'b.sh', 'sub/c.sh']);
    expect(files[1]!.sha256).toBe(sha256Hex('echo b\n'));
  });

  test('CRLF and LF checkouts hash the same; binary files are hashed as bytes', async () => {
    await writeFile(join(dir, 'lf'), 'one\ntwo\n');
    await writeFile(join(dir, 'crlf'), 'one\r\ntwo\r\n');
    await writeFile(join(dir, 'bin'), Buffer.from([0, 13, 10, 1]));
    expect(await textFileSha256(join(dir, 'crlf'))).toBe(await textFileSha256(join(dir, 'lf')));
    expect(await textFileSha256(join(dir, 'bin'))).toBe(sha256Hex(Buffer.from([0, 13, 10, 1])));
  });

  test('the real hail-build/ recipe: Dockerfiles and scripts in, README out', async () => {
    const files = await recipeDigests(new URL('../../../hail-build/', import.meta.url).pathname);
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['Dockerfile.pypi', 'Dockerfile.source', 'build.sh', 'requirements.txt']),
    );
    expect(paths).not.toContain('README.md');
    expect([...paths].sort()).toEqual(paths);
  });

  test('an empty directory is an error, not an empty key part', async () => {
    await expect(recipeDigests(dir)).rejects.toThrow('no recipe files');
  });
});
