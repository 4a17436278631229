// The pre-submit checks: mistakes that make a Hail script fail (or go wrong) on EMR Serverless,
// found by looking at its lines before anything is uploaded. A data table: each rule has a pattern
// on a line's code (comments and docstrings removed) and the message that says the fix. A rule is
// an error only when the run is certain to fail: the line runs unconditionally (module level) and
// the value is a literal.

import type { PyLine } from './python-lines.js';

export type Severity = 'warning' | 'error';

export interface CheckOptions {
  /** Whether `output-uri` is given (HAIL_OUTPUT_URI is set); undefined when not known (check-only). */
  outputUriGiven?: boolean;
}

export interface LineRule {
  id: string;
  title: string;
  pattern: RegExp;
  /** The message with the fix; undefined to let the line pass after all. */
  message: (m: RegExpExecArray, line: PyLine, opts: CheckOptions) => string | undefined;
  severity?: (m: RegExpExecArray, line: PyLine, opts: CheckOptions) => Severity;
}

const HAIL_KRYO = {
  'spark.serializer': 'org.apache.spark.serializer.KryoSerializer',
  'spark.kryo.registrator': 'is.hail.kryo.HailKryoRegistrator',
} as const;

/** Settings the action sends for Hail, which a script must not replace. */
const ACTION_OWNED: Record<string, string> = {
  'spark.jars': "replaces the action's `--jars`, so Hail's jar is not shipped",
  'spark.driver.extraClassPath': "replaces EMR's classpath, so EMRFS (`s3://`) is no longer found",
  'spark.executor.extraClassPath': "replaces EMR's classpath, so EMRFS (`s3://`) is no longer found",
  'spark.driver.extraJavaOptions': "replaces EMR's Java options",
  'spark.executor.extraJavaOptions': "replaces EMR's Java options",
  'spark.driver.extraLibraryPath': "replaces EMR's native library path",
  'spark.executor.extraLibraryPath': "replaces EMR's native library path",
  'spark.archives': "replaces the action's Python environment archive",
  'spark.submit.pyFiles': "replaces the action's `py-files`",
};

const moduleLevel = (line: PyLine): boolean => line.stmtIndent === 0;

const WRONG_ENV_NAMES: Record<string, string> = {
  HAIL_TMPDIR: 'HAIL_TMP_DIR',
  HAIL_TEMP_DIR: 'HAIL_TMP_DIR',
  HAIL_TMP: 'HAIL_TMP_DIR',
  HAIL_TMP_URI: 'HAIL_TMP_DIR',
  HAIL_OUTPUT_DIR: 'HAIL_OUTPUT_URI',
  HAIL_OUTPUT: 'HAIL_OUTPUT_URI',
  HAIL_OUTPUT_PATH: 'HAIL_OUTPUT_URI',
  HAIL_OUTPUT_PREFIX: 'HAIL_OUTPUT_URI',
  HAIL_OUT_URI: 'HAIL_OUTPUT_URI',
};

