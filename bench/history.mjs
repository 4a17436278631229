// `npm run bench:history`: what the run history costs a run when its analysis already has 10,000
// records. Seeds the records (named exactly as a real run named its own), runs the action once
// more through a recording proxy, and prints the history's requests and time (the action logs how
// long reading the history took) next to the whole step's time. Writes bench/history.json.
//
//   npm run bench:history [-- --records N]
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ROOT, makeWorkspace } from '../test/fixtures/action-runner.mjs';
import { startLocalStack } from '../test/fixtures/local-stack.mjs';
import { startRecorder } from './lib/recorder.mjs';
import { writeFormattedJson } from './lib/write-json.mjs';
import { ROLE, control, freshBucket, makeS3, putObject } from './lib/stack.mjs';
import { awsEnv, runAction } from '../test/fixtures/action-runner.mjs';

const args = process.argv.slice(2);
const records = args.includes('--records') ? Number(args[args.indexOf('--records') + 1]) : 10_000;

const stack = await startLocalStack({ emr: { stepMs: 50 } });
try {
  const s3 = makeS3(stack.s3Endpoint);
  const bucket = await freshBucket(s3);
  const jar = await putObject(s3, bucket, 'prebuilt/hail-all-spark.jar', 'jar');
  const env = await putObject(s3, bucket, 'prebuilt/pyspark_hail.tar.gz', 'tgz');
  const { application } = await control(stack.emrEndpoint, 'applications', {
    releaseLabel: 'emr-7.5.0',
    state: 'CREATED',
  });
  const ws = makeWorkspace({ 'job.py': 'print("ok")\n' });
  const inputs = {
    script: 'job.py',
    's3-prefix': `s3://${bucket}/ci`,
    'execution-role-arn': ROLE,
    'application-id': application.applicationId,
    'hail-version': '0.2.134',
    'hail-jar': jar,
    'hail-env-archive': env,
  };
  const aws = awsEnv({ s3: stack.s3Endpoint, emr: stack.emrEndpoint });

  // One real run names its record; the seeded ones differ only in their (inverted) time field.
  const first = await runAction({ workspace: ws, inputs, env: aws });
  if (first.code !== 0) throw new Error(`first run failed:\n${first.stdout}`);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ci/history/' }));
  const model = listed.Contents[0].Key;
  const [folder, name] = [
    model.slice(0, model.lastIndexOf('/') + 1),
    model.slice(model.lastIndexOf('/') + 1),
  ];
  const inverted = Number(name.slice(0, 13));
  const seedStart = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < records) {
        const i = next++;
        const key = `${folder}${String(inverted + (i + 1) * 60_000).padStart(13, '0')}${name.slice(13)}`;
        await putObject(s3, bucket, key, '{}');
      }
    }),
  );
  const seedMs = Date.now() - seedStart;

  const recorder = await startRecorder(stack.s3Endpoint);
  let run;
  try {
    run = await runAction({
      workspace: ws,
      inputs,
      env: awsEnv({ s3: recorder.url, emr: stack.emrEndpoint }),
    });
  } finally {
    await recorder.close();
  }
  if (run.code !== 0) throw new Error(`measured run failed:\n${run.stdout}`);
  const m = /History: (\d+) earlier records read with (\d+) LIST request\(s\) in (\d+) ms/.exec(run.stdout);
  if (!m) throw new Error(`the action did not log its history read:\n${run.stdout}`);
  const history = recorder.requests.filter(
    (q) => q.path.includes('/history/') || q.path.includes('prefix=ci%2Fhistory'),
  );
  const result = {
    date: new Date().toISOString(),
    earlierRecords: records + 1,
    recordsShownAfterOneList: Number(m[1]),
    historyRequests: history.map((q) => q.method).sort(),
    historyReadMs: Number(m[3]),
    wholeStepMs: run.ms,
    seedMs,
  };
  console.log(
    `history with ${result.earlierRecords} earlier records: ${result.historyRequests.length} requests ` +
      `(${result.historyRequests.join(', ')}), read in ${result.historyReadMs} ms ` +
      `(${result.recordsShownAfterOneList} newest records listed); whole step ${result.wholeStepMs} ms`,
  );
  await writeFormattedJson(join(ROOT, 'bench/history.json'), result);
} finally {
  await stack.stop();
}
