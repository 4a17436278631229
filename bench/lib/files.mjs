// Test files for the benchmark, made once and cached under the OS temp dir.
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from './driver-log.mjs';

/** A file of `bytes` random (incompressible, like a jar) bytes. */
export function ensureRandomFile(bytes, name = `random-${bytes}.bin`) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, name);
  if (existsSync(file) && statSync(file).size === bytes) return file;
  const tmp = `${file}.tmp${process.pid}`;
  const fd = openSync(tmp, 'w');
  const buf = Buffer.allocUnsafe(8 << 20);
  for (let left = bytes; left > 0;) {
    const n = Math.min(left, buf.length);
    randomFillSync(buf, 0, n);
    writeSync(fd, buf, 0, n);
    left -= n;
  }
  closeSync(fd);
  renameSync(tmp, file);
  return file;
}
