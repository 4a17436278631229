// Reads the sample driver logs in test/data/logs and streams bytes in chunks for the scanner tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LOG_DIR = fileURLToPath(new URL('../../data/logs/', import.meta.url));

export const SAMPLE_LOGS = [
  'python-valueerror.stderr.txt',
  'hail-spark-mismatch.stderr.txt',
  'hail-kryo-missing.stderr.txt',
  'java-oom.stderr.txt',
  'python-chained.stderr.txt',
  's3-connection-pool.stderr.txt',
  'hail-registrator-missing.stderr.txt',
  'emrfs-missing.stderr.txt',
  's3a-no-filesystem.stderr.txt',
  'gs-no-filesystem.stderr.txt',
  'gs-public-dataset.stderr.txt',
  'scala-mismatch.stderr.txt',
  'java-version.stderr.txt',
  'python-too-old.stderr.txt',
  'python-env-missing.stderr.txt',
  'no-module-hail.stderr.txt',
  'no-module-other.stderr.txt',
  'access-denied-output.stderr.txt',
  'access-denied-foreign-bucket.stderr.txt',
  'container-killed.stderr.txt',
  'driver-oom.stderr.txt',
  'disk-full.stderr.txt',
  'stack-overflow.stderr.txt',
  'success.stderr.txt',
  'success.stdout.txt',
] as const;

export function readLog(name: string): Buffer {
  return readFileSync(LOG_DIR + name);
}

export function logLines(name: string): string[] {
  const text = readLog(name).toString('utf8');
  return text.replace(/\n$/, '').split('\n');
}

/** The bytes in chunks of `size` (the last one shorter), as a stream of Uint8Array would give them. */
export async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, Math.min(data.length, i + size));
}
