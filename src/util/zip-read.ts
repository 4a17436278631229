// Reads a few named entries out of a zip (a jar, a wheel) without reading the whole file: the end
// record, the central directory, then each wanted entry. Works over any random-access source, so
// a 200 MB jar in S3 costs a few ranged GETs. Handles ZIP64 (Hail's jar has more than 65,535
// entries), stored and deflated entries.

import { open } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';

export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
/** Refuse to inflate more than this per entry: the files we read are a few hundred bytes to a few KB. */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

export class ZipError extends Error {}

interface CentralEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function u64(buf: Buffer, at: number): number {
  const n = buf.readBigUInt64LE(at);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('zip offset too large');
  return Number(n);
}

/** Where the central directory is: from the end record, or its ZIP64 form when a field overflows. */
async function centralDirectory(src: RandomAccess): Promise<{ offset: number; size: number; count: number }> {
  if (src.size < EOCD_MIN) throw new ZipError('not a zip file (too short)');
  const tailLength = Math.min(src.size, EOCD_MIN + MAX_COMMENT + 20);
  const tailStart = src.size - tailLength;
  const tail = await src.read(tailStart, tailLength);
  let at = -1;
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new ZipError('not a zip file (no end of central directory record)');
  let count = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const loc = at - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== ZIP64_LOCATOR) throw new ZipError('ZIP64 locator missing');
    const recordOffset = u64(tail, loc + 8);
    const record = await src.read(recordOffset, 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipError('ZIP64 end record missing');
    count = u64(record, 32);
    size = u64(record, 40);
    offset = u64(record, 48);
  }
  if (offset + size > src.size) throw new ZipError('central directory lies outside the file');
  return { offset, size, count };
}

function parseCentral(buf: Buffer, count: number): CentralEntry[] {
  const entries: CentralEntry[] = [];
  let p = 0;
  for (let i = 0; i < count && p + 46 <= buf.length; i++) {
    if (buf.readUInt32LE(p) !== CENTRAL) throw new ZipError('corrupt central directory');
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    // ZIP64 extra field (id 1): the overflowing values, in this order.
    let e = p + 46 + nameLength;
    const end = e + extraLength;
    while (e + 4 <= end) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = u64(buf, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(buf, q);
          q += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(buf, q);
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, localOffset });
    p = end + commentLength;
  }
  return entries;
}

async function entryData(src: RandomAccess, entry: CentralEntry): Promise<Buffer> {
  if (entry.size > MAX_ENTRY_BYTES || entry.compressedSize > MAX_ENTRY_BYTES) {
    throw new ZipError(`${entry.name} is larger than ${MAX_ENTRY_BYTES} bytes`);
  }
  const header = await src.read(entry.localOffset, 30);
  if (header.readUInt32LE(0) !== LOCAL) throw new ZipError(`corrupt local header for ${entry.name}`);
  const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = await src.read(start, entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return inflateRawSync(raw, { maxOutputLength: MAX_ENTRY_BYTES });
  throw new ZipError(`${entry.name} uses compression method ${entry.method}`);
}

/** The contents of the entries whose names `wanted` accepts (at most `limit` of them). */
export async function readZipEntries(
  src: RandomAccess,
  wanted: (name: string) => boolean,
  limit = 8,
): Promise<Map<string, Buffer>> {
  const cd = await centralDirectory(src);
  const entries = parseCentral(await src.read(cd.offset, cd.size), cd.count);
  const out = new Map<string, Buffer>();
  for (const entry of entries.filter((e) => wanted(e.name)).slice(0, limit)) {
    out.set(entry.name, await entryData(src, entry));
  }
  return out;
}

/** A local file as a random-access source; the caller closes it. */
export async function openFileAccess(path: string): Promise<RandomAccess & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < buf.length) {
        const { bytesRead } = await handle.read(buf, done, buf.length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.subarray(0, done);
    },
    close: () => handle.close(),
  };
}
