import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGivenJar, readJarBuild } from '../../../src/artifacts.js';
import { requireReleaseFeatures } from '../../../src/compatibility.js';
import { BUILD_INFO, classStringLiterals, jarBuildFrom, PACKAGE_CLASS } from '../../../src/hail/jar-build.js';
import { checkUnlistedHail, chooseReleaseForJar } from '../../../src/hail/unlisted-compat.js';
import { InputError } from '../../../src/util/errors.js';
import { readZipEntries, type RandomAccess } from '../../../src/util/zip-read.js';
import { classWithLiterals, makeZip } from './zip-writer.js';

const memory = (buf: Buffer): RandomAccess & { reads: number } => ({
  size: buf.length,
  reads: 0,
  async read(offset, length) {
    this.reads++;
    return buf.subarray(offset, offset + length);
  },
});

// What Hail's build writes (hail/Makefile up to 0.2.130, build.sc / build.mill to 0.2.137).
const PROPS =
  '[Build Metadata]\nrevision=abc\nsparkVersion=3.5.3\nhailPipVersion=0.2.137\nhailBuildConfiguration=Release\n';
// 0.2.138 on: build.mill's generated is/hail/package.scala, compiled into package$.class.
const MAIN_CLASS = classWithLiterals(['0.2.140', 'fd91ae342ffc0cdf15687047782f0752c31ee32b', '4.1.1']);
const filler = Array.from({ length: 50 }, (_, i) => ({
  name: `is/hail/C${i}.class`,
  data: `class ${i}`,
  deflate: true,
}));

