import { Readable, type Writable } from 'node:stream';
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/** A byte range of an open file: one part (or the whole of a small file). */
export interface FileRange {
  fh: FileHandle;
  path: string;
  offset: number;
  length: number;
}

/**
 * Reads the range through `buf` (reused, nothing kept) and returns its CRC32, which S3 checks against
 * the bytes it receives. The range is read again to be sent; that second read comes from the page
 * cache, and it is what lets a part be streamed instead of held whole in memory.
 */
export async function crc32OfRange(range: FileRange, buf: Buffer): Promise<number> {
  let crc = 0;
  for (let done = 0; done < range.length;) {
    const n = await readSome(range, buf, done);
    crc = crc32(buf.subarray(0, n), crc);
    done += n;
  }
  return crc;
}

/**
 * The body of one request: the range, read positionally from the file as it is sent.
 *
 * The SDK's Node handler sends a stream body with `body.pipe(request)`. That path is taken here with
 * the two halves of `buf` in turn: one is being read while the other is written, and a half is read
 * into again only after the request has taken its bytes (the write callback). So a part in flight
 * holds `buf` and nothing else, and sending makes no garbage: fresh chunk buffers are freed only
 * when V8 next collects, which with few JS objects made is late, so their memory piles up.
 * Any other consumer (`read`, `for await`) gets fresh chunks through `_read`, as a stream should.
 */
export class PartBody extends Readable {
  private sending: Promise<void> | undefined;
  private request: Writable | undefined;
  private sent = 0;

  constructor(
    private readonly range: FileRange,
    private readonly buf: Buffer,
  ) {
    super({ highWaterMark: 0 }); // read only what the consumer asks for
  }

  /** Settles once nothing can be read into `buf` any more: it may then be lent again. */
  released(): Promise<void> {
    return this.sending ?? Promise.resolve();
  }

  /**
   * Stops a send still going once the request's answer is in: a server that answered early and
   * neither reads the rest nor closes the connection would otherwise hold `buf` for ever.
   */
  abandon(): void {
    if (this.request && !this.request.writableFinished) this.request.destroy();
  }

  override pipe<T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }): T {
    if (this.sending || this.sent > 0) return super.pipe(dest, options);
    this.request = dest as unknown as Writable;
    this.sending = this.sendTo(this.request, options?.end ?? true).catch(() => {
      this.destroy();
    });
    return dest;
  }

  override _read(): void {
    const n = Math.min(this.buf.length, this.range.length - this.sent);
    if (n === 0) {
      this.push(null);
      return;
    }
    const chunk = Buffer.allocUnsafe(n);
    readSome(this.range, chunk, this.sent).then(
      (got) => {
        this.sent += got;
        this.push(got === n ? chunk : chunk.subarray(0, got));
      },
      (err: Error) => this.destroy(err),
    );
  }

  private async sendTo(dest: Writable, end: boolean): Promise<void> {
    const size = Math.max(1, Math.floor(this.buf.length / PIECES));
    const pieces = Array.from({ length: PIECES }, (_, i) => this.buf.subarray(i * size, (i + 1) * size));
    const ended = () => new Error('the request ended before its body was sent');
    const closed = new Promise<never>((_resolve, reject) => dest.once('close', () => reject(ended())));
    closed.catch(() => {}); // awaited only through the races below
    const writing: Promise<void>[] = pieces.map(() => Promise.resolve());
    for (let i = 0; this.sent < this.range.length; i = (i + 1) % PIECES) {
      await Promise.race([writing[i], closed]); // the request has this piece's bytes: read into it
      if (dest.destroyed || this.destroyed) throw ended();
      const n = await readSome(this.range, pieces[i], this.sent).catch((err: Error) => {
        dest.destroy(err); // the request fails with the cause: the SDK listens to it, not to its body
        throw err;
      });
      this.sent += n;
      const chunk = pieces[i].subarray(0, n);
      writing[i] = new Promise((resolve, reject) =>
        dest.write(chunk, (err) => (err ? reject(err) : resolve())),
      );
      writing[i].catch(() => {}); // a failed write is the request's own error, which the SDK reports
    }
    if (end) dest.end();
    await Promise.race([Promise.all(writing), closed]);
  }
}

/** Pieces of `buf` in turn: one is read into while the others are being written. */
const PIECES = 2;

/** Reads at `range.offset + at` into `buf` (as much as fits and is left); fails if the file is shorter. */
async function readSome(range: FileRange, buf: Buffer, at: number): Promise<number> {
  const want = Math.min(buf.length, range.length - at);
  const { bytesRead } = await range.fh.read(buf, 0, want, range.offset + at);
  if (bytesRead === 0) throw new Error(`${range.path} got shorter while it was being uploaded`);
  return bytesRead;
}
