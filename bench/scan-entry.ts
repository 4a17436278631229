// Benchmark entry (bundled with ncc into a temp dir by bench/lib/build.mjs, never shipped): reads a
// gzipped driver log the way the action reads one from S3 (src/aws/s3-read.ts openObjectStream: the
// byte stream piped through a default `createGunzip()`) into `scanLog` from src/report/log-scan.ts,
// then prints the time, the peak RSS and what the scan found.
//
//   node scan-entry.js <log.gz> [--name stderr] [--tail 100] [--chunk-size N] [--no-scan]
// --chunk-size: gunzip output chunk size (default: zlib's 16 KiB, as the action has it), to try a change.
// --no-scan: only gunzip (count bytes), to see what the scanner itself adds.
import { createReadStream, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { scanLog } from '../src/report/log-scan.js';

/** Peak resident set size so far, in KiB, from the kernel (VmHWM), else from resourceUsage. */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args[0];
  if (!file || file.startsWith('--'))
    throw new Error('usage: scan-entry <log.gz> [--name stderr] [--tail 100] [--chunk-size N] [--no-scan]');
  const name = option(args, '--name') ?? 'stderr';
  if (name !== 'stdout' && name !== 'stderr') throw new Error('--name must be stdout or stderr');
  const tailLines = Number(option(args, '--tail') ?? '100');
  const chunkSize = option(args, '--chunk-size');
  const rssAtStartKiB = peakRssKiB();
  const started = performance.now();
  const gunzip = createGunzip(chunkSize ? { chunkSize: Number(chunkSize) } : {});
  pipeline(createReadStream(file), gunzip, () => undefined);
  let result: Record<string, unknown>;
  if (args.includes('--no-scan')) {
    let totalBytes = 0;
    for await (const chunk of gunzip) totalBytes += (chunk as Buffer).length;
    result = { totalBytes };
  } else {
    const { tail, failure } = await scanLog(gunzip, { name, uri: `file://${file}`, tailLines });
    result = {
      totalLines: tail.totalLines,
      totalBytes: tail.totalBytes,
      tailLines: tail.lines.length,
      lastLine: tail.lines[tail.lines.length - 1],
      failure: failure
        ? { kind: failure.kind, headline: failure.headline, lines: failure.lines.length }
        : null,
    };
  }
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, peakRssKiB: peakRssKiB(), rssAtStartKiB, ...result }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`scan-entry: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