describe('readZipEntries', () => {
  test.each([false, true])('reads deflated and stored entries (zip64: %s) in a few reads', async (zip64) => {
    const zip = makeZip(
      [
        ...filler,
        { name: BUILD_INFO, data: PROPS, deflate: true },
        { name: PACKAGE_CLASS, data: MAIN_CLASS },
      ],
      { zip64, comment: 'a comment at the end' },
    );
    const src = memory(zip);
    const entries = await readZipEntries(src, (n) => n === BUILD_INFO || n === PACKAGE_CLASS);
    expect(entries.get(BUILD_INFO)!.toString()).toBe(PROPS);
    expect(entries.get(PACKAGE_CLASS)!.equals(MAIN_CLASS)).toBe(true);
    expect(src.reads).toBeLessThanOrEqual(zip64 ? 7 : 6);
  });

  test('a file that is not a zip is refused', async () => {
    await expect(
      readZipEntries(memory(Buffer.from('not a zip at all, just text')), () => true),
    ).rejects.toThrow('no end of central directory record');
  });

  const hasZip = (() => {
    try {
      execFileSync('zip', ['-v'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  (hasZip ? test : test.skip)('reads a jar written by the zip binary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    try {
      writeFileSync(join(dir, BUILD_INFO), PROPS);
      execFileSync('zip', ['-q', '-9', 'x.jar', BUILD_INFO], { cwd: dir });
      const jar = { kind: 'local' as const, file: { path: join(dir, 'x.jar'), relPath: 'x.jar' } };
      expect(await readJarBuild(undefined, jar)).toEqual({
        spark: '3.5.3',
        hailVersion: '0.2.137',
        source: BUILD_INFO,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('jarBuildFrom: what the jar says it was built for', () => {
  test('build-info.properties (Hail up to 0.2.137)', () => {
    expect(jarBuildFrom(new Map([[BUILD_INFO, Buffer.from(PROPS)]]))).toEqual({
      spark: '3.5.3',
      hailVersion: '0.2.137',
      source: BUILD_INFO,
    });
  });

  test("is/hail/package$.class's literals (0.2.138 on, Hail's main branch)", () => {
    expect(classStringLiterals(MAIN_CLASS)).toEqual([
      '0.2.140',
      'fd91ae342ffc0cdf15687047782f0752c31ee32b',
      '4.1.1',
    ]);
    expect(jarBuildFrom(new Map([[PACKAGE_CLASS, MAIN_CLASS]]))).toEqual({
      spark: '4.1.1',
      hailVersion: '0.2.140',
      source: PACKAGE_CLASS,
    });
  });

  test('two candidate Spark versions, or none, are not guessed between', () => {
    const two = classWithLiterals(['0.2.140', '4.1.1', '3.5.3']);
    expect(jarBuildFrom(new Map([[PACKAGE_CLASS, two]])).spark).toBeUndefined();
    expect(jarBuildFrom(new Map()).spark).toBeUndefined();
    expect(classStringLiterals(Buffer.from('PK not a class'))).toBeUndefined();
  });
});

describe('a Hail version newer than the table, decided from its jar', () => {
  const jar = { spark: '4.1.1', hailVersion: '0.2.140', source: PACKAGE_CLASS };

  test("compatible where the release's Spark major.minor is the jar's", () => {
    const c = checkUnlistedHail({
      hailVersion: '0.2.140',
      releaseLabel: 'emr-spark-8.1.0',
      jar,
      jarName: 'hail.jar',
    });
    expect(c).toMatchObject({ verdict: 'compatible', jarSpark: '4.1.1', scala: '2.13', spark: '4.1.1' });
    expect(c.reason).toContain(
      'its jar is built for Spark 4.1.1 (from its is/hail/package$.class), and emr-spark-8.1.0 runs Spark 4.1.1',
    );
    expect(c.reason).toContain('must carry a Python that hail 0.2.140 accepts');
  });

  test('impossible on another Spark, naming both sides and where the jar would run', () => {
    const c = checkUnlistedHail({ hailVersion: '0.2.140', releaseLabel: 'emr-7.14.0', jar });
    expect(c.verdict).toBe('impossible');
    expect(c.reason).toContain("hail 0.2.140's jar is built for Spark 4.1.1");
    expect(c.reason).toContain('but emr-7.14.0 runs Spark 3.5.6–3.5.8');
    expect(c.reason).toContain('use this jar on emr-spark-8.1.0 (Spark 4.1)');
  });

  test('ARM64 stays impossible', () => {
    const c = checkUnlistedHail({
      hailVersion: '0.2.140',
      releaseLabel: 'emr-spark-8.1.0',
      architecture: 'ARM64',
      jar,
    });
    expect(c.verdict).toBe('impossible');
    expect(c.reason).toContain('x86-64 native libraries only');
  });

  test('a jar of another Hail version, or one that does not say its Spark, is refused naming hail-jar', () => {
    const other = () =>
      checkUnlistedHail({ hailVersion: '0.2.141', releaseLabel: 'emr-spark-8.1.0', jar, jarName: 'h.jar' });
    expect(other).toThrow("h.jar is hail 0.2.140's jar, but hail-version is 0.2.141");
    const silent = () =>
      checkUnlistedHail({ hailVersion: '0.2.140', releaseLabel: 'emr-spark-8.1.0', jar: {} });
    expect(silent).toThrow('does not say which Spark it was built for');
    try {
      silent();
    } catch (err) {
      expect((err as InputError).input).toBe('hail-jar');
    }
  });

  test('without a jar, the message says what to do', () => {
    expect(() => checkUnlistedHail({ hailVersion: '0.2.140', releaseLabel: 'emr-spark-8.1.0' })).toThrow(
      'give hail-jar and hail-env-archive built for it on emr-spark-8.1.0',
    );
  });

  test("a new application gets the newest release running the jar's Spark", () => {
    expect(chooseReleaseForJar('0.2.140', jar)).toBe('emr-spark-8.1.0');
    expect(chooseReleaseForJar('0.2.140', { spark: '3.5.3' })).toBe('emr-7.14.0');
    expect(() => chooseReleaseForJar('0.2.140', { spark: '4.2.0' })).toThrow(
      'which no EMR Serverless release',
    );
  });

  test('readGivenJar reads a workspace jar before any upload, and refuses a newer Hail without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jar-'));
    try {
      const path = join(dir, 'hail-all-spark.jar');
      writeFileSync(
        path,
        makeZip([...filler, { name: PACKAGE_CLASS, data: MAIN_CLASS, deflate: true }], { zip64: true }),
      );
      const hailJar = { kind: 'local' as const, file: { path, relPath: 'hail-all-spark.jar' } };
      const hailEnvArchive = { kind: 's3' as const, uri: 's3://b/env.tar.gz' };
      const given = await readGivenJar(undefined, { hailVersion: '0.2.140', hailJar, hailEnvArchive });
      expect(given).toEqual({ build: jar, name: 'hail-all-spark.jar' });
      expect(
        await readGivenJar(undefined, { hailVersion: '0.2.139', hailJar, hailEnvArchive }),
      ).toBeUndefined();
      await expect(readGivenJar(undefined, { hailVersion: '0.2.140' })).rejects.toThrow(
        'is newer than this action',
      );
      const s3Jar = { kind: 's3' as const, uri: 's3://b/hail.jar' };
      await expect(
        readGivenJar(undefined, { hailVersion: '0.2.140', hailJar: s3Jar, hailEnvArchive }),
      ).rejects.toThrow('which a dry run does not read');
      writeFileSync(path, 'not a jar');
      await expect(
        readGivenJar(undefined, { hailVersion: '0.2.140', hailJar, hailEnvArchive }),
      ).rejects.toThrow('hail-all-spark.jar is not a readable jar');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('retry-max-attempts needs emr-7.1.0', () => {
  test.each(['emr-6.15.0', 'emr-7.0.0'])('refused on %s, naming the input and the release', (label) => {
    const run = () => requireReleaseFeatures({ retryMaxAttempts: 3 }, label);
    expect(run).toThrow(InputError);
    expect(run).toThrow(
      `input \`retry-max-attempts\`: needs emr-7.1.0 or later (EMR Serverless job resiliency), but the release is ${label}`,
    );
  });

  test('names the application when the release came from it', () => {
    expect(() =>
      requireReleaseFeatures({ retryMaxAttempts: 2 }, 'emr-6.13.0', 'application-id' as never),
    ).toThrow('the release is emr-6.13.0 (the release of the application given by application-id)');
  });

  test.each(['emr-7.1.0', 'emr-7.14.0', 'emr-spark-8.0.0'])(
    'accepted on %s, and unset is fine anywhere',
    (label) => {
      expect(() => requireReleaseFeatures({ retryMaxAttempts: 3 }, label)).not.toThrow();
      expect(() => requireReleaseFeatures({}, 'emr-6.6.0')).not.toThrow();
    },
  );
});
