import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { digestFile, prehash, sha256File } from '../../../src/util/hash.js';

const dir = mkdtempSync(join(tmpdir(), 'hes-hash-'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('sha256File', () => {
  it('hashes files across read boundaries (empty, exactly 1 MiB, 2.5 MiB + 1)', async () => {
    for (const size of [0, 1 << 20, 2.5 * (1 << 20) + 1]) {
      const data = randomBytes(size);
      const path = join(dir, `f-${size}`);
      writeFileSync(path, data);
      expect(await digestFile(path)).toEqual({ sha256: sha(data), size });
      expect(await sha256File(path)).toEqual({ sha256: sha(data), size });
    }
  });

  it('gives the prehashed digest for an unchanged file, and hashes again a file rewritten since', async () => {
    const path = join(dir, 'jar');
    const first = randomBytes(3000);
    writeFileSync(path, first);
    prehash([path, join(dir, 'missing')]); // a missing file is reported by sha256File, not by prehash
    expect((await sha256File(path)).sha256).toBe(sha(first));
    const second = randomBytes(3000); // same size: only mtime/ctime tell it apart
    writeFileSync(path, second);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect((await sha256File(path)).sha256).toBe(sha(second));
    await expect(sha256File(join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});
