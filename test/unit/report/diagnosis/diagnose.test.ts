// Every known failure signature on its sample log (test/data/logs) or job run (test/data/job-runs):
// the right cause, and a fix filled in with this run's role, bucket and prefix.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { diagnose } from '../../../../src/report/diagnosis/match.js';
import type { Diagnosis, DiagnosisContext } from '../../../../src/report/diagnosis/model.js';
import { scanLog } from '../../../../src/report/log-scan.js';
import type { JobReport } from '../../../../src/report/model.js';
import { chunked, readLog } from '../sample-logs.js';

const CTX: DiagnosisContext = {
  executionRoleArn: 'arn:aws:iam::123456789012:role/hail-job-runtime',
  s3Prefix: 's3://hail-ci-artifacts/ci',
  outputUri: 's3://hail-ci-data/outputs/run-1187',
  scriptUri: 's3://hail-ci-artifacts/ci/scripts/5e1d9c2a/gwas.py',
  releaseLabel: 'emr-7.5.0',
  hailVersion: '0.2.134',
  applicationId: '00fo2kg7b4m1lq0b',
  timeoutMinutes: 120,
};

function baseReport(over: Partial<JobReport> = {}): JobReport {
  return {
    jobName: 'gwas',
    jobRunId: '00fo2kg9d3v2hs09',
    applicationId: CTX.applicationId!,
    region: 'us-east-1',
    state: 'FAILED',
    timings: { startedAt: new Date('2024-11-24T10:00:00Z') },
    logs: {},
    links: {},
    ...over,
  };
}

/** A report as collectReport builds it from a driver stderr log. */
async function fromLog(name: string, over: Partial<JobReport> = {}): Promise<JobReport> {
  const { tail, failure } = await scanLog(chunked(readLog(name), 64 * 1024), {
    name: 'stderr',
    uri: 's3://hail-ci-artifacts/ci/logs/stderr.gz',
  });
  return baseReport({ logs: { stderr: tail }, ...(failure ? { failure } : {}), ...over });
}

async function diagnoseLog(name: string, ctx: DiagnosisContext = CTX): Promise<Diagnosis> {
  const d = diagnose(await fromLog(name), ctx);
  if (!d) throw new Error(`${name}: no diagnosis`);
  return d;
}

const pasted = (d: Diagnosis): string => [d.fix.paste?.text, d.fix.alsoPaste?.text].join('\n');

