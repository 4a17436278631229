// Benchmark entry (bundled with ncc into a temp dir by bench/lib/build.mjs, never shipped): uploads one
// local file with the action's own uploader, `uploadFile` from src/aws/s3-objects.ts, through an S3
// client made the way the action makes it (`createClients`), and prints how long the upload took.
//
//   node upload-entry.js <local file> s3://bucket/key [part MiB] [parts in flight]
// (the last two only to compare settings, as bench/tune-upload.mjs does; the action uses the defaults)
import { performance } from 'node:perf_hooks';
import { createClients } from '../src/aws/clients.js';
import { uploadFile } from '../src/aws/s3-objects.js';
import { parseS3Uri } from '../src/aws/s3-uri.js';

async function main(): Promise<void> {
  const [file, uri, partMiB, inFlight] = process.argv.slice(2);
  if (!file || !uri) throw new Error('usage: upload-entry <file> s3://bucket/key');
  const clients = createClients(process.env.AWS_REGION ?? 'us-east-1');
  const started = performance.now();
  const tuned = partMiB ? { partSize: Number(partMiB) * 2 ** 20, queueSize: Number(inFlight) } : {};
  await uploadFile(clients.s3, file, parseS3Uri(uri), tuned);
  const uploadMs = performance.now() - started;
  process.stdout.write(JSON.stringify({ uploadMs, sinceProcessStartMs: performance.now() }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`upload-entry: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