export const LINE_RULES: readonly LineRule[] = [
  {
    id: 'gs-public-dataset',
    title: "Hail's public data read from Google Cloud Storage",
    pattern: /(["'])gs:\/\/(gcp-public-data--gnomad|hail-datasets[\w-]*|hail-common)(\/[^"']*)?\1/,
    message: (m) =>
      m[2] === 'gcp-public-data--gnomad'
        ? `\`gs://${m[2]}${m[3] ?? ''}\` is on Google Cloud Storage, which EMR Serverless cannot read: use its AWS Open Data copy \`s3://gnomad-public-us-east-1${m[3] ?? ''}\`.`
        : `\`gs://${m[2]}…\` is on Google Cloud Storage, which EMR Serverless cannot read: load Hail's datasets with \`hl.experimental.load_dataset(..., region='us', cloud='aws')\`.`,
  },
  {
    id: 'gs-path',
    title: 'gs:// path',
    pattern: /(["'])(gs:\/\/[^"']+)\1/,
    message: (m) =>
      `\`${m[2]}\` is on Google Cloud Storage: EMR Serverless has no GCS connector. Copy the data to S3 and use its \`s3://\` URI.`,
  },
  {
    id: 'hdfs-path',
    title: 'hdfs:// path',
    pattern: /(["'])(hdfs:\/\/[^"']+)\1/,
    message: (m) =>
      `\`${m[2]}\`: EMR Serverless has no HDFS. Use an \`s3://\` URI (Hail's tmp dir: \`os.environ["HAIL_TMP_DIR"]\`).`,
  },
  {
    id: 's3a-path',
    title: 's3a:// path',
    pattern: /(["'])s3a:\/\/([^"']+)\1/,
    message: (m) =>
      `EMR Serverless reads S3 through EMRFS with \`s3://\`: write \`s3://${m[2]}\` instead of \`s3a://${m[2]}\`.`,
  },
  {
    id: 'hail-kryo-overridden',
    title: "Spark setting that breaks Hail's Kryo setup",
    pattern: /(["'])(spark\.serializer|spark\.kryo\.registrator)\1\s*[,:=]\s*(?:(["'])([^"']*)\3)?/,
    message: (m) => {
      const key = m[2] as keyof typeof HAIL_KRYO;
      if (m[4] !== undefined && m[4].includes(HAIL_KRYO[key])) return undefined; // Hail's own value
      return `The script sets \`${key}\`${m[4] !== undefined ? ` to \`${m[4]}\`` : ''}; Hail refuses to start unless it is \`${HAIL_KRYO[key]}\`. Remove it: the action already sends Hail's value.`;
    },
    // A literal non-Hail value at module level: Hail's start-up check fails for certain.
    severity: (m, line) => (m[4] !== undefined && moduleLevel(line) ? 'error' : 'warning'),
  },
  {
    id: 'spark-setting-overrides-action',
    title: 'Spark setting that overrides the action',
    pattern:
      /(["'])(spark\.(?:jars|archives|submit\.pyFiles|(?:driver|executor)\.extra(?:ClassPath|JavaOptions|LibraryPath)))\1/,
    message: (m) =>
      `The script sets \`${m[2]}\`, which ${ACTION_OWNED[m[2]!]}. Remove it; the action sets what Hail needs.`,
  },
  {
    id: 'python-env-overridden',
    title: "Python setting that overrides the action's environment",
    pattern:
      /(["'])((?:spark\.(?:emr-serverless\.driverEnv|executorEnv)\.)?PYSPARK_(?:DRIVER_)?PYTHON)\1\s*[,:=\]]/,
    message: (m) =>
      `The script sets \`${m[2]}\`; the driver and executors must use \`./environment/bin/python\` from Hail's environment archive, which the action sets. Remove it.`,
  },
  {
    id: 'spark-master-local',
    title: 'Spark master set to local',
    pattern: /(?:\.(?:setMaster|master)\(\s*|\bmaster\s*=\s*)(["'])(local[^"']*)\1/,
    message: (m) =>
      `\`master='${m[2]}'\` runs everything on the driver, not on EMR Serverless's executors. Remove it.`,
  },
  {
    id: 'env-shell-syntax',
    title: 'Shell variable syntax in a Python string',
    // Only a string that starts with the variable, as a path would: help texts may name it.
    pattern: /(["'])\$\{?(HAIL_TMP_DIR|HAIL_OUTPUT_URI)\}?(?:\/[^"']*)?\1/,
    message: (m) => `Python does not expand \`$${m[2]}\` in a string: use \`os.environ["${m[2]}"]\`.`,
  },
  {
    id: 'env-misspelled',
    title: "Misspelled name of the action's environment variable",
    pattern: new RegExp(`(["'])(${Object.keys(WRONG_ENV_NAMES).join('|')})\\1`),
    message: (m) => `The action sets \`${WRONG_ENV_NAMES[m[2]!]}\`, not \`${m[2]}\`.`,
  },
  {
    id: 'env-local-default',
    title: 'Local default for an S3 location',
    pattern:
      /(?:getenv|environ\.get)\(\s*(["'])(HAIL_TMP_DIR|HAIL_OUTPUT_URI)\1\s*,\s*(["'])((?!s3:\/\/)[^"']*)\3/,
    message: (m) =>
      `The default \`${m[4]}\` for \`${m[2]}\` is not an \`s3://\` URI: on EMR Serverless a local path is one node's disk, invisible to the others. Use \`os.environ["${m[2]}"]\`.`,
  },
  {
    id: 'output-uri-not-set',
    title: 'HAIL_OUTPUT_URI read but output-uri not given',
    pattern: /environ\[\s*(["'])HAIL_OUTPUT_URI\1\s*\]/,
    message: (_m, _line, opts) =>
      opts.outputUriGiven === true
        ? undefined
        : opts.outputUriGiven === false
          ? '`os.environ["HAIL_OUTPUT_URI"]` raises KeyError unless `output-uri` is given: the action sets HAIL_OUTPUT_URI only then. Set `output-uri`.'
          : '`os.environ["HAIL_OUTPUT_URI"]` needs the `output-uri` input: the action sets HAIL_OUTPUT_URI only when it is given.',
    // Only a warning even then: a custom image or spark-conf may set the variable too.
  },
];

/** Checks one `hl.init(...)` call (its text may span lines): where Hail's tmp dir goes. */
export function checkInitCall(call: string): { message: string; offset: number } | undefined {
  const tmp = /\btmp_dir\s*=\s*(?:(["'])([^"']*)\1)?/.exec(call);
  if (!tmp) {
    if (/\*\*\w/.test(call)) return undefined; // keyword arguments from a dict: cannot tell
    return {
      message:
        '`hl.init` without `tmp_dir`: Hail then keeps temporary files on one node\'s local disk. Pass `tmp_dir=os.environ["HAIL_TMP_DIR"]` (an `s3://` prefix the action sets).',
      offset: 0,
    };
  }
  const value = tmp[2];
  if (value === undefined || value.startsWith('s3://')) return undefined;
  if (/^(gs|hdfs|s3a):\/\//.test(value)) return undefined; // the path rules report these
  return {
    message: `\`tmp_dir='${value}'\` is node-local on EMR Serverless (executors cannot see it). Pass \`tmp_dir=os.environ["HAIL_TMP_DIR"]\`.`,
    offset: tmp.index,
  };
}
