// The EMR image's world as the local EMR Serverless server models it: the image's Spark defaults
// (a job-level extraClassPath replaces them, and without EMRFS s3:// fails), Hail's start-up
// checks and EMRFS's folder markers (the stub `hail` package), and many executor logs.
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  CreateApplicationCommand,
  EMRServerlessClient,
  GetJobRunCommand,
  StartJobRunCommand,
  type JobRun,
  type StartJobRunCommandInput,
} from '@aws-sdk/client-emr-serverless';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type EmrServer } from '../fixtures/emr-server.mjs';
import { startOwnEmr, type OwnEmr } from './stack.js';
import { waitUntil } from '../fixtures/proc-util.mjs';

const T = 60_000;
jest.setTimeout(T);
const ROLE = 'arn:aws:iam::123456789012:role/emr-serverless-job-role';
const KRYO = {
  'spark.serializer': 'org.apache.spark.serializer.KryoSerializer',
  'spark.kryo.registrator': 'is.hail.kryo.HailKryoRegistrator',
};
const EMRFS_MISSING =
  'java.lang.RuntimeException: java.lang.ClassNotFoundException: Class com.amazon.ws.emr.hadoop.fs.EmrFileSystem not found';

let own: OwnEmr;
let server: EmrServer;
let emr: EMRServerlessClient;
let s3: S3Client;
let bucket: string;
let appId: string;
let jar: string;

beforeAll(async () => {
  own = await startOwnEmr({
    bucketPrefix: 'emr-image',
    server: { stepMs: 20, logFlushMs: 100, killGraceMs: 500 },
  });
  ({ server, emr, s3, bucket } = own);
  appId = (await emr.send(new CreateApplicationCommand({ releaseLabel: 'emr-7.12.0', type: 'SPARK' })))
    .applicationId!;
  jar = await put('artifacts/hail-all-spark.jar', 'jar');
}, T);

afterAll(() => own?.close(), T);

async function put(key: string, body: string): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return `s3://${bucket}/${key}`;
}

async function keys(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    out.push(...(page.Contents ?? []).map((c) => c.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

async function stderrOf(jobRunId: string, attempt = 1): Promise<string> {
  const dir = attempt > 1 ? `attempts/${attempt}/` : '';
  const res = await s3.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: `logs/applications/${appId}/jobs/${jobRunId}/${dir}SPARK_DRIVER/stderr.gz`,
    }),
  );
  return gunzipSync(Buffer.from(await res.Body!.transformToByteArray())).toString('utf8');
}

async function run(
  script: string,
  opts: { properties?: Record<string, string>; submit?: string; args?: string[] } = {},
  extra: Partial<StartJobRunCommandInput> = {},
): Promise<JobRun> {
  const entryPoint = await put(`scripts/${randomBytes(4).toString('hex')}.py`, script);
  const { jobRunId } = await emr.send(
    new StartJobRunCommand({
      applicationId: appId,
      executionRoleArn: ROLE,
      jobDriver: {
        sparkSubmit: {
          entryPoint,
          entryPointArguments: opts.args,
          sparkSubmitParameters: opts.submit ?? `--jars ${jar}`,
        },
      },
      configurationOverrides: {
        applicationConfiguration: opts.properties
          ? [{ classification: 'spark-defaults', properties: opts.properties }]
          : undefined,
        monitoringConfiguration: { s3MonitoringConfiguration: { logUri: `s3://${bucket}/logs/` } },
      },
      ...extra,
    }),
  );
  return waitUntil(
    async () => {
      const jr = (await emr.send(new GetJobRunCommand({ applicationId: appId, jobRunId }))).jobRun!;
      return ['SUCCESS', 'FAILED', 'CANCELLED'].includes(jr.state!) ? jr : undefined;
    },
    { timeoutMs: 110_000, intervalMs: 50, what: `job ${jobRunId}` },
  );
}

const PRINT_CONF = `import json, os\nprint(os.environ["EMR_FIXTURE_SPARK_CONF"])\n`;

