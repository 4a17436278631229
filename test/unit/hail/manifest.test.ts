import { artifactKey } from '../../../src/hail/artifact-key.js';
import {
  ENV_ARCHIVE_NAME,
  isManifestMiss,
  JAR_NAME,
  parseManifest,
  serializeManifest,
  type Manifest,
} from '../../../src/hail/manifest.js';

const { key, inputs } = artifactKey({
  hailVersion: '0.2.135',
  buildKind: 'pypi',
  releaseLabel: 'emr-7.13.0',
  baseImage: 'public.ecr.aws/emr-serverless/spark/emr-7.13.0:latest',
  os: 'al2023',
  python: '3.9',
  pythonBuild: 'system',
  jarSpark: '3.5.0',
  scala: '2.12.18',
  architecture: 'X86_64',
  recipeFiles: [{ path: 'Dockerfile.pypi', sha256: 'a'.repeat(64) }],
});

const MANIFEST: Manifest = {
  schema: 1,
  key,
  inputs: inputs as unknown as Record<string, unknown>,
  files: {
    jar: { name: JAR_NAME, sha256: '1'.repeat(64), size: 123_456_789 },
    envArchive: { name: ENV_ARCHIVE_NAME, sha256: '2'.repeat(64), size: 98_765 },
  },
  hail: '0.2.135',
  spark: '3.5.0',
  scala: '2.12.18',
  python: '3.9',
  java: '17',
  releaseLabel: 'emr-7.13.0',
  buildKind: 'pypi',
  builtAt: '2026-08-01T12:00:00.000Z',
  builder: 'hail-emr-serverless in https://github.com/o/r/actions/runs/1',
};

function missOf(text: string, expectedKey = key): string {
  const parsed = parseManifest(text, expectedKey);
  if (!isManifestMiss(parsed)) throw new Error('expected a miss');
  return parsed.miss;
}

function withChange(change: (m: Record<string, unknown>) => void): string {
  const m = JSON.parse(serializeManifest(MANIFEST)) as Record<string, unknown>;
  change(m);
  return JSON.stringify(m);
}

describe('manifest', () => {
  test('round trip', () => {
    const text = serializeManifest(MANIFEST);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseManifest(text, key)).toEqual(MANIFEST);
  });

  test('corrupt JSON is a miss, not a throw', () => {
    expect(missOf('{"schema": 1, "key": ')).toMatch(/^manifest is not valid JSON/);
    expect(missOf(serializeManifest(MANIFEST).slice(0, 100))).toMatch(/not valid JSON/);
  });

  test.each(['', 'null', '[]', '42', '"x"'])('%j is a miss', (text) => {
    expect(missOf(text)).toMatch(/^manifest is not/);
  });

  test('another key is a miss that names both', () => {
    const other = 'f'.repeat(64);
    expect(missOf(serializeManifest(MANIFEST), other)).toBe(
      `manifest is for key ${JSON.stringify(key)}, expected ${other}`,
    );
  });

  test('inputs that do not hash to the key are a miss', () => {
    const text = withChange((m) => {
      (m.inputs as Record<string, unknown>).hailVersion = '0.2.134';
    });
    expect(missOf(text)).toBe('manifest inputs do not hash to its key');
  });

  test('another schema is a miss', () => {
    expect(missOf(withChange((m) => (m.schema = 2)))).toBe('manifest schema is 2, expected 1');
  });

  test('a missing file entry is a miss', () => {
    const text = withChange((m) => delete (m.files as Record<string, unknown>).envArchive);
    expect(missOf(text)).toBe('manifest files.envArchive is missing');
    expect(missOf(withChange((m) => delete m.files))).toBe('manifest has no files object');
  });

  type Json = Record<string, unknown>;
  const file = (m: Json, which: 'jar' | 'envArchive') => (m.files as Record<string, Json>)[which]!;
  test.each([
    ['a name with a path', (m: Json) => (file(m, 'jar').name = '../x.jar'), 'files.jar.name'],
    ['a bad sha256', (m: Json) => (file(m, 'jar').sha256 = 'abc'), 'files.jar.sha256'],
    ['a zero size', (m: Json) => (file(m, 'envArchive').size = 0), 'files.envArchive.size'],
    ['a string size', (m: Json) => (file(m, 'jar').size = '12'), 'files.jar.size'],
    ['no hail field', (m: Json) => delete m.hail, 'field hail'],
    ['no builder', (m: Json) => (m.builder = ''), 'field builder'],
    ['a bad date', (m: Json) => (m.builtAt = 'yesterday'), 'builtAt'],
    ['an unknown build kind', (m: Json) => (m.buildKind = 'conda'), 'buildKind'],
  ])('%s is a miss', (_, change, fragment) => {
    expect(missOf(withChange(change))).toContain(fragment);
  });
});
