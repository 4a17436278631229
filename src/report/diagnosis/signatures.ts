// The catalogue of known failures: how each is recognised, its cause in one sentence, and the fix
// to paste. Order matters: the first signature that matches wins, so specific ones come first
// (EmrFileSystem not found before any ClassNotFoundException, the connection pool before
// AccessDenied). The texts matched are the real ones thrown by Hail, Spark, Hadoop, EMRFS and Java.

import { chooseReleaseLabel } from '../../hail/compat.js';
import {
  DEFAULT_HAIL,
  effectiveSetting,
  grantPrefix,
  iamPaste,
  inputsPaste,
  memoryFix,
  newestHailForPython,
  newestReleaseForSpark,
  releaseFor,
  roleName,
  sizeInGb,
  sparkConfPaste,
  WORKER_SIZES,
} from './fixes.js';
import type { Signature } from './model.js';
import { describePath, isForeignBucket, role, uriNear } from './where.js';

const KRYO_LINES = [
  'spark.serializer=org.apache.spark.serializer.KryoSerializer',
  'spark.kryo.registrator=is.hail.kryo.HailKryoRegistrator',
];
const PYTHON_ENV_LINES = [
  'spark.archives=<the Hail environment archive>#environment',
  'spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON=./environment/bin/python',
  'spark.emr-serverless.driverEnv.PYSPARK_PYTHON=./environment/bin/python',
  'spark.executorEnv.PYSPARK_PYTHON=./environment/bin/python',
];

