// Compares part sizes and parts in flight for the uploader against the capped S3 target (each
// connection limited, a round trip per request, as on S3): whole-process time and peak RSS of
// bench/upload-entry.ts, a 256 MiB file, each setting run `runs` times in rotation.
//
//   node bench/tune-upload.mjs [runs] [MiBxN ...]     e.g. node bench/tune-upload.mjs 3 8x8 5x10 8x6
import { ROOT, NODE } from '../test/fixtures/action-runner.mjs';
import { bundleEntry } from './lib/build.mjs';
import { startCappedS3 } from '../test/fixtures/capped-s3.mjs';
import { ensureRandomFile } from './lib/files.mjs';
import { timeCommand } from './lib/proc.mjs';
import { freshBucket, makeS3 } from './lib/stack.mjs';
import { median } from './lib/stats.mjs';
import { CAP } from './sections/whole-step.mjs';

const [runsArg, ...settingsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const settings = (settingsArg.length ? settingsArg : ['8x8', '8x6', '5x10', '6x8', '5x16']).map((s) =>
  s.split('x').map(Number),
);
const entry = (await bundleEntry(ROOT, 'bench/upload-entry.ts')).file;
const file = ensureRandomFile(256 << 20);
const s3 = await startCappedS3(CAP);
const bucket = await freshBucket(makeS3(s3.url));
const env = {
  PATH: process.env.PATH ?? '',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing-secret',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_S3: s3.url,
};
const results = new Map(settings.map(([mib, n]) => [`${mib} MiB x ${n}`, { ms: [], rss: [] }]));
try {
  for (let i = 0; i < runs; i++) {
    for (const [mib, n] of settings) {
      const r = await timeCommand(
        NODE,
        [entry, file, `s3://${bucket}/t-${mib}-${n}-${i}`, String(mib), String(n)],
        { env },
      );
      if (r.code !== 0) throw new Error(r.stderr);
      const res = results.get(`${mib} MiB x ${n}`);
      res.ms.push(r.ms);
      res.rss.push(r.peakRssKiB / 1024);
    }
  }
} finally {
  await s3.close();
}
console.log(
  `256 MiB to the capped target (${CAP.bytesPerSecond / 2 ** 20} MiB/s per connection, ${CAP.latencyMs} ms per request), ${runs} runs each`,
);
for (const [name, r] of results)
  console.log(
    `${name.padEnd(12)} median ${Math.round(median(r.ms))} ms  (${r.ms.map(Math.round).join(', ')})  peak RSS ${Math.round(Math.max(...r.rss))} MiB`,
  );
