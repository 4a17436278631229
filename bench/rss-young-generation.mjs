// `node bench/rss-young-generation.mjs`: how much of the whole step's peak RSS with a 1 GiB jar is
// V8's young generation. Runs dist/index.js (wait: false, a fresh jar each run) on moto, with and
// without NODE_OPTIONS=--max-semi-space-size=1, and prints each run's peak RSS (VmHWM). The action
// cannot set that flag (the runner starts node); the difference is what allocating less per part
// could win. Seen: 152-157 MiB against 144 with parts held whole in 5 MiB buffers; 126 against 120
// once parts were streamed through 1 MiB buffers.
import { closeSync, copyFileSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { awsEnv, makeWorkspace, runAction } from '../test/fixtures/action-runner.mjs';
import { startLocalStack } from '../test/fixtures/local-stack.mjs';
import { ensureRandomFile } from './lib/files.mjs';
import { baseInputs, freshBucket, makeS3, peakRssKiB, seedApplication } from './lib/stack.mjs';

const stack = await startLocalStack({ emr: { stepMs: 50 } });
try {
  const bucket = await freshBucket(makeS3(stack.s3Endpoint));
  const applicationId = await seedApplication(stack.emrEndpoint);
  const ws = makeWorkspace({ 'jobs/q.py': 'print(1)\n' });
  mkdirSync(join(ws, 'build'), { recursive: true });
  const jar = join(ws, 'build/hail-all-spark.jar');
  copyFileSync(await ensureRandomFile(1 << 30), jar);
  copyFileSync(await ensureRandomFile(2 << 20), join(ws, 'build/pyspark_hail.tar.gz'));
  const inputs = {
    ...baseInputs({ bucket, applicationId, script: 'jobs/q.py' }),
    'hail-jar': 'build/hail-all-spark.jar',
    'hail-env-archive': 'build/pyspark_hail.tar.gz',
    wait: 'false',
  };
  for (const nodeOptions of ['', '--max-semi-space-size=1', '']) {
    const fd = openSync(jar, 'r+');
    writeSync(fd, randomBytes(32), 0, 32, 0); // new bytes: hashed and uploaded in full
    closeSync(fd);
    let peak = 0;
    const started = Date.now();
    const r = await runAction({
      workspace: ws,
      inputs,
      env: {
        ...awsEnv({ s3: stack.s3Endpoint, emr: stack.emrEndpoint }),
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      },
      timeoutMs: 180_000,
      onSpawn: (child) => {
        const t = setInterval(() => (peak = Math.max(peak, peakRssKiB(child.pid) || 0)), 50);
        child.once('exit', () => clearInterval(t));
      },
    });
    console.log(
      `${nodeOptions || '(no flags)'}: exit ${r.code}, ${Date.now() - started} ms, peak RSS ${Math.round(peak / 1024)} MiB`,
    );
  }
} finally {
  await stack.stop();
}