describe("the image's Spark defaults", () => {
  it('gives a job the image classpath, library path and Java options unless it replaces them', async () => {
    const jr = await run(PRINT_CONF, { properties: { ...KRYO } });
    expect(jr.state).toBe('SUCCESS');
    const res = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: `logs/applications/${appId}/jobs/${jr.jobRunId}/SPARK_DRIVER/stdout.gz`,
      }),
    );
    const conf = JSON.parse(
      gunzipSync(Buffer.from(await res.Body!.transformToByteArray())).toString('utf8'),
    ) as Record<string, string>;
    for (const side of ['driver', 'executor']) {
      expect(conf[`spark.${side}.extraClassPath`]!.split(':')).toContain('/usr/share/aws/emr/emrfs/lib/*');
      expect(conf[`spark.${side}.extraLibraryPath`]).toContain('/usr/lib/hadoop/lib/native');
      expect(conf[`spark.${side}.extraJavaOptions`]).toBeTruthy();
    }
    // --jars becomes spark.jars (spark-submit's merge), and the job's own properties are there.
    expect(conf['spark.jars']).toBe(jar);
    expect(conf['spark.serializer']).toBe(KRYO['spark.serializer']);
  });

  it.each([
    ['spark-defaults driver', { 'spark.driver.extraClassPath': './hail-all-spark.jar' }, undefined],
    ['spark-defaults executor', { 'spark.executor.extraClassPath': './hail-all-spark.jar' }, undefined],
    ['--driver-class-path', {}, '--driver-class-path ./hail-all-spark.jar'],
    ['--conf', {}, '--conf spark.executor.extraClassPath=/opt/x.jar'],
  ])(
    'fails a job whose %s extraClassPath replaces the image list without EMRFS',
    async (_what, properties, flags) => {
      const jr = await run('print("never runs")\n', {
        properties: { ...KRYO, ...properties },
        submit: `--jars ${jar}${flags ? ` ${flags}` : ''}`,
      });
      expect(jr.state).toBe('FAILED');
      expect(jr.stateDetails).toContain(EMRFS_MISSING);
      expect(await stderrOf(jr.jobRunId!)).toContain(EMRFS_MISSING);
    },
    T,
  );

  it('accepts a job value that keeps the EMRFS entry (appending to the image list)', async () => {
    const withEmrfs = '/usr/share/aws/emr/emrfs/conf:/usr/share/aws/emr/emrfs/lib/*:./extra.jar';
    const jr = await run('print("ran")\n', {
      properties: {
        ...KRYO,
        'spark.driver.extraClassPath': withEmrfs,
        'spark.executor.extraClassPath': withEmrfs,
      },
    });
    expect(jr.state).toBe('SUCCESS');
  });
});

