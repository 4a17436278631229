// A tiny zip writer for tests: stored or deflated entries, optionally in ZIP64 form (as a jar
// with more than 65,535 entries is), so the reader is tested against bytes it did not write.
import { deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  deflate?: boolean;
}

export function makeZip(entries: ZipEntry[], opts: { zip64?: boolean; comment?: string } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    const body = e.deflate ? deflateRawSync(data) : data;
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const extra = opts.zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
    if (opts.zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(data.length), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(opts.zip64 ? 0xffffffff : body.length, 20);
    central.writeUInt32LE(opts.zip64 ? 0xffffffff : data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name, extra);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const comment = Buffer.from(opts.comment ?? '');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(opts.zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(opts.zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : cd.length, 12);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, cd, ...tail, end, comment]);
}

/**
 * The start of a class file with the constant pool javac/scalac would give `is/hail/package$`
 * holding string literals (ldc targets), plus the kinds of entries the parser must step over.
 */
export function classWithLiterals(literals: string[]): Buffer {
  const pool: Buffer[] = [];
  let index = 1;
  const utf8 = (s: string) => {
    const b = Buffer.from(s);
    const h = Buffer.alloc(3);
    h[0] = 1;
    h.writeUInt16BE(b.length, 1);
    pool.push(h, b);
    return index++;
  };
  const u2entry = (tag: number, ref: number) => {
    const h = Buffer.alloc(3);
    h[0] = tag;
    h.writeUInt16BE(ref, 1);
    pool.push(h);
    return index++;
  };
  const className = utf8('is/hail/package$');
  u2entry(7, className);
  // a long constant takes two slots
  const long = Buffer.alloc(9);
  long[0] = 5;
  long.writeBigInt64BE(42n, 1);
  pool.push(long);
  index += 2;
  const methodRef = Buffer.alloc(5);
  methodRef[0] = 10;
  pool.push(methodRef);
  index++;
  utf8('SparkVersion'); // a field name: not a literal
  utf8('3.9.9'); // a Utf8 that no CONSTANT_String points at: not a literal either
  for (const lit of literals) u2entry(8, utf8(lit));
  const head = Buffer.alloc(10);
  head.writeUInt32BE(0xcafebabe, 0);
  head.writeUInt16BE(0, 4);
  head.writeUInt16BE(55, 6);
  head.writeUInt16BE(index, 8);
  return Buffer.concat([head, ...pool, Buffer.from([0, 0x21])]);
}
