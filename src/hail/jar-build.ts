// What a Hail jar says about its own build: the Spark it was compiled for, and its Hail version.
// Pure: takes the bytes of the entries, read elsewhere. Where Hail's build writes them:
//   - up to 0.2.137: `build-info.properties` at the jar's root (hail/Makefile, then build.sc /
//     build.mill), with `sparkVersion=` and `hailPipVersion=` lines;
//   - from 0.2.138 (and on main): no properties file; build.mill generates `is/hail/package.scala`
//     with `val SparkVersion = "<x.y.z>"` and `val PipVersion = "0.2.N"`, compiled into the
//     constant pool of `is/hail/package$.class`.

export const BUILD_INFO = 'build-info.properties';
export const PACKAGE_CLASS = 'is/hail/package$.class';
export const JAR_BUILD_ENTRIES: readonly string[] = [BUILD_INFO, PACKAGE_CLASS];

export interface JarBuild {
  /** The Spark version the jar was compiled for, when found. */
  spark?: string;
  /** Hail's pip version recorded in the jar, when found. */
  hailVersion?: string;
  /** Which entry said so. */
  source?: string;
}

/** A prebuilt hail-jar's own facts, with how it was given (a workspace path or an s3:// URI). */
export interface GivenJar {
  build: JarBuild;
  name: string;
}

const VERSION = /^\d+\.\d+\.\d+$/;
const HAIL_VERSION = /^0\.2\.\d+(?:\.post\d+)?$/;

function fromProperties(text: string): JarBuild {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([\w.]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m) values.set(m[1]!, m[2]!);
  }
  const spark = values.get('sparkVersion');
  const hail = values.get('hailPipVersion');
  return {
    spark: spark && VERSION.test(spark) ? spark : undefined,
    hailVersion: hail && HAIL_VERSION.test(hail) ? hail : undefined,
    source: BUILD_INFO,
  };
}

/** The string literals (CONSTANT_String targets) of a class file; undefined if it is not one. */
export function classStringLiterals(buf: Buffer): string[] | undefined {
  if (buf.length < 10 || buf.readUInt32BE(0) !== 0xcafebabe) return undefined;
  const count = buf.readUInt16BE(8);
  const utf8 = new Map<number, string>();
  const stringRefs: number[] = [];
  let p = 10;
  for (let i = 1; i < count; i++) {
    if (p >= buf.length) return undefined;
    const tag = buf[p]!;
    switch (tag) {
      case 1: {
        const len = buf.readUInt16BE(p + 1);
        // Modified UTF-8 equals UTF-8 for the ASCII strings we look for.
        utf8.set(i, buf.toString('utf8', p + 3, p + 3 + len));
        p += 3 + len;
        break;
      }
      case 8:
        stringRefs.push(buf.readUInt16BE(p + 1));
        p += 3;
        break;
      case 7:
      case 16:
      case 19:
      case 20:
        p += 3;
        break;
      case 15:
        p += 4;
        break;
      case 3:
      case 4:
      case 9:
      case 10:
      case 11:
      case 12:
      case 17:
      case 18:
        p += 5;
        break;
      case 5:
      case 6:
        p += 9;
        i++; // takes two slots
        break;
      default:
        return undefined;
    }
  }
  return stringRefs.map((i) => utf8.get(i)).filter((s): s is string => s !== undefined);
}

function fromPackageClass(buf: Buffer): JarBuild {
  const literals = classStringLiterals(buf) ?? [];
  // The only x.y.z literal that is not Hail's own 0.2.N is the Spark version.
  const sparks = [...new Set(literals.filter((s) => VERSION.test(s) && !s.startsWith('0.')))];
  const hails = [...new Set(literals.filter((s) => HAIL_VERSION.test(s)))];
  return {
    spark: sparks.length === 1 ? sparks[0] : undefined,
    hailVersion: hails.length === 1 ? hails[0] : undefined,
    source: PACKAGE_CLASS,
  };
}

/** Reads the jar's build facts from the entries found (by name); the properties file wins. */
export function jarBuildFrom(entries: ReadonlyMap<string, Buffer>): JarBuild {
  const props = entries.get(BUILD_INFO);
  const fromProps = props ? fromProperties(props.toString('utf8')) : undefined;
  if (fromProps?.spark) return fromProps;
  const cls = entries.get(PACKAGE_CLASS);
  const fromClass = cls ? fromPackageClass(cls) : undefined;
  if (fromClass?.spark) return { ...fromClass, hailVersion: fromClass.hailVersion ?? fromProps?.hailVersion };
  return { hailVersion: fromProps?.hailVersion ?? fromClass?.hailVersion };
}
