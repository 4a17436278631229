// Bundles the benchmark's small TypeScript entries (bench/*-entry.ts) with ncc, the way the action
// itself is bundled, into a cache directory under the OS temp dir. A bundle is rebuilt only when its
// entry or anything under src/ changed (the cache key is a hash of those files).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function listFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

function sourceHash(root, entry) {
  const h = createHash('sha256');
  for (const f of [join(root, entry), join(root, 'package-lock.json'), ...listFiles(join(root, 'src'))]) {
    h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * Returns the path of the bundled entry (an index.js to run with node), building it if needed.
 * @param {string} root the repository root
 * @param {string} entry e.g. 'bench/scan-entry.ts'
 */
export async function bundleEntry(root, entry) {
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '');
  const dir = join(tmpdir(), 'hes-bench-build', `${name}-${sourceHash(root, entry)}`);
  const file = join(dir, 'index.js');
  if (existsSync(file)) return { file, cached: true };
  const tmp = `${dir}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await run(
    process.execPath,
    [join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', entry, '-o', tmp, '-q'],
    {
      cwd: root,
      maxBuffer: 16 << 20,
    },
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { file, cached: false };
}