export const SIGNATURES: readonly Signature[] = [
  {
    id: 'hail-spark-mismatch',
    title: "Hail's jar was built for another Spark",
    patterns: [
      /This Hail JAR was compiled for Spark (\d+\.\d+)\S*, cannot run with Spark (\d+\.\d+)(\S*?)\.?$/,
    ],
    cause: (m) =>
      `The Hail jar was compiled for Spark ${m.groups[1]}, but the release runs Spark \`${m.groups[2]}${m.groups[3] ?? ''}\`; Hail requires the same major.minor.`,
    fix: (m, ctx) => {
      const label = newestReleaseForSpark(m.groups[1]!);
      if (!label) {
        return {
          action: `Use a Hail jar built for Spark ${m.groups[2]}: leave \`hail-jar\` and \`hail-env-archive\` empty so the action gets matching artifacts for \`hail-version\`.`,
        };
      }
      return {
        action:
          `Run on a release with Spark ${m.groups[1]} (a new \`application-name\` is created with it), or leave \`hail-jar\` ` +
          `and \`hail-env-archive\` empty so the action gets artifacts for the application's release.`,
        paste: inputsPaste({
          'release-label': label,
          'application-name': `hail-${label.replace(/\./g, '-')}`,
          ...(ctx.hailVersion ? { 'hail-version': ctx.hailVersion } : {}),
        }),
      };
    },
  },
  {
    id: 'kryo-overridden',
    title: "Spark's serializer is not Hail's Kryo setup",
    patterns: [
      /Invalid configuration property spark\.serializer: required org\.apache\.spark\.serializer\.KryoSerializer/,
      /spark\.kryo\.registrator must include is\.hail\.kryo\.HailKryoRegistrator/,
    ],
    cause: () =>
      "Hail refuses to start unless `spark.serializer` is Kryo and `spark.kryo.registrator` includes Hail's registrator, and something replaced them.",
    fix: () => ({
      action:
        'Remove every setting of `spark.serializer` and `spark.kryo.registrator` from the script (`hl.init(spark_conf=...)`, ' +
        '`SparkConf().set(...)`, `SparkSession.builder.config(...)`): the action already sends the values Hail needs, shown here.',
      paste: {
        target: 'reference (already sent by the action)',
        language: 'text',
        text: KRYO_LINES.join('\n'),
      },
    }),
  },
  {
    id: 'hail-jar-missing',
    title: "Hail's jar is not on the classpath",
    patterns: [
      /ClassNotFoundException: is\.hail\./,
      /NoClassDefFoundError: is\/hail\//,
      /'JavaPackage' object is not callable/,
      /is\.hail\.backend\.spark\.SparkBackend does not exist in the JVM/,
    ],
    cause: () =>
      "Hail's classes (`is.hail.*`, such as its Kryo registrator) were not found: `hail-all-spark.jar` did not reach the driver or the executors.",
    fix: () => ({
      action:
        "Let the action ship the jar: leave `hail-jar` empty (or point it at a real `hail-all-spark.jar`) and do not set `spark.jars` in `spark-conf` or in the script, which replaces the action's `--jars`.",
      paste: inputsPaste({ 'hail-artifacts': 'auto' }),
    }),
  },
  {
    id: 'emrfs-missing',
    title: 'EMRFS (the s3:// file system) is not on the classpath',
    patterns: [/ClassNotFoundException: Class com\.amazon\.ws\.emr\.hadoop\.fs\.EmrFileSystem not found/],
    cause: () =>
      "A job-level `spark.driver.extraClassPath` or `spark.executor.extraClassPath` replaced EMR's default classpath, which is where EMRFS, the `s3://` file system, lives.",
    fix: () => ({
      action:
        "Remove `spark.driver.extraClassPath` and `spark.executor.extraClassPath` (and `extraLibraryPath`) wherever the job sets them: in the script, or in an older version of this action. `--jars` already ships Hail's jar.",
    }),
  },
  {
    id: 'no-filesystem-s3a',
    title: 's3a:// is not available on EMR Serverless',
    patterns: [/No FileSystem for scheme "?s3a"?/],
    cause: () =>
      'EMR Serverless reads and writes S3 through EMRFS with `s3://` URIs; no file system is configured for `s3a://`.',
    fix: (m) => {
      const uri = uriNear(m);
      return {
        action: 'Write `s3://` instead of `s3a://` in the script, its arguments and the inputs.',
        ...(uri?.startsWith('s3a://')
          ? { paste: { target: 'the script', language: 'text', text: uri.replace(/^s3a:/, 's3:') } as const }
          : {}),
      };
    },
  },
  {
    id: 'gs-public-dataset',
    title: "Hail's public datasets read from Google Cloud Storage",
    patterns: [
      /gs:\/\/(hail-datasets|hail-common|gcp-public-data--gnomad)[^\s"')]*/,
      /(load_dataset|experimental\.DB)\(/,
    ],
    requires: [/No FileSystem for scheme "?gs"?/],
    cause: () =>
      'The job reads a public dataset by its `gs://` path, and EMR Serverless has no Google Cloud Storage connector.',
    fix: (m) => ({
      action:
        m.groups[1] === 'gcp-public-data--gnomad'
          ? 'Read gnomAD from its AWS Open Data copy (the same layout under `s3://gnomad-public-us-east-1/`).'
          : "Load Hail's datasets from their AWS copy: pass `region='us', cloud='aws'` to `hl.experimental.load_dataset` (or `hl.experimental.DB`).",
      paste:
        m.groups[1] === 'gcp-public-data--gnomad'
          ? {
              target: 'the script',
              language: 'text',
              text: m.groups[0]!.replace('gs://gcp-public-data--gnomad', 's3://gnomad-public-us-east-1'),
            }
          : {
              target: 'the script',
              language: 'text',
              text: "hl.experimental.load_dataset(name, version, reference_genome, region='us', cloud='aws')",
            },
    }),
  },
  {
    id: 'no-filesystem-gs',
    title: 'gs:// paths cannot be read on EMR Serverless',
    patterns: [/No FileSystem for scheme "?gs"?/, /UnsupportedFileSystemException.*"gs"/],
    cause: () =>
      'EMR Serverless has no Google Cloud Storage connector, so a `gs://` path cannot be read or written.',
    fix: () => ({
      action:
        'Copy the data to S3 (for example `gcloud storage cp -r gs://… .` then `aws s3 sync`) and use its `s3://` URI in the script.',
    }),
  },
  {
    id: 'scala-mismatch',
    title: "Hail's jar was built for another Scala",
    patterns: [/NoSuchMethodError: .*\bscala\./, /NoClassDefFoundError: scala\/collection\//],
    cause: () =>
      "The Hail jar was compiled for a different Scala than the release's Spark (EMR's Spark 3 runs Scala 2.12, Spark 4 runs 2.13), so Scala's own methods are missing.",
    fix: (_m, ctx) => ({
      action:
        'Leave `hail-jar` and `hail-env-archive` empty so the action gets artifacts built for the release, or run on the release the Hail version was built for.',
      paste: inputsPaste({ 'hail-artifacts': 'auto', 'release-label': releaseFor(ctx) }),
    }),
  },
  {
    id: 'java-version',
    title: 'This Hail version refuses the Java version',
    patterns: [/Hail requires Java (8 or 11|1\.8), found (\S+)/],
    cause: (m) =>
      `This Hail version runs only on Java ${m.groups[1]}, and the job ran Java \`${m.groups[2]}\`.`,
    fix: () => ({
      action:
        'Remove the `JAVA_HOME` settings (`spark.emr-serverless.driverEnv.JAVA_HOME`, `spark.executorEnv.JAVA_HOME`) that select another Java, or use Hail 0.2.131 or later, which runs on the Java 17 of emr-7.x.',
      paste: inputsPaste({ 'hail-version': DEFAULT_HAIL, 'release-label': chooseReleaseLabel(DEFAULT_HAIL) }),
    }),
  },
  {
    id: 'python-too-old',
    title: 'Python is too old for this Hail version',
    patterns: [/Hail requires Python (\d+\.\d+)(?: or later)?, found (\d+\.\d+)/],
    cause: (m) =>
      `This Hail version needs Python ${m.groups[1]} or later, and the job's environment runs Python ${m.groups[2]}.`,
    fix: (m) => {
      const fits = newestHailForPython(m.groups[2]!);
      return {
        action:
          `Leave \`hail-env-archive\` empty so the action builds an environment that ships a new enough Python, ` +
          (fits
            ? `or use Hail ${fits}, the newest that runs on Python ${m.groups[2]}.`
            : 'or rebuild the archive with a newer Python.'),
        ...(fits ? { paste: inputsPaste({ 'hail-version': fits }) } : {}),
      };
    },
  },
  {
    id: 'python-env-missing',
    title: "The environment archive's Python is missing",
    patterns: [/Cannot run program "([^"]*environment\/bin\/python[^"]*)"/],
    cause: (m) =>
      `Spark could not start \`${m.groups[1]}\`: the Python environment archive was not unpacked as \`environment\`, or its interpreter is a link to a Python outside the archive (a venv made without \`--copies\`).`,
    fix: () => ({
      action:
        'Leave `hail-env-archive` empty so the action builds the archive, or rebuild yours on the EMR image with a venv made by `--copies` and packed by venv-pack.',
      paste: {
        target: 'a shell on the EMR base image',
        language: 'shell',
        text: 'python3 -m venv --copies env && . env/bin/activate && pip install hail venv-pack && venv-pack -o pyspark_hail.tar.gz',
      },
    }),
  },
  {
    id: 'no-module-hail',
    title: 'Python cannot import Hail',
    patterns: [/ModuleNotFoundError: No module named '(hail|hailtop)(?:\.[\w.]*)?'/],
    cause: () =>
      'The driver ran a Python without Hail: the environment archive was not used (its `PYSPARK_PYTHON` settings were overridden) or it does not contain Hail.',
    fix: () => ({
      action:
        'Do not set `spark.archives` or the `PYSPARK_PYTHON`/`PYSPARK_DRIVER_PYTHON` variables in `spark-conf` or the script; the action sends these. A `hail-env-archive` you give must be a venv-pack archive with Hail installed.',
      paste: {
        target: 'reference (already sent by the action)',
        language: 'text',
        text: PYTHON_ENV_LINES.join('\n'),
      },
    }),
  },
  {
    id: 'no-module',
    title: 'A Python package the script imports is missing',
    patterns: [/ModuleNotFoundError: No module named '([\w]+)[\w.]*'/],
    cause: (m) => `The script imports \`${m.groups[1]}\`, which is not in the job's Python environment.`,
    fix: (m) => ({
      action: `Add the package that provides \`${m.groups[1]}\` to a requirements file and give it as \`python-requirements\`; the action builds it into the environment.`,
      paste: inputsPaste({ 'python-requirements': 'requirements.txt' }),
    }),
  },
  {
    id: 's3-connection-pool',
    title: 'EMRFS ran out of S3 connections',
    patterns: [/ConnectionPoolTimeoutException/, /Timeout waiting for connection from pool/],
    cause: (_m, ctx) =>
      `More tasks read or wrote S3 at once than EMRFS's connection pool allows (\`fs.s3.maxConnections\`, ${effectiveSetting(ctx, 'spark.hadoop.fs.s3.maxConnections') ?? 'the default'} in this job).`,
    fix: (_m, ctx) => {
      const now = Number(effectiveSetting(ctx, 'spark.hadoop.fs.s3.maxConnections')) || 500;
      return {
        action:
          'Raise the EMRFS connection pool, or run fewer tasks per executor (`spark.executor.cores`) so fewer share one pool.',
        paste: sparkConfPaste([`spark.hadoop.fs.s3.maxConnections=${now * 2}`]),
      };
    },
  },
  {
    id: 's3-access-denied',
    title: 'The job runtime role may not use an S3 path',
    patterns: [
      /AmazonS3Exception: Access Denied/,
      /Error Code: AccessDenied/,
      /AccessDeniedException/,
      /\(Service: (?:Amazon )?S3; Status Code: 403/,
    ],
    cause: (m, ctx) => {
      const uri = uriNear(m)?.replace(/^s3a:/, 's3:');
      if (!uri)
        return `S3 refused ${role(ctx)} access to a path: the job runs as that role, not as your workflow's role.`;
      const { what } = describePath(uri, ctx);
      const where = what === uri ? `\`${uri}\`` : `${what} (\`${uri}\`)`;
      const foreign = isForeignBucket(uri, ctx)
        ? ", a bucket outside this action's prefixes: the role lacks a grant there, or the bucket is Requester Pays"
        : '';
      return `S3 refused ${role(ctx)} access to ${where}${foreign}; the job runs as that role, not as your workflow's role.`;
    },
    fix: (m, ctx) => {
      const uri = uriNear(m)?.replace(/^s3a:/, 's3:');
      if (!uri) {
        return {
          action: `Grant ${role(ctx)} \`s3:GetObject\` (and \`s3:PutObject\` where it writes) on the path in the error, and \`s3:ListBucket\` on its bucket.`,
        };
      }
      const grant = grantPrefix(uri, ctx);
      const write =
        describePath(uri, ctx).write || /\.write\(|checkpoint\(|export|PutObject/.test(m.lines.join('\n'));
      const statement = iamPaste(grant.bucket, grant.key, write, roleName(ctx.executionRoleArn));
      if (isForeignBucket(uri, ctx)) {
        return {
          action:
            `Add this statement to ${role(ctx)}; the bucket's owner must also allow the role in its bucket policy. ` +
            'If the bucket is Requester Pays (many shared genomics buckets are), also send the requester-pays header.',
          paste: statement,
          alsoPaste: sparkConfPaste(['spark.hadoop.fs.s3.useRequesterPaysHeader=true']),
        };
      }
      return { action: `Add this statement to ${role(ctx)}.`, paste: statement };
    },
  },
  {
    id: 'container-out-of-memory',
    title: 'A worker was killed for using more memory than it has',
    patterns: [
      /possible container OOM/,
      /exceeding memory limits/,
      /Container killed/,
      /exited with (?:exit )?code 137\b/,
      /exit code 137\b/,
    ],
    cause: () =>
      "An executor's process used more memory than its worker has (off-heap memory, which Hail's native code uses, counts against `spark.executor.memoryOverhead`), so it was killed.",
    fix: (_m, ctx) => {
      const overhead = sizeInGb(effectiveSetting(ctx, 'spark.executor.memoryOverhead')) ?? 0;
      const lines =
        overhead < 7
          ? ['spark.executor.memory=20g', 'spark.executor.memoryOverhead=7g']
          : ['spark.executor.cores=8', 'spark.executor.memory=40g', 'spark.executor.memoryOverhead=14g'];
      return {
        action: `Give executors more overhead. A worker holds memory + overhead: ${WORKER_SIZES}.`,
        paste: sparkConfPaste(lines),
      };
    },
  },
  {
    id: 'executor-out-of-memory',
    title: 'An executor ran out of Java heap',
    patterns: [/executor [^)]*\): java\.lang\.OutOfMemoryError/, /Lost task .*java\.lang\.OutOfMemoryError/],
    cause: (_m, ctx) =>
      `A task needed more Java heap than an executor has (\`spark.executor.memory\`, ${effectiveSetting(ctx, 'spark.executor.memory') ?? 'the default'} in this job).`,
    fix: (_m, ctx) => memoryFix(ctx, 'executor'),
  },
  {
    id: 'driver-out-of-memory',
    title: 'The driver ran out of Java heap',
    patterns: [
      /java\.lang\.OutOfMemoryError: (?:Java heap space|GC overhead limit exceeded)/,
      /^OutOfMemoryError: Java heap space/,
    ],
    cause: (_m, ctx) =>
      `The driver needed more Java heap than \`spark.driver.memory\` (${effectiveSetting(ctx, 'spark.driver.memory') ?? 'the default'} in this job) gives it: collecting results, a large \`.collect()\` or a big local matrix.`,
    fix: (_m, ctx) => memoryFix(ctx, 'driver'),
  },
  {
    id: 'disk-full',
    title: 'A worker ran out of local disk',
    patterns: [/No space left on device/],
    cause: () =>
      "Shuffle or spill files filled a worker's local disk (20 GB unless `spark.emr-serverless.*.disk` says more).",
    fix: (_m, ctx) => {
      const now = sizeInGb(effectiveSetting(ctx, 'spark.emr-serverless.executor.disk')) ?? 20;
      if (now < 200) {
        return {
          action: 'Give workers more disk: standard disks go up to 200 GB per worker.',
          paste: sparkConfPaste([
            'spark.emr-serverless.executor.disk=200G',
            'spark.emr-serverless.driver.disk=200G',
          ]),
        };
      }
      return {
        action:
          'Standard disks stop at 200 GB per worker: use shuffle-optimized disks (emr-7.1.0 and later), up to 2,000 GB, or spread the data over more executors.',
        paste: sparkConfPaste([
          'spark.emr-serverless.executor.disk.type=shuffle_optimized',
          'spark.emr-serverless.executor.disk=1000G',
        ]),
      };
    },
  },
  {
    id: 'stack-overflow',
    // The JVM prepends JAVA_TOOL_OPTIONS to its command-line options (Oracle's troubleshooting
    // guide), so EMR's own Java options stay; a -Xss among them would win (none is set, unverified).
    title: "A JVM thread's stack overflowed",
    patterns: [/java\.lang\.StackOverflowError/, /^StackOverflowError/],
    cause: () =>
      "Hail's query compiler recursed deeper than the JVM's default thread stack allows (Hail's own clusters run with `-Xss4M`).",
    fix: () => ({
      action:
        "Raise the thread stack through `JAVA_TOOL_OPTIONS`, which the JVM reads in addition to EMR's Java options (they stay as they are; `extraJavaOptions` would replace them).",
      paste: sparkConfPaste([
        'spark.emr-serverless.driverEnv.JAVA_TOOL_OPTIONS=-Xss4m',
        'spark.executorEnv.JAVA_TOOL_OPTIONS=-Xss4m',
      ]),
    }),
  },
  {
    id: 'execution-timeout',
    title: 'The job run reached its execution timeout',
    // stateDetails also quotes the job's last exception: only a run that ran counts.
    onlyIf: (f) => f.started,
    sources: ['stateDetails'],
    patterns: [
      /executionTimeoutMinutes|execution timeout|exceeded (?:the )?(?:maximum )?(?:execution|run) ?time/i,
    ],
    cause: (_m, ctx) =>
      `EMR Serverless stopped the job run when it reached its execution timeout${ctx.timeoutMinutes ? ` (${ctx.timeoutMinutes} minutes, from \`timeout-minutes\`)` : ''}.`,
    fix: (_m, ctx) => ({
      action:
        'Allow a longer run (at most 10080 minutes), or make the job faster (more executors, fewer partitions to recompute).',
      paste: inputsPaste({ 'timeout-minutes': String(Math.min(10080, (ctx.timeoutMinutes ?? 120) * 2)) }),
    }),
  },
  {
    id: 'application-quota',
    title: 'The application could not get capacity',
    // stateDetails also quotes the job's last exception: only a run that never started counts.
    onlyIf: (f) => !f.started,
    sources: ['stateDetails'],
    patterns: [/quota|limit exceeded|Max concurrent vCPUs|maximum capacity|maximumCapacity/i],
    cause: () =>
      "The job could not get workers: the application's `maximumCapacity` or the account's EMR Serverless vCPU quota was reached.",
    fix: (_m, ctx) => ({
      action:
        'Raise the application\'s maximum capacity, or the account quota "Max concurrent vCPUs per account" in Service Quotas (EMR Serverless).',
      paste: {
        target: 'a shell with AWS credentials',
        language: 'shell',
        text: `aws emr-serverless update-application --application-id ${ctx.applicationId ?? '<application-id>'} --maximum-capacity cpu=400vCPU,memory=3000GB,disk=20000GB`,
      },
    }),
  },
  {
    id: 'application-network',
    title: "The application's network configuration failed",
    // stateDetails also quotes the job's last exception: only a run that never started counts.
    onlyIf: (f) => !f.started,
    sources: ['stateDetails'],
    patterns: [/subnet|security group|network interface|\bENI\b|IP address/i],
    cause: () =>
      "EMR Serverless could not place workers in the application's VPC: a subnet is out of IP addresses, or a subnet or security group is wrong or gone.",
    fix: (_m, ctx) => ({
      action:
        'Give the application subnets with free IP addresses (in several Availability Zones) and a security group that exists, in its `networkConfiguration`.',
      paste: {
        target: 'a shell with AWS credentials',
        language: 'shell',
        text: `aws emr-serverless update-application --application-id ${ctx.applicationId ?? '<application-id>'} --network-configuration subnetIds=<subnet-a>,<subnet-b>,securityGroupIds=<sg>`,
      },
    }),
  },
  {
    id: 'queued-until-timeout',
    title: 'The job run never started running',
    run: (f) => f.endedByAction === 'timeout' && !f.started,
    cause: () =>
      "The job run waited (QUEUED, SCHEDULED or PENDING) until `timeout-minutes` ran out: the application's `maximumCapacity`, its concurrent job runs or the account's vCPU quota left no room for it.",
    fix: (_m, ctx) => ({
      action:
        'Raise the application\'s maximum capacity (or the account quota "Max concurrent vCPUs per account"), or let fewer job runs share the application.',
      paste: {
        target: 'a shell with AWS credentials',
        language: 'shell',
        text: `aws emr-serverless update-application --application-id ${ctx.applicationId ?? '<application-id>'} --maximum-capacity cpu=400vCPU,memory=3000GB,disk=20000GB`,
      },
    }),
  },
  {
    id: 'action-timeout',
    title: "The job run outlasted the action's time limit",
    run: (f) => f.endedByAction === 'timeout' && f.started,
    cause: (_m, ctx) =>
      `The job run was still running when \`timeout-minutes\`${ctx.timeoutMinutes ? ` (${ctx.timeoutMinutes})` : ''} ran out, so the action cancelled it.`,
    fix: (_m, ctx) => ({
      action: 'Allow a longer run (at most 10080 minutes).',
      paste: inputsPaste({ 'timeout-minutes': String(Math.min(10080, (ctx.timeoutMinutes ?? 120) * 2)) }),
    }),
  },
];