describe('diagnose: each signature on its sample log', () => {
  const cases: [log: string, id: string, fix: RegExp][] = [
    ['hail-spark-mismatch.stderr.txt', 'hail-spark-mismatch', /^release-label: emr-7\.14\.0$/m],
    [
      'hail-kryo-missing.stderr.txt',
      'kryo-overridden',
      /spark\.kryo\.registrator=is\.hail\.kryo\.HailKryoRegistrator/,
    ],
    ['hail-registrator-missing.stderr.txt', 'hail-jar-missing', /^hail-artifacts: auto$/m],
    ['scala-mismatch.stderr.txt', 'scala-mismatch', /^release-label: emr-7\.\d+\.0$/m],
    ['java-version.stderr.txt', 'java-version', /^hail-version: "0\.2\.134"$/m],
    ['python-too-old.stderr.txt', 'python-too-old', /^hail-version: "0\.2\.115"$/m],
    ['no-module-hail.stderr.txt', 'no-module-hail', /PYSPARK_PYTHON=\.\/environment\/bin\/python/],
    ['no-module-other.stderr.txt', 'no-module', /^python-requirements: requirements\.txt$/m],
    ['python-env-missing.stderr.txt', 'python-env-missing', /venv --copies/],
    ['s3a-no-filesystem.stderr.txt', 'no-filesystem-s3a', /^s3:\/\/hail-ci-data\/cohorts\/1kg\.mt$/m],
    [
      'gs-public-dataset.stderr.txt',
      'gs-public-dataset',
      /^s3:\/\/gnomad-public-us-east-1\/release\/4\.1\/ht\/exomes\//,
    ],
    [
      's3-connection-pool.stderr.txt',
      's3-connection-pool',
      /^ {2}spark\.hadoop\.fs\.s3\.maxConnections=2000$/m,
    ],
    ['container-killed.stderr.txt', 'container-out-of-memory', /spark\.executor\.memoryOverhead=7g/],
    ['java-oom.stderr.txt', 'executor-out-of-memory', /^ {2}spark\.executor\.memory=27g$/m],
    ['driver-oom.stderr.txt', 'driver-out-of-memory', /^ {2}spark\.driver\.memory=27g$/m],
    ['disk-full.stderr.txt', 'disk-full', /spark\.emr-serverless\.executor\.disk=200G/],
    [
      'stack-overflow.stderr.txt',
      'stack-overflow',
      /spark\.emr-serverless\.driverEnv\.JAVA_TOOL_OPTIONS=-Xss4m/,
    ],
  ];
  for (const [log, id, fix] of cases) {
    it(`${log} -> ${id}`, async () => {
      const d = await diagnoseLog(log);
      expect(d.id).toBe(id);
      expect(pasted(d)).toMatch(fix);
      expect(d.cause.length).toBeGreaterThan(20);
      expect(d.evidence.line.length).toBeGreaterThan(0);
    });
  }

  it('names the Spark versions of a jar/runtime mismatch', async () => {
    const d = await diagnoseLog('hail-spark-mismatch.stderr.txt');
    expect(d.cause).toContain('compiled for Spark 3.5, but the release runs Spark `3.3.1-amzn-0`');
  });

  it('EmrFileSystem not found: blames a replaced extraClassPath and tells to remove it (no paste that sets it)', async () => {
    const d = await diagnoseLog('emrfs-missing.stderr.txt');
    expect(d.id).toBe('emrfs-missing');
    expect(d.cause).toContain('extraClassPath');
    expect(d.fix.action).toMatch(/^Remove `spark\.driver\.extraClassPath`/);
    expect(d.fix.paste).toBeUndefined();
  });

  it('gs:// paths outside the public datasets: copy to S3', async () => {
    const d = await diagnoseLog('gs-no-filesystem.stderr.txt');
    expect(d.id).toBe('no-filesystem-gs');
    expect(d.fix.action).toContain('s3://');
  });

  it('StackOverflowError: appends -Xss through JAVA_TOOL_OPTIONS, never extraJavaOptions', async () => {
    const d = await diagnoseLog('stack-overflow.stderr.txt');
    expect(d.fix.paste!.text).toBe(
      'spark-conf: |\n  spark.emr-serverless.driverEnv.JAVA_TOOL_OPTIONS=-Xss4m\n  spark.executorEnv.JAVA_TOOL_OPTIONS=-Xss4m',
    );
    expect(d.fix.paste!.text).not.toContain('extraJavaOptions');
  });

  it('memory fixes name the worker sizes EMR Serverless allows', async () => {
    for (const log of ['java-oom.stderr.txt', 'driver-oom.stderr.txt', 'container-killed.stderr.txt']) {
      const d = await diagnoseLog(log);
      expect(d.fix.action).toContain(
        '4 vCPU workers with 8–30 GB, 8 vCPU with 16–60 GB (4 GB steps), 16 vCPU with 32–120 GB (8 GB steps)',
      );
    }
  });
});

describe("diagnose: fixes raise a setting from what the job had (the action's presets, then spark-conf)", () => {
  const withConf = (sparkConf: Record<string, string>): DiagnosisContext => ({ ...CTX, sparkConf });

  it('the connection pool doubles from the preset 1000, or from the spark-conf value', async () => {
    const preset = await diagnoseLog('s3-connection-pool.stderr.txt');
    expect(preset.cause).toContain('1000 in this job');
    const raised = await diagnoseLog(
      's3-connection-pool.stderr.txt',
      withConf({ 'spark.hadoop.fs.s3.maxConnections': '3000' }),
    );
    expect(raised.fix.paste!.text).toBe('spark-conf: |\n  spark.hadoop.fs.s3.maxConnections=6000');
  });

  it('executor memory steps up through the worker sizes, and says so when none is bigger', async () => {
    const steps: [string | undefined, string | undefined][] = [
      [undefined, 'spark-conf: |\n  spark.executor.memory=27g'],
      ['16g', 'spark-conf: |\n  spark.executor.memory=27g'],
      ['27g', 'spark-conf: |\n  spark.executor.cores=8\n  spark.executor.memory=54g'],
      ['56000m', 'spark-conf: |\n  spark.executor.cores=16\n  spark.executor.memory=108g'],
      ['108g', undefined],
    ];
    for (const [now, paste] of steps) {
      const d = await diagnoseLog(
        'java-oom.stderr.txt',
        withConf(now ? { 'spark.executor.memory': now } : {}),
      );
      expect(d.fix.paste?.text).toBe(paste);
      if (!paste) expect(d.fix.action).toMatch(/already has the largest worker/);
    }
  });

  it('disk: 200 GB first, then shuffle-optimized disks', async () => {
    const first = await diagnoseLog('disk-full.stderr.txt');
    expect(first.fix.paste!.text).toContain('spark.emr-serverless.executor.disk=200G');
    const next = await diagnoseLog(
      'disk-full.stderr.txt',
      withConf({ 'spark.emr-serverless.executor.disk': '200G' }),
    );
    expect(next.fix.paste!.text).toBe(
      'spark-conf: |\n  spark.emr-serverless.executor.disk.type=shuffle_optimized\n  spark.emr-serverless.executor.disk=1000G',
    );
  });

  it('overhead already raised: the next fix is a bigger worker', async () => {
    const d = await diagnoseLog(
      'container-killed.stderr.txt',
      withConf({ 'spark.executor.memoryOverhead': '7g' }),
    );
    expect(d.fix.paste!.text).toContain('spark.executor.cores=8');
  });
});

