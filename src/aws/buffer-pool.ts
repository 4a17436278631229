/**
 * A fixed number of equal buffers, lent out and given back: the memory of every upload that shares
 * the pool is at most `capacity x bufferSize`, however large the files. Buffers are made on first
 * need and dropped by `trim` once none is lent, so an idle process does not keep them.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: { resolve: (b: Buffer) => void; reject: (e: unknown) => void }[] = [];
  private made = 0;
  private lent = 0;

  constructor(
    readonly bufferSize: number,
    readonly capacity: number,
  ) {
    if (!(capacity >= 1) || !(bufferSize >= 1)) throw new Error('a buffer pool needs at least one buffer');
  }

  /** Buffers lent out now. */
  get inUse(): number {
    return this.lent;
  }

  /** Buffers in existence (lent or free): never more than `capacity`. */
  get allocated(): number {
    return this.made;
  }

  /** A buffer, as soon as one is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Buffer> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const ready = this.free.pop() ?? (this.made < this.capacity ? this.make() : undefined);
    if (ready) {
      this.lent++;
      return Promise.resolve(ready);
    }
    return new Promise<Buffer>((resolve, reject) => {
      const waiter = {
        resolve: (b: Buffer) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(b);
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(buf: Buffer): void {
    if (buf.length !== this.bufferSize) throw new Error('this buffer does not belong to the pool');
    const next = this.waiting.shift();
    if (next) return next.resolve(buf); // handed over: still lent
    this.lent--;
    this.free.push(buf);
  }

  /** Drops the free buffers (the memory returns once they are collected). */
  trim(): void {
    this.made -= this.free.length;
    this.free.length = 0;
  }

  private make(): Buffer {
    this.made++;
    return Buffer.allocUnsafeSlow(this.bufferSize);
  }
}
