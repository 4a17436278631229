import {
  checkCompatibility,
  chooseReleaseLabel,
  compatibilityTableMarkdown,
  type Verdict,
} from '../../../src/hail/compat.js';
import {
  EMR_RELEASES,
  HAIL_FIRST_PATCH,
  HAIL_LAST_PATCH,
  HAIL_RANGES,
  KNOWN_HAIL_VERSIONS,
  parseArchitecture,
  parseHailVersion,
  parseReleaseLabel,
} from '../../../src/hail/versions.js';
import { InputError } from '../../../src/util/errors.js';

/** What f throws; fails the test when it throws nothing (an expect in a catch would not run). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw, got none');
}

// The expectations are written out here from the notes, independently of the code's tables.
type Family = 'spark32' | 'spark33' | 'spark34' | 'spark35' | 'spark40' | 'spark41';
const FAMILY_OF: Record<string, Family> = {};
for (const l of ['emr-6.6.0', 'emr-6.7.0']) FAMILY_OF[l] = 'spark32';
for (const l of ['emr-6.8.0', 'emr-6.9.0', 'emr-6.10.0', 'emr-6.11.0']) FAMILY_OF[l] = 'spark33';
for (const l of ['emr-6.12.0', 'emr-6.13.0', 'emr-6.14.0', 'emr-6.15.0']) FAMILY_OF[l] = 'spark34';
for (let m = 0; m <= 14; m++) FAMILY_OF[`emr-7.${m}.0`] = 'spark35';
FAMILY_OF['emr-spark-8.0.0'] = 'spark40';
FAMILY_OF['emr-spark-8.1.0'] = 'spark41';

const NO: Record<Family, Verdict> = {
  spark32: 'impossible',
  spark33: 'impossible',
  spark34: 'impossible',
  spark35: 'impossible',
  spark40: 'impossible',
  spark41: 'impossible',
};
const EXPECTED: { first: number; last: number; verdicts: Record<Family, Verdict> }[] = [
  { first: 97, last: 109, verdicts: { ...NO, spark32: 'needs-source-build' } },
  { first: 110, last: 115, verdicts: { ...NO, spark33: 'compatible' } },
  { first: 116, last: 120, verdicts: { ...NO, spark33: 'needs-newer-python' } },
  { first: 121, last: 126, verdicts: { ...NO, spark33: 'needs-newer-python' } },
  { first: 127, last: 130, verdicts: { ...NO, spark33: 'needs-newer-python' } },
  { first: 131, last: 135, verdicts: { ...NO, spark35: 'compatible' } },
  { first: 136, last: 136, verdicts: { ...NO, spark35: 'needs-newer-python' } },
  { first: 137, last: 139, verdicts: { ...NO, spark35: 'needs-newer-python' } },
];

describe('the tables', () => {
  test('Hail rows cover 0.2.97 to 0.2.139 without gaps or overlaps, as the notes list them', () => {
    expect(HAIL_RANGES.map((r) => [r.first, r.last])).toEqual(EXPECTED.map((e) => [e.first, e.last]));
    expect(HAIL_RANGES[0]!.first).toBe(HAIL_FIRST_PATCH);
    expect(HAIL_RANGES[HAIL_RANGES.length - 1]!.last).toBe(HAIL_LAST_PATCH);
    expect(KNOWN_HAIL_VERSIONS).toHaveLength(43);
  });

  test.each([
    [97, '3.1.3', '2.12.13', '3.7', '8-or-11'],
    [110, '3.3.0', '2.12.13', '3.7', '8-or-11'],
    [116, '3.3.0', '2.12.15', '3.8', '8-or-11'],
    [121, '3.3.0', '2.12.15', '3.9', '8-or-11'],
    [127, '3.3.2', '2.12.18', '3.9', '8-or-11'],
    [131, '3.5.0', '2.12.18', '3.9', '11-only'],
    [136, '3.5.0', '2.12.18', '3.10', '11-only'],
    [137, '3.5.3', '2.12', '3.10', '11-only'],
  ])('hail 0.2.%i row: jar Spark %s, Scala %s, Python >= %s, Java %s', (first, spark, scala, py, java) => {
    const row = HAIL_RANGES.find((r) => r.first === first)!;
    expect([row.jarSpark, row.scala, row.pythonMin, row.javaRule]).toEqual([spark, scala, py, java]);
  });

  test('every EMR row has the family runtime of the notes', () => {
    expect(EMR_RELEASES.map((r) => r.label)).toEqual(Object.keys(FAMILY_OF));
    for (const rel of EMR_RELEASES) {
      const family = FAMILY_OF[rel.label]!;
      const expected = {
        spark32: ['3.2', 'al2', '3.7', '8'],
        spark33: ['3.3', 'al2', '3.7', '8'],
        spark34: ['3.4', 'al2', '3.7', '8'],
        spark35: ['3.5', 'al2023', '3.9', '17', '2.12'],
        spark40: ['4.0', 'al2023', '3.11', '17', '2.13'],
        spark41: ['4.1', 'al2023', '3.11', '17', '2.13'],
      }[family];
      const scala = family === 'spark40' || family === 'spark41' ? '2.13' : '2.12';
      expect([rel.sparkMinor, rel.os, rel.python, rel.java, rel.scala]).toEqual(
        expected.length === 5 ? expected : [...expected, scala],
      );
    }
  });

  test.each([
    ['emr-6.6.0', '3.2.0'],
    ['emr-6.7.0', '3.2.1'],
    ['emr-6.8.0', '3.3.0'],
    ['emr-6.10.0', '3.3.1'],
    ['emr-6.11.0', '3.3.2'],
    ['emr-6.12.0', '3.4.0'],
    ['emr-6.15.0', '3.4.1'],
    ['emr-7.0.0', '3.5.0'],
    ['emr-7.3.0', '3.5.1'],
    ['emr-7.5.0', '3.5.2'],
    ['emr-7.7.0', '3.5.3'],
    ['emr-7.8.0', '3.5.4'],
    ['emr-7.10.0', '3.5.5'],
    ['emr-7.11.0', '3.5.6'],
    ['emr-7.12.0', '3.5.6'],
    ['emr-7.13.0', '3.5.6'],
    ['emr-spark-8.0.0', '4.0.2'],
    ['emr-spark-8.1.0', '4.1.1'],
  ])('%s runs Spark %s', (label, spark) => {
    expect(EMR_RELEASES.find((r) => r.label === label)!.spark).toBe(spark);
  });

  test('a release whose Spark patch is not confirmed says so and gives its range', () => {
    const unverified = EMR_RELEASES.filter((r) => r.sparkSource === 'unverified').map((r) => [
      r.label,
      r.spark,
    ]);
    expect(unverified).toEqual([
      ['emr-6.9.0', '3.3.0–3.3.1'],
      ['emr-7.2.0', '3.5.0–3.5.1'],
      ['emr-7.14.0', '3.5.6–3.5.8'],
    ]);
  });
});

describe('checkCompatibility: every Hail row against every EMR release', () => {
  test.each(EXPECTED)('hail 0.2.$first–0.2.$last', ({ first, last, verdicts }) => {
    for (const patch of new Set([first, last])) {
      for (const rel of EMR_RELEASES) {
        const c = checkCompatibility({
          hailVersion: `0.2.${patch}`,
          releaseLabel: rel.label,
          architecture: 'X86_64',
        });
        expect({ pair: `0.2.${patch} ${rel.label}`, verdict: c.verdict }).toEqual({
          pair: `0.2.${patch} ${rel.label}`,
          verdict: verdicts[FAMILY_OF[rel.label]!],
        });
        expect(c.reason).toContain(rel.label);
        if (c.verdict === 'impossible') expect(c.suggestion).toBeTruthy();
      }
    }
  });

  test('compatible: the image Python, the PyPI recipe, the EMR base image', () => {
    const c = checkCompatibility({
      hailVersion: '0.2.135',
      releaseLabel: 'emr-7.5.0',
      architecture: 'X86_64',
    });
    expect(c).toMatchObject({
      verdict: 'compatible',
      buildKind: 'pypi',
      python: '3.9',
      pythonBuild: 'system',
      java: '17',
      os: 'al2023',
      spark: '3.5.2',
      jarSpark: '3.5.0',
      scala: '2.12.18',
      baseImage: 'public.ecr.aws/emr-serverless/spark/emr-7.5.0:latest',
    });
    expect(c.suggestion).toBeUndefined();
  });

  test('needs-newer-python on AL2023 ships 3.10 and names both sides', () => {
    const c = checkCompatibility({ hailVersion: '0.2.136', releaseLabel: 'emr-7.5.0' });
    expect(c.verdict).toBe('needs-newer-python');
    expect(c.reason).toBe(
      'hail 0.2.136 needs Python >= 3.10; emr-7.5.0 ships 3.9: the archive will ship its own Python 3.10',
    );
    expect(c).toMatchObject({
      python: '3.10',
      pythonBuild: '3.10.14',
      buildKind: 'pypi',
      architecture: 'X86_64',
    });
    expect(c.suggestion).toBe("to run on emr-7.5.0's own Python 3.9, use hail 0.2.131–0.2.135");
  });

  test('needs-newer-python on AL2 ships 3.9', () => {
    const c = checkCompatibility({ hailVersion: '0.2.130', releaseLabel: 'emr-6.10.0' });
    expect(c).toMatchObject({
      verdict: 'needs-newer-python',
      python: '3.9',
      pythonBuild: '3.9.19',
      java: '8',
      os: 'al2',
    });
    expect(c.reason).toContain('hail 0.2.130 needs Python >= 3.9; emr-6.10.0 ships 3.7');
  });

  test.each([
    ['0.2.131', 'emr-7.0.0', 'Hail is tested against Java 11, found 17.0.x', 'from 0.2.137 on Hail calls'],
    ['0.2.136', 'emr-7.14.0', 'Hail is tested against Java 11, found 17.0.x', 'may lead to errors'],
    [
      '0.2.139',
      'emr-7.5.0',
      'You are using Java 17.0.x which is not supported. This may lead to errors.',
      'which Hail calls not supported and says may lead to errors',
    ],
  ])(
    'hail %s on %s (Java 17) carries Hail\'s own Java warning, not a "harmless" one',
    (v, label, quote, says) => {
      const c = checkCompatibility({ hailVersion: v, releaseLabel: label });
      expect(c.verdict).not.toBe('impossible');
      expect(c.java).toBe('17');
      expect(c.javaCaveat).toContain(quote);
      expect(c.javaCaveat).toContain(says);
    },
  );

  test('hail on Java 8 or 11 only (before 0.2.131) has no Java caveat', () => {
    expect(
      checkCompatibility({ hailVersion: '0.2.115', releaseLabel: 'emr-6.10.0' }).javaCaveat,
    ).toBeUndefined();
  });

  test('needs-source-build targets Spark 3.2.1 / Scala 2.12.13 on Amazon Linux 2 (no EMR base image before 6.9)', () => {
    const c = checkCompatibility({ hailVersion: '0.2.100', releaseLabel: 'emr-6.6.0' });
    expect(c).toMatchObject({
      verdict: 'needs-source-build',
      buildKind: 'source',
      jarSpark: '3.2.1',
      scala: '2.12.13',
      python: '3.7',
      pythonBuild: 'system',
      java: '8',
      baseImage: 'public.ecr.aws/amazonlinux/amazonlinux:2',
    });
    expect(c.reason).toContain('no Hail release targets Spark 3.2');
  });

  test("impossible on Spark 3.4: not with this action's recipes (a patched build works, hail-is/hail#13971)", () => {
    const c = checkCompatibility({ hailVersion: '0.2.131', releaseLabel: 'emr-6.13.0' });
    expect(c.verdict).toBe('impossible');
    expect(c.reason).toContain(
      "emr-6.13.0 runs Spark 3.4, which no Hail release targets and this action's recipes cannot build Hail " +
        'for (a patched source build is reported to work: hail-is/hail#13971)',
    );
    expect(c.reason).not.toContain('cannot be built');
    expect(c.reason).toContain('use hail 0.2.131 on emr-7.0.0–emr-7.14.0');
    expect(c.reason).toContain('emr-7.0.0–emr-7.14.0 with hail 0.2.131–0.2.139');
    expect(c.reason).toContain('emr-6.8.0–emr-6.11.0 with hail 0.2.110–0.2.130');
  });

  test('impossible on a Spark mismatch names both sides and both ways out', () => {
    const c = checkCompatibility({ hailVersion: '0.2.131', releaseLabel: 'emr-6.9.0' });
    expect(c.reason).toContain("hail 0.2.131's jar is built for Spark 3.5, but emr-6.9.0 runs Spark 3.3");
    expect(c.suggestion).toContain('use hail 0.2.131 on emr-7.0.0–emr-7.14.0');
    expect(c.suggestion).toContain('on emr-6.9.0');
  });

  test.each([
    ['emr-spark-8.0.0', '4.0.2'],
    ['emr-spark-8.1.0', '4.1.1'],
  ])('impossible on %s (Spark %s, Scala 2.13), pointing at a jar built for it', (label, spark) => {
    const c = checkCompatibility({ hailVersion: '0.2.139', releaseLabel: label });
    expect(c.verdict).toBe('impossible');
    expect(c.reason).toContain(`${label} runs Spark ${spark} (Scala 2.13)`);
    expect(c.reason).toContain('(0.2.97 to 0.2.139) supports Spark 4');
    expect(c.reason).toContain("the action reads the jar's Spark version");
  });

  test.each(['emr-6.6.0', 'emr-6.11.0', 'emr-6.13.0', 'emr-7.5.0', 'emr-spark-8.0.0'])(
    'ARM64 is impossible on %s and says to use X86_64',
    (label) => {
      const c = checkCompatibility({ hailVersion: '0.2.135', releaseLabel: label, architecture: 'ARM64' });
      expect(c.verdict).toBe('impossible');
      expect(c.architecture).toBe('ARM64');
      expect(c.reason).toContain('ARM64');
      expect(c.reason).toContain('x86-64 native libraries only');
      expect(c.suggestion).toContain('X86_64');
    },
  );

  test('ARM64 on a pair that works on X86_64 says so', () => {
    const c = checkCompatibility({
      hailVersion: '0.2.135',
      releaseLabel: 'emr-7.5.0',
      architecture: 'arm64',
    });
    expect(c.suggestion).toContain('on X86_64, emr-7.5.0 works with hail 0.2.135');
  });
});

describe('unknown or malformed inputs', () => {
  test('hail 0.2.96 is refused as older than the table', () => {
    const run = () => checkCompatibility({ hailVersion: '0.2.96', releaseLabel: 'emr-7.5.0' });
    expect(run).toThrow(InputError);
    expect(run).toThrow("hail 0.2.96 is older than this action's table; known: 0.2.97 to 0.2.139");
  });

  test('hail 0.2.140 (newer than the table) is accepted as a version, then needs its jar to decide', () => {
    expect(parseHailVersion('0.2.140')).toBe('0.2.140');
    const run = () => checkCompatibility({ hailVersion: '0.2.140', releaseLabel: 'emr-7.5.0' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(
      "hail 0.2.140 is newer than this action's table (0.2.97 to 0.2.139), so the Spark its jar was built for is not known",
    );
    expect(run).toThrow('give hail-jar and hail-env-archive built for it on emr-7.5.0');
    expect(() => chooseReleaseLabel('0.2.140')).toThrow('is newer than this action');
  });

  test.each([
    ['0.2.127.post1', '0.2.127'],
    ['0.2.130.post1', '0.2.130'],
  ])('published post-release %s is accepted and decided by its base release %s', (post, base) => {
    expect(parseHailVersion(post)).toBe(post);
    for (const rel of EMR_RELEASES) {
      const a = checkCompatibility({ hailVersion: post, releaseLabel: rel.label });
      const b = checkCompatibility({ hailVersion: base, releaseLabel: rel.label });
      expect([rel.label, a.verdict, a.jarSpark, a.python]).toEqual([
        rel.label,
        b.verdict,
        b.jarSpark,
        b.python,
      ]);
      expect(a.hailVersion).toBe(post);
    }
    expect(chooseReleaseLabel(post)).toBe(chooseReleaseLabel(base));
  });

  test('a post-release that was never published is refused, listing the published ones', () => {
    expect(() => parseHailVersion('0.2.128.post1')).toThrow(
      'hail 0.2.128.post1 is not a published post-release; known post-releases: 0.2.127.post1, 0.2.130.post1',
    );
  });

  test.each(['latest', '0.3.0', '0.2', ''])('"%s" is not a Hail version', (v) => {
    expect(() => parseHailVersion(v)).toThrow('is not a Hail version');
    expect(thrown(() => parseHailVersion(v))).toMatchObject({ input: 'hail-version' });
  });

  test('a v prefix and whitespace are tolerated', () => {
    expect(parseHailVersion(' v0.2.135 ')).toBe('0.2.135');
  });

  test.each(['emr-7.15.0', 'emr-6.5.0', 'emr-5.36.0', 'emr-spark-8.2.0'])(
    'release %s is refused with the known labels',
    (label) => {
      expect(() => parseReleaseLabel(label)).toThrow(
        'known: emr-6.6.0 … emr-6.15.0, emr-7.0.0 … emr-7.14.0, emr-spark-8.0.0 … emr-spark-8.1.0',
      );
    },
  );

  test.each(['emr-7.14.0', 'emr-spark-8.1.0'])('release %s is known', (label) => {
    expect(parseReleaseLabel(label)).toBe(label);
  });

  test('a bare version hints at the label form', () => {
    expect(() => parseReleaseLabel('7.5.0')).toThrow('did you mean emr-7.5.0?');
    expect(() => parseReleaseLabel('seven')).toThrow('is not an EMR release label');
  });

  test('architecture', () => {
    expect(parseArchitecture('x86_64')).toBe('X86_64');
    expect(() => parseArchitecture('amd64')).toThrow('expected X86_64 or ARM64');
  });
});

describe('chooseReleaseLabel', () => {
  test.each([
    [97, 'emr-6.7.0'],
    [109, 'emr-6.7.0'],
    [110, 'emr-6.11.0'],
    [115, 'emr-6.11.0'],
    [116, 'emr-6.11.0'],
    [121, 'emr-6.11.0'],
    [127, 'emr-6.11.0'],
    [130, 'emr-6.11.0'],
    [131, 'emr-7.14.0'],
    [135, 'emr-7.14.0'],
    [136, 'emr-7.14.0'],
    [139, 'emr-7.14.0'],
  ])('hail 0.2.%i -> %s', (patch, label) => {
    expect(chooseReleaseLabel(`0.2.${patch}`)).toBe(label);
  });

  test('every known Hail version gets a release it can run on', () => {
    expect(KNOWN_HAIL_VERSIONS.length).toBeGreaterThanOrEqual(43); // 0.2.97 to 0.2.139
    for (const v of KNOWN_HAIL_VERSIONS) {
      const c = checkCompatibility({ hailVersion: v, releaseLabel: chooseReleaseLabel(v) });
      expect(c.verdict).not.toBe('impossible');
    }
  });

  test('refuses an unknown version', () => {
    expect(() => chooseReleaseLabel('0.2.200')).toThrow(InputError);
  });
});

describe('compatibilityTableMarkdown', () => {
  const md = compatibilityTableMarkdown();

  test('has a row per Hail range and per release, and groups releases into columns', () => {
    for (const r of HAIL_RANGES) expect(md).toContain(`| 0.2.${r.first}`);
    for (const rel of EMR_RELEASES) expect(md).toContain(`| ${rel.label} |`);
    expect(md).toContain(
      '| emr-6.6.0–emr-6.7.0 | emr-6.8.0–emr-6.11.0 | emr-6.12.0–emr-6.15.0 | emr-7.0.0–emr-7.14.0 | emr-spark-8.0.0–emr-spark-8.1.0 |',
    );
    expect(md).toContain(
      '| 0.2.97–0.2.109 | 3.1.3 | 2.12.13 | >= 3.7 | 8 or 11 only | source build | no | no | no | no |',
    );
    expect(md).toContain(
      '| 0.2.136 | 3.5.0 | 2.12.18 | >= 3.10 | 11 (17: untested, Hail warns) | no | no | no | yes, ships Python 3.10 | no |',
    );
    expect(md).toContain(
      '| 0.2.137–0.2.139 | 3.5.3 | 2.12 | >= 3.10 | 11 (17: "not supported, may lead to errors") | no | no | no | yes, ships Python 3.10 | no |',
    );
    expect(md).not.toContain('17 warns');
    expect(md).toContain('| emr-7.14.0 | 3.5.6–3.5.8 (unverified) |');
    expect(md).toContain('| emr-spark-8.1.0 | 4.1.1 | Amazon Linux 2023 | 3.11 | 17 |');
    expect(md).toContain('3.3.0–3.3.1 (unverified)');
  });
});