describe('diagnose: AccessDenied names the job runtime role and the statement for this bucket and prefix', () => {
  it('on the output prefix: a write grant on output-uri, for the role of execution-role-arn', async () => {
    const d = await diagnoseLog('access-denied-output.stderr.txt');
    expect(d.id).toBe('s3-access-denied');
    expect(d.cause).toContain('the job runtime role `hail-job-runtime`');
    expect(d.cause).toContain(
      'the output prefix (`output-uri`) (`s3://hail-ci-data/outputs/run-1187/gwas.ht`)',
    );
    expect(d.fix.paste!.target).toContain('`hail-job-runtime`');
    expect(JSON.parse(d.fix.paste!.text)).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::hail-ci-data',
        Condition: { StringLikeIfExists: { 's3:prefix': ['outputs/run-1187', 'outputs/run-1187/*'] } },
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        Resource: 'arn:aws:s3:::hail-ci-data/outputs/run-1187/*',
      },
    ]);
    expect(d.fix.alsoPaste).toBeUndefined();
  });

  it('on the tmp dir: the grant covers <s3-prefix>/tmp', async () => {
    const report = await fromLog('access-denied-output.stderr.txt');
    // The same failure, met on Hail's tmp dir.
    const failure = report.failure!;
    const lines = failure.lines.map((l) =>
      l.replace(
        'gwas.write("s3://hail-ci-data/outputs/run-1187/gwas.ht"',
        'mt.checkpoint("s3://hail-ci-artifacts/ci/tmp/qc.mt"',
      ),
    );
    const d = diagnose({ ...report, failure: { ...failure, lines } }, CTX)!;
    expect(d.cause).toContain("Hail's tmp dir");
    const [list, objects] = JSON.parse(d.fix.paste!.text);
    expect(list.Condition.StringLikeIfExists['s3:prefix']).toEqual(['ci/tmp', 'ci/tmp/*']);
    expect(objects.Resource).toBe('arn:aws:s3:::hail-ci-artifacts/ci/tmp/*');
    expect(objects.Action).toContain('s3:PutObject');
  });

  it('on the entry point: a read grant only', async () => {
    const report = await fromLog('access-denied-output.stderr.txt');
    const failure = report.failure!;
    const lines = failure.lines.map((l) =>
      l.replace(
        /gwas\.write\("[^"]*", overwrite=True\)/,
        'hl.import_table("s3://hail-ci-artifacts/ci/scripts/5e1d9c2a/gwas.py")',
      ),
    );
    const d = diagnose({ ...report, failure: { ...failure, lines } }, CTX)!;
    expect(d.cause).toContain('the entry point');
    const [, objects] = JSON.parse(d.fix.paste!.text);
    expect(objects.Action).toEqual(['s3:GetObject']);
    expect(objects.Resource).toBe('arn:aws:s3:::hail-ci-artifacts/ci/*');
  });

  it("on someone else's bucket: the grant, and the requester-pays header as the other possible cause", async () => {
    const d = await diagnoseLog('access-denied-foreign-bucket.stderr.txt');
    expect(d.id).toBe('s3-access-denied');
    expect(d.cause).toContain('`s3://shared-genomes-rp/1kg/phase3.mt`');
    expect(d.cause).toContain('Requester Pays');
    const [, objects] = JSON.parse(d.fix.paste!.text);
    expect(objects).toEqual({
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: 'arn:aws:s3:::shared-genomes-rp/1kg/*',
    });
    expect(d.fix.alsoPaste!.text).toBe('spark-conf: |\n  spark.hadoop.fs.s3.useRequesterPaysHeader=true');
  });
});

