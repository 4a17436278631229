import { describe, expect, it } from '@jest/globals';
import {
  buildStartJobRunRequest,
  sparkConfProblem,
  sparkProperties,
  sparkSubmitNameProblem,
  sparkSubmitParameters,
  startJobRunCliCommand,
  type JobRequestParams,
} from '../../../src/hail/spark-submit.js';
import { shellQuote } from '../../../src/util/parse.js';

const params: JobRequestParams = {
  applicationId: '00abc123',
  executionRoleArn: 'arn:aws:iam::123456789012:role/hail-job',
  clientToken: 'tok',
  name: 'gwas',
  scriptUri: 's3://b/p/scripts/aa/gwas.py',
  scriptArgs: ['--out', 's3://b/out'],
  pyFileUris: [],
  jarUri: 's3://b/p/hail/k/hail-all-spark.jar',
  envArchiveUri: 's3://b/p/hail/k/pyspark_hail.tar.gz',
  tmpDirUri: 's3://b/p/tmp/',
  logUri: 's3://b/p/logs/',
  outputUri: 's3://b/out',
  sparkConf: [],
  tags: { team: 'genomics' },
  timeoutMinutes: 90,
};

describe('buildStartJobRunRequest', () => {
  it('puts the jar and the venv archive on the spark-submit line', () => {
    const req = buildStartJobRunRequest(params);
    expect(req.jobDriver?.sparkSubmit?.sparkSubmitParameters).toBe(
      '--jars s3://b/p/hail/k/hail-all-spark.jar --archives s3://b/p/hail/k/pyspark_hail.tar.gz#environment',
    );
    expect(req.jobDriver?.sparkSubmit?.entryPoint).toBe(params.scriptUri);
    expect(req.jobDriver?.sparkSubmit?.entryPointArguments).toEqual(['--out', 's3://b/out']);
  });

  it('sets the settings Hail refuses to start without, and the venv python for driver and executors', () => {
    const props = buildStartJobRunRequest(params).configurationOverrides?.applicationConfiguration?.[0];
    expect(props?.classification).toBe('spark-defaults');
    expect(props?.properties).toMatchObject({
      'spark.serializer': 'org.apache.spark.serializer.KryoSerializer',
      'spark.kryo.registrator': 'is.hail.kryo.HailKryoRegistrator',
      'spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON': './environment/bin/python',
      'spark.emr-serverless.driverEnv.PYSPARK_PYTHON': './environment/bin/python',
      'spark.executorEnv.PYSPARK_PYTHON': './environment/bin/python',
      'spark.emr-serverless.driverEnv.HAIL_TMP_DIR': 's3://b/p/tmp/',
      'spark.emr-serverless.driverEnv.HAIL_OUTPUT_URI': 's3://b/out',
    });
  });

  it('leaves the class paths, JVM options and library paths to the EMR image (EMRFS lives there)', () => {
    const props = sparkProperties(params);
    const owned = Object.keys(props).filter((k) => /^spark\.(driver|executor)\.extra/.test(k));
    expect(owned).toEqual([]);
    expect(sparkSubmitParameters(params)).toMatch(/^--jars s3:\/\/b\/p\/hail\/k\/hail-all-spark\.jar /);
  });

  it("refuses spark-conf that would replace the image's settings or Hail's Kryo setup, and only that", () => {
    for (const side of ['driver', 'executor']) {
      for (const p of ['extraClassPath', 'extraJavaOptions', 'extraLibraryPath']) {
        expect(sparkConfProblem(`spark.${side}.${p}`, '/x')).toMatch(
          /replace the EMR image's own value.*spark\.jars/,
        );
      }
    }
    expect(sparkConfProblem('spark.driver.extraClassPath', '/x')).toMatch(/EMRFS.*EmrFileSystem/);
    expect(sparkConfProblem('spark.serializer', 'org.apache.spark.serializer.JavaSerializer')).toMatch(
      /KryoSerializer/,
    );
    expect(sparkConfProblem('spark.kryo.registrator', 'x.Y')).toMatch(/HailKryoRegistrator/);
    // Restating Hail's own values, or setting anything else, is fine.
    expect(
      sparkConfProblem('spark.serializer', 'org.apache.spark.serializer.KryoSerializer'),
    ).toBeUndefined();
    expect(sparkConfProblem('spark.kryo.registrator', 'is.hail.kryo.HailKryoRegistrator')).toBeUndefined();
    expect(sparkConfProblem('spark.jars', 's3://b/extra.jar')).toBeUndefined();
    expect(sparkConfProblem('spark.driver.memory', '8g')).toBeUndefined();
  });

  it('merges spark-conf spark.jars, spark.archives and spark.submit.pyFiles into the spark-submit lists', () => {
    // Spark takes --jars over a spark-defaults spark.jars: left in spark-defaults, they would be lost.
    const p = {
      ...params,
      pyFileUris: ['s3://b/p/scripts/cc/util.py'],
      sparkConf: [
        ['spark.jars', 's3://b/old.jar'],
        ['spark.jars', 's3://b/x.jar, s3://b/y.jar'],
        ['spark.archives', 's3://b/data.zip#data'],
        ['spark.submit.pyFiles', 's3://b/lib.zip'],
      ] as [string, string][],
    };
    expect(sparkSubmitParameters(p)).toBe(
      '--jars s3://b/p/hail/k/hail-all-spark.jar,s3://b/x.jar,s3://b/y.jar ' +
        '--archives s3://b/p/hail/k/pyspark_hail.tar.gz#environment,s3://b/data.zip#data ' +
        '--py-files s3://b/p/scripts/cc/util.py,s3://b/lib.zip',
    );
    const props = sparkProperties(p);
    expect(
      Object.keys(props).filter((k) => ['spark.jars', 'spark.archives', 'spark.submit.pyFiles'].includes(k)),
    ).toEqual([]);
    expect(sparkConfProblem('spark.jars', 's3://b/my jar.jar')).toMatch(/merged into --jars.*has a space/);
    expect(sparkConfProblem('spark.archives', 's3://b/d.zip#data')).toBeUndefined();
  });

  it('refuses names spark-submit cannot carry, saying which character', () => {
    expect(sparkSubmitNameProblem('my util.py')).toMatch(/has a space/);
    expect(sparkSubmitNameProblem('a,b.py')).toMatch(/has a comma/);
    expect(sparkSubmitNameProblem('env.tar.gz#x')).toMatch(/has "#"/);
    expect(sparkSubmitNameProblem('ci/run\t1')).toMatch(/has a space/);
    expect(sparkSubmitNameProblem('ci/hail-0.2_x+y=z@1.py')).toBeUndefined();
  });

  it('applies user spark-conf last, so it overrides a preset', () => {
    const props = sparkProperties({
      ...params,
      sparkConf: [
        ['spark.hadoop.fs.s3.maxConnections', '200'],
        ['spark.executor.memory', '8g'],
      ],
    });
    expect(props['spark.hadoop.fs.s3.maxConnections']).toBe('200');
    expect(props['spark.executor.memory']).toBe('8g');
    expect(Object.keys(props).at(-1)).toBe('spark.executor.memory');
  });

  it('sends logs to S3, the timeout, tags, BATCH mode and the retry policy only when asked', () => {
    const req = buildStartJobRunRequest(params);
    expect(req.configurationOverrides?.monitoringConfiguration?.s3MonitoringConfiguration?.logUri).toBe(
      's3://b/p/logs/',
    );
    expect(req.executionTimeoutMinutes).toBe(90);
    expect(req.mode).toBe('BATCH');
    expect(req.tags).toEqual({ team: 'genomics' });
    expect(req.retryPolicy).toBeUndefined();
    expect(buildStartJobRunRequest({ ...params, retryMaxAttempts: 3 }).retryPolicy).toEqual({
      maxAttempts: 3,
    });
  });

  it('adds CloudWatch logging beside the S3 logs only when a log group is given', () => {
    const plain = buildStartJobRunRequest(params).configurationOverrides?.monitoringConfiguration;
    expect(plain?.cloudWatchLoggingConfiguration).toBeUndefined();
    const cw = buildStartJobRunRequest({ ...params, cloudWatchLogGroup: '/aws/emr-serverless/hail' })
      .configurationOverrides?.monitoringConfiguration;
    expect(cw?.cloudWatchLoggingConfiguration).toEqual({
      enabled: true,
      logGroupName: '/aws/emr-serverless/hail',
    });
    expect(cw?.s3MonitoringConfiguration?.logUri).toBe('s3://b/p/logs/');
  });

  it('ships py-files with --py-files', () => {
    const req = buildStartJobRunRequest({
      ...params,
      pyFileUris: ['s3://b/p/scripts/1/a.py', 's3://b/p/scripts/2/b.py'],
    });
    expect(req.jobDriver?.sparkSubmit?.sparkSubmitParameters).toContain(
      '--py-files s3://b/p/scripts/1/a.py,s3://b/p/scripts/2/b.py',
    );
  });

  it('renders an equivalent AWS CLI command whose JSON arguments parse back to the request', () => {
    const req = buildStartJobRunRequest({ ...params, sparkConf: [['spark.x', "it's quoted"]] });
    const cli = startJobRunCliCommand(req, shellQuote);
    expect(cli).toMatch(/^aws emr-serverless start-job-run/);
    const driverArg = /--job-driver '([^']*)'/.exec(cli)?.[1];
    expect(JSON.parse(driverArg!)).toEqual(req.jobDriver);
    expect(cli).toContain(`'\\''`); // the single quote in a value is escaped for the shell
  });
});