describe('Hail start-up and EMRFS in the job', () => {
  const HAIL_INIT = `import os, hail as hl
hl.init(tmp_dir=os.environ["HAIL_TMP_DIR"])
print("hail started")
`;
  const tmpProps = (tmp: string) => ({ 'spark.emr-serverless.driverEnv.HAIL_TMP_DIR': tmp });

  it("starts with the action's settings (--jars + Kryo) and writes EMRFS folder markers for tmp_dir and its parents", async () => {
    const tmp = `s3://${bucket}/run1/tmp/`;
    const jr = await run(HAIL_INIT, { properties: { ...KRYO, ...tmpProps(tmp) } });
    expect(jr.state).toBe('SUCCESS');
    expect(await keys('run1')).toEqual(expect.arrayContaining(['run1_$folder$', 'run1/tmp_$folder$']));
  });

  it("refuses to start without the Kryo serializer, in Hail's words", async () => {
    const jr = await run(HAIL_INIT, { properties: tmpProps(`s3://${bucket}/run2/tmp`) });
    expect(jr.state).toBe('FAILED');
    expect(jr.stateDetails).toContain(
      'FatalError: HailException: Found problems with SparkContext configuration:',
    );
    const stderr = await stderrOf(jr.jobRunId!);
    expect(stderr).toContain(
      'Invalid configuration property spark.serializer: required org.apache.spark.serializer.KryoSerializer.  Found: empty parameter.',
    );
    expect(stderr).toContain(
      'Invalid config parameter: spark.kryo.registrator must include is.hail.kryo.HailKryoRegistrator.Found empty parameter.',
    );
    expect(await keys('run2')).toEqual([]); // refused before touching tmp_dir
  });

  it('cannot load the registrator when the Hail jar is not in --jars / spark.jars', async () => {
    const jr = await run(HAIL_INIT, {
      properties: { ...KRYO, ...tmpProps(`s3://${bucket}/run3/tmp`) },
      submit: '--conf spark.executor.cores=4',
    });
    expect(jr.state).toBe('FAILED');
    expect(jr.stateDetails).toContain('java.lang.ClassNotFoundException: is.hail.kryo.HailKryoRegistrator');
    // spark.jars in spark-defaults counts as well
    const ok = await run(HAIL_INIT, {
      properties: { ...KRYO, ...tmpProps(`s3://${bucket}/run3b/tmp`), 'spark.jars': jar },
      submit: '--conf spark.executor.cores=4',
    });
    expect(ok.state).toBe('SUCCESS');
  });

  it('writes a .ht-shaped folder with markers, and refuses to overwrite it', async () => {
    const out = `s3://${bucket}/results/r1/t.ht`;
    const script = `import os, sys, hail as hl
hl.init(tmp_dir=os.environ["HAIL_TMP_DIR"])
hl.utils.range_table(5).write(sys.argv[1])
`;
    const props = { ...KRYO, ...tmpProps(`s3://${bucket}/results/tmp`) };
    const jr = await run(script, { properties: props, args: [out] });
    expect(jr.state).toBe('SUCCESS');
    const written = await keys('results/');
    expect(written).toEqual(
      expect.arrayContaining([
        'results/r1_$folder$',
        'results/r1/t.ht_$folder$',
        'results/r1/t.ht/rows_$folder$',
        'results/r1/t.ht/rows/parts_$folder$',
        'results/r1/t.ht/metadata.json.gz',
        'results/r1/t.ht/_SUCCESS',
      ]),
    );
    const again = await run(script, { properties: props, args: [out] });
    expect(again.state).toBe('FAILED');
    expect(again.stateDetails).toContain(`HailException: file already exists: ${out}`);
  });

  it('can be switched off (hailStub: false): then `import hail` fails as without the env archive', async () => {
    server.setConfig({ hailStub: false });
    try {
      const jr = await run(HAIL_INIT, { properties: { ...KRYO, ...tmpProps(`s3://${bucket}/run4/tmp`) } });
      expect(jr.state).toBe('FAILED');
      expect(jr.stateDetails).toContain("ModuleNotFoundError: No module named 'hail'");
    } finally {
      server.setConfig({ hailStub: true });
    }
  });
});

describe('many executor logs', () => {
  it("puts a retried attempt's driver log after more than 2,000 executor log keys", async () => {
    server.setConfig({ executorLogs: 2100 });
    try {
      const script = `import os, sys\nif os.environ["EMR_FIXTURE_ATTEMPT"] == "1": sys.exit(3)\nprint("second attempt")\n`;
      const jr = await run(script, {}, { retryPolicy: { maxAttempts: 2 } });
      expect(jr.state).toBe('SUCCESS');
      expect(jr.attempt).toBe(2);
      const prefix = `logs/applications/${appId}/jobs/${jr.jobRunId}/`;
      const all = await keys(prefix);
      const driver2 = all.indexOf(`${prefix}attempts/2/SPARK_DRIVER/stderr.gz`);
      expect(driver2).toBeGreaterThan(2000);
      expect(all.filter((k) => k.startsWith(`${prefix}SPARK_EXECUTOR/`))).toHaveLength(2100);
    } finally {
      server.setConfig({ executorLogs: 0 });
    }
  }, 120_000);
});