describe('diagnose: how the run ended (job runs in test/data/job-runs/states.json)', () => {
  const runs = JSON.parse(
    readFileSync(new URL('../../../data/job-runs/states.json', import.meta.url), 'utf8'),
  ) as Record<
    string,
    { state: JobReport['state']; stateDetails: string; endedByAction?: 'timeout'; started: boolean }
  >;
  const expected: Record<string, RegExp> = {
    'execution-timeout': /^timeout-minutes: "240"$/,
    'application-quota': /--maximum-capacity cpu=400vCPU/,
    'application-network': /--network-configuration subnetIds=/,
    'queued-until-timeout': /--maximum-capacity cpu=400vCPU/,
    'action-timeout': /^timeout-minutes: "240"$/,
  };
  for (const [id, run] of Object.entries(runs)) {
    it(id, () => {
      const report = baseReport({
        state: run.state,
        stateDetails: run.stateDetails,
        endedByAction: run.endedByAction,
        timings: run.started ? { startedAt: new Date() } : {},
        logs: {},
      });
      const d = diagnose(report, CTX)!;
      expect(d.id).toBe(id);
      expect(d.fix.paste!.text).toMatch(expected[id]!);
      if (d.fix.paste!.language === 'shell') expect(d.fix.paste!.text).toContain(CTX.applicationId);
    });
  }
});

describe('diagnose: no guess', () => {
  it('an unknown failure (a Python ValueError) matches nothing', async () => {
    expect(diagnose(await fromLog('python-valueerror.stderr.txt'), CTX)).toBeUndefined();
    expect(diagnose(await fromLog('python-chained.stderr.txt'), CTX)).toBeUndefined();
  });

  it('a retried OOM warning in the tail does not outvote the traceback that ended the job', async () => {
    const report = await fromLog('python-valueerror.stderr.txt');
    const noisy = {
      ...report.logs.stderr!,
      lines: [
        '24/11/24 11:42:05 WARN TaskSetManager: Lost task 7.0 in stage 4.0 (TID 212) ([::1] executor 5): java.lang.OutOfMemoryError: Java heap space',
        ...report.logs.stderr!.lines,
      ],
    };
    expect(report.failure!.kind).toBe('python-traceback');
    expect(diagnose({ ...report, logs: { stderr: noisy } }, CTX)).toBeUndefined();
    // Without a traceback (only "User application exited"), the tail is where the cause is.
    const javaOnly = { ...report.failure!, kind: 'java-exception' as const };
    expect(diagnose({ ...report, failure: javaOnly, logs: { stderr: noisy } }, CTX)?.id).toBe(
      'executor-out-of-memory',
    );
  });

  it('success, a workflow cancellation and a cancellation from outside are not diagnosed', async () => {
    const failed = await fromLog('s3-connection-pool.stderr.txt');
    expect(diagnose({ ...failed, state: 'SUCCESS' }, CTX)).toBeUndefined();
    expect(
      diagnose({ ...failed, state: 'CANCELLED', endedByAction: 'workflow-cancelled' }, CTX),
    ).toBeUndefined();
    expect(diagnose({ ...failed, state: 'CANCELLED' }, CTX)).toBeUndefined();
  });

  it("Hail's Python without its jar: 'JavaPackage' object is not callable", () => {
    const report = baseReport({
      failure: {
        kind: 'python-traceback',
        headline: "TypeError: 'JavaPackage' object is not callable",
        lines: ["TypeError: 'JavaPackage' object is not callable"],
        source: 'stderr',
        frames: [],
      },
    });
    expect(diagnose(report, CTX)?.id).toBe('hail-jar-missing');
  });

  it('a long value from a log is clipped before it reaches the cause', async () => {
    const report = await fromLog('java-version.stderr.txt');
    const long = `Hail requires Java 8 or 11, found ${'9'.repeat(5000)}`;
    const d = diagnose({ ...report, failure: { ...report.failure!, lines: [long] } }, CTX)!;
    expect(d.cause.length).toBeLessThan(500);
  });

  it("a job's own exception quoted in stateDetails is not taken for a capacity or network failure", () => {
    const report = baseReport({
      stateDetails:
        'Job failed, please check complete logs in configured logging destination. ExitCode: 1. Last few exceptions: ValueError: no IP address for sample quota table',
    });
    expect(diagnose(report, CTX)).toBeUndefined();
  });

  it('the Scala pattern does not fire on an unrelated NoSuchMethodError', () => {
    const report = baseReport({
      failure: {
        kind: 'java-exception',
        headline: "java.lang.NoSuchMethodError: 'void org.example.Foo.bar()'",
        lines: ["java.lang.NoSuchMethodError: 'void org.example.Foo.bar()'"],
        source: 'stderr',
        frames: [],
      },
    });
    expect(diagnose(report, CTX)).toBeUndefined();
  });

  it('a value from the log cannot break out of a code span (backticks are replaced)', () => {
    const report = baseReport({
      failure: {
        kind: 'python-traceback',
        headline: "ModuleNotFoundError: No module named 'x'",
        lines: ['Hail requires Java 8 or 11, found 17`<b>x</b>`'],
        source: 'stderr',
        frames: [],
      },
    });
    const d = diagnose(report, CTX)!;
    expect(d.id).toBe('java-version');
    expect(d.cause).not.toContain('`<');
  });
});
