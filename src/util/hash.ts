import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';

export interface FileDigest {
  sha256: string; // lowercase hex
  size: number;
}

// 1 MiB reads: large enough that the per-call cost vanishes, small enough to stay in cache.
const CHUNK = 1 << 20;

/**
 * SHA-256 of a file at the disk's and OpenSSL's speed: positional reads into two reused buffers,
 * the next read in flight while the current one is hashed (no stream, no per-chunk allocation).
 */
export async function digestFile(path: string): Promise<FileDigest> {
  const fh = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const bufs = [Buffer.allocUnsafeSlow(CHUNK), Buffer.allocUnsafeSlow(CHUNK)];
    let size = 0;
    let which = 0;
    let pending = fh.read(bufs[0], 0, CHUNK, 0);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const current = bufs[which];
      size += bytesRead;
      which ^= 1;
      pending = fh.read(bufs[which], 0, CHUNK, size);
      hash.update(current.subarray(0, bytesRead));
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await fh.close();
  }
}

// Digests started earlier in this process (see prehash), by path and file identity: a file
// rewritten since (other size, mtime or inode) is hashed again.
const started = new Map<string, { identity: string; digest: Promise<FileDigest> }>();

async function identityOf(path: string): Promise<string> {
  const s = await stat(path, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/**
 * The file's SHA-256, reusing a digest already started by `prehash` for the same, unchanged file.
 * Bounded memory whatever the file's size.
 */
export async function sha256File(path: string): Promise<FileDigest> {
  const identity = await identityOf(path);
  const known = started.get(path);
  if (known?.identity === identity) return known.digest;
  return remember(path, identity);
}

function remember(path: string, identity: string): Promise<FileDigest> {
  const digest = digestFile(path);
  started.set(path, { identity, digest });
  // A failure is reported to whoever awaits it, and not remembered.
  digest.catch(() => {
    if (started.get(path)?.digest === digest) started.delete(path);
  });
  return digest;
}

/**
 * Starts hashing files now (one after another: they share the disk and one core), so that a later
 * `sha256File` finds the work done or under way. Errors surface there, not here.
 */
export function prehash(paths: readonly string[]): void {
  void paths.reduce<Promise<unknown>>(
    (previous, path) =>
      previous.then(() =>
        identityOf(path)
          .then((identity) =>
            started.get(path)?.identity === identity ? undefined : remember(path, identity),
          )
          .catch(() => undefined),
      ),
    Promise.resolve(),
  );
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level (undefined members dropped): equal data, equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
