// Streaming scan of one driver log: its last lines and its failure excerpt, in bounded memory and
// close to gunzip's speed whatever the log's size.
//
// How it stays fast: complete lines are found with Buffer.indexOf, and a line is decoded only when
// it may matter: when its first bytes match a trigger prefix of the failure tracker (a cheap byte
// comparison), when it is one of the few lines before such a trigger, or while the tracker is inside
// a block. The tail is not kept as strings: the bytes go into a fixed-size ring, and only the last
// lines are decoded, when the state is read.
// How it stays small: the ring holds (tailLines + 2) lines of at most maxLineChars * 3 bytes each
// (a UTF-16 unit never needs more than 3 UTF-8 bytes); a longer line is cut in the ring and its
// dropped byte count remembered, and a partial line carried between chunks is cut the same way.

import { FailureTracker, LOOKBACK_LINES, TRIGGER_PREFIXES, type LogName } from './excerpt.js';
import { formatCount } from './format.js';
import type { FailureExcerpt, LogTail } from './model.js';

export const DEFAULT_TAIL_LINES = 100;
export const DEFAULT_MAX_LINE_CHARS = 2000;

const NL = 0x0a;
const EMPTY = Buffer.alloc(0);
const TRIGGERS = TRIGGER_PREFIXES.map((p) => Buffer.from(p, 'latin1'));
// First bytes of the triggers: most lines (log4j lines start with a digit) are ruled out by one read.
const TRIGGER_FIRST_BYTE = new Uint8Array(256);
for (const t of TRIGGERS) TRIGGER_FIRST_BYTE[t[0]!] = 1;

export interface LineScannerOptions {
  name: LogName;
  /** Lines kept for the tail (default 100). */
  tailLines?: number;
  /** Longer lines are cut with a note of how many bytes were dropped (default 2000). */
  maxLineChars?: number;
  /** Called with every complete line, in order (a live tail); makes the scan decode every line. */
  onLine?: (line: string, lineNo: number) => void;
}

/** What a scan has found so far. */
export interface ScanState {
  lines: string[];
  totalLines: number;
  totalBytes: number;
  omittedLines: number;
  omittedBytes: number;
  failure?: FailureExcerpt;
}

/** A line's place in a buffer, with the bytes already dropped from it (a cut carried line). */
interface LineRef {
  buf: Buffer;
  start: number;
  end: number;
  no: number;
  extra: number;
}

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Decodes one line: invalid UTF-8 becomes U+FFFD, a CR before the LF is dropped, and a line longer
 * than maxChars is cut with a note of the bytes left out.
 */
function decodeLine(
  buf: Buffer,
  start: number,
  end: number,
  extra: number,
  maxChars: number,
  capBytes: number,
): string {
  const length = end - start;
  const cut = Math.min(length, capBytes);
  let text = buf.toString('utf8', start, start + cut);
  const original = length + extra;
  if (cut === length && extra === 0) {
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.length <= maxChars) return text;
  }
  let keep = Math.min(text.length, maxChars);
  const code = text.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep--;
  text = text.slice(0, keep);
  if (cut < length || extra > 0) text = text.replace(/\uFFFD$/, ''); // a character cut in two
  const rest = original - Buffer.byteLength(text, 'utf8');
  return `${text} [… line cut: ${formatCount(rest)} more bytes]`;
}

/** The last bytes of the log (with long lines cut), in a fixed-size ring that grows up to its limit. */
class TailRing {
  private buf = EMPTY;
  private written = 0; // bytes ever written; a byte written at w sits at w % size
  private cuts: { end: number; dropped: number }[] = [];

  constructor(private readonly capacity: number) {}

  write(src: Buffer, start: number, end: number): void {
    const length = end - start;
    if (length <= 0) return;
    this.grow(length);
    const size = this.buf.length;
    let from = length > size ? end - size : start;
    let at = this.written + (from - start);
    while (from < end) {
      const offset = at % size;
      const n = Math.min(end - from, size - offset);
      src.copy(this.buf, offset, from, from + n);
      from += n;
      at += n;
    }
    this.written += length;
  }

  /** Notes that the line ending here lost `dropped` bytes. */
  markCut(dropped: number): void {
    this.cuts.push({ end: this.written, dropped });
    while (this.cuts.length > 0 && this.cuts[0]!.end < this.written - this.capacity) this.cuts.shift();
  }

  /** The last `count` lines held, oldest first; `terminated` is false for a last line without LF. */
  lastLines(
    count: number,
  ): { buf: Buffer; start: number; end: number; dropped: number; terminated: boolean }[] {
    const size = this.buf.length;
    const held = Math.min(this.written, size);
    const first = this.written - held;
    const data = Buffer.allocUnsafe(held);
    for (let copied = 0; copied < held;) {
      const offset = (first + copied) % size;
      const n = Math.min(held - copied, size - offset);
      this.buf.copy(data, copied, offset, offset + n);
      copied += n;
    }
    const cuts = new Map(this.cuts.map((c) => [c.end, c.dropped]));
    const lines: { buf: Buffer; start: number; end: number; dropped: number; terminated: boolean }[] = [];
    let end = held;
    let terminated = held > 0 && data[held - 1] === NL;
    if (terminated) end--;
    while (lines.length < count && (end > 0 || (terminated && first === 0 && end === 0))) {
      const nl = end > 0 ? data.lastIndexOf(NL, end - 1) : -1;
      // The oldest bytes held may be the end of a line whose start was overwritten.
      if (nl === -1 && first > 0) break;
      lines.push({ buf: data, start: nl + 1, end, dropped: cuts.get(first + end) ?? 0, terminated });
      terminated = true;
      if (nl === -1) break;
      end = nl;
    }
    return lines.reverse();
  }

  private grow(incoming: number): void {
    const needed = this.written + incoming;
    if (needed <= this.buf.length || this.buf.length >= this.capacity) return;
    let size = Math.max(this.buf.length * 2, 64 * 1024);
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(Math.min(size, this.capacity));
    this.buf.copy(next, 0, 0, this.written); // nothing has wrapped before the ring reaches capacity
    this.buf = next;
  }
}

/**
 * Feed a log's bytes in chunks of any size; read the tail and the failure excerpt at any time.
 */
export class LineScanner {
  private readonly tracker: FailureTracker;
  private readonly ring: TailRing;
  private readonly tailLines: number;
  private readonly maxChars: number;
  private readonly capBytes: number;
  private readonly onLine?: (line: string, lineNo: number) => void;
  private carry = EMPTY; // the incomplete last line, cut at capBytes
  private carryDropped = 0;
  private lineNo = 0;
  private totalBytes = 0;
  private lastFed = 0; // number of the last line pushed to the tracker
  private previousTail: LineRef[] = []; // the last lines of the previous region, for lookback
  private ended = false;

  constructor(opts: LineScannerOptions) {
    this.tailLines = Math.max(0, Math.floor(opts.tailLines ?? DEFAULT_TAIL_LINES));
    this.maxChars = Math.max(1, Math.floor(opts.maxLineChars ?? DEFAULT_MAX_LINE_CHARS));
    this.capBytes = this.maxChars * 3;
    this.ring = new TailRing((this.tailLines + 2) * (this.capBytes + 1));
    this.tracker = new FailureTracker(opts.name);
    this.onLine = opts.onLine;
  }

  push(chunk: Buffer | Uint8Array | string): void {
    if (this.ended) throw new Error('LineScanner: push after end');
    const buf = toBuffer(chunk);
    if (buf.length === 0) return;
    this.totalBytes += buf.length;
    const lastNl = buf.lastIndexOf(NL);
    if (lastNl === -1) return this.appendCarry(buf, 0, buf.length);
    const head = buf.subarray(0, lastNl + 1);
    const hasCarry = this.carry.length > 0 || this.carryDropped > 0;
    const region = hasCarry ? Buffer.concat([this.carry, head]) : head;
    const firstExtra = this.carryDropped;
    this.carry = EMPTY;
    this.carryDropped = 0;
    this.scanRegion(region, firstExtra);
    if (lastNl + 1 < buf.length) this.appendCarry(buf, lastNl + 1, buf.length);
  }

  /** Ends the log: a last line without a newline becomes a line. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.carry.length === 0 && this.carryDropped === 0) return;
    const line: LineRef = {
      buf: this.carry,
      start: 0,
      end: this.carry.length,
      no: ++this.lineNo,
      extra: this.carryDropped,
    };
    this.ring.write(this.carry, 0, this.carry.length);
    if (this.carryDropped > 0) this.ring.markCut(this.carryDropped);
    if (this.onLine || this.tracker.active || this.isTrigger(line.buf, 0, line.end)) {
      const idle = !this.onLine && !this.tracker.active;
      this.feed(line, idle ? this.lookback(line.buf, 0, line.no, 0) : []);
    }
    this.carry = EMPTY;
    this.carryDropped = 0;
  }

  state(): ScanState {
    const held = this.ring.lastLines(this.tailLines);
    let heldBytes = 0;
    const lines = held.map((l) => {
      heldBytes += l.end - l.start + l.dropped + (l.terminated ? 1 : 0);
      return decodeLine(l.buf, l.start, l.end, l.dropped, this.maxChars, this.capBytes);
    });
    const pending = this.ended ? 0 : this.carry.length + this.carryDropped;
    const failure = this.tracker.result();
    return {
      lines,
      totalLines: this.lineNo,
      totalBytes: this.totalBytes,
      omittedLines: this.lineNo - lines.length,
      omittedBytes: Math.max(0, this.totalBytes - pending - heldBytes),
      ...(failure ? { failure } : {}),
    };
  }

  private appendCarry(buf: Buffer, start: number, end: number): void {
    const take = Math.max(0, Math.min(this.capBytes - this.carry.length, end - start));
    if (take > 0) {
      // Copied: the producer may reuse its chunk buffer.
      const part = Buffer.from(buf.subarray(start, start + take));
      this.carry = this.carry.length > 0 ? Buffer.concat([this.carry, part]) : part;
    }
    this.carryDropped += end - start - take;
  }

  /** Scans complete lines (the region ends with LF); firstExtra = bytes already cut from line 1. */
  private scanRegion(region: Buffer, firstExtra: number): void {
    const cap = this.capBytes;
    const n = region.length;
    let start = 0;
    let flushFrom = 0; // region bytes not yet written to the ring
    let extra = firstExtra;
    while (start < n) {
      const nl = region.indexOf(NL, start);
      const length = nl - start;
      this.lineNo++;
      if (length > cap || extra > 0) {
        const kept = Math.min(length, cap);
        this.ring.write(region, flushFrom, start + kept);
        this.ring.markCut(length - kept + extra);
        flushFrom = nl; // the LF goes with the next write
      }
      if (
        this.onLine !== undefined ||
        this.tracker.active ||
        (TRIGGER_FIRST_BYTE[region[start]!] === 1 && this.isTrigger(region, start, nl))
      ) {
        const line: LineRef = { buf: region, start, end: nl, no: this.lineNo, extra };
        const idle = this.onLine === undefined && !this.tracker.active;
        this.feed(line, idle ? this.lookback(region, start, this.lineNo, firstExtra) : []);
      }
      extra = 0;
      start = nl + 1;
    }
    this.ring.write(region, flushFrom, n);
    // Kept for the next region's lookback: copied (cut at capBytes) so that neither a reused chunk
    // buffer nor a large region is held on to.
    this.previousTail = this.lookback(region, n, this.lineNo + 1, firstExtra, true).map((l) => {
      const kept = Math.min(l.end - l.start, this.capBytes);
      const buf = Buffer.from(l.buf.subarray(l.start, l.start + kept));
      return { buf, start: 0, end: kept, no: l.no, extra: l.extra + (l.end - l.start - kept) };
    });
  }

  private isTrigger(buf: Buffer, start: number, end: number): boolean {
    for (const t of TRIGGERS) {
      if (end - start >= t.length && t.compare(buf, start, start + t.length) === 0) return true;
    }
    return false;
  }

  /** Pushes the lookback lines (not pushed before) and then the line itself to the tracker. */
  private feed(line: LineRef, before: LineRef[]): void {
    for (const l of before) this.pushLine(l);
    this.pushLine(line);
  }

  private pushLine(l: LineRef): void {
    if (l.no <= this.lastFed) return;
    const text = decodeLine(l.buf, l.start, l.end, l.extra, this.maxChars, this.capBytes);
    this.lastFed = l.no;
    this.tracker.push(text, l.no);
    this.onLine?.(text, l.no);
  }

  /**
   * Up to LOOKBACK_LINES lines before the line starting at `start` (numbered `no`), oldest first,
   * continuing into the previous region's last lines when this region runs out. Lines already
   * pushed to the tracker are left out unless `includeFed` (when saving the region's last lines).
   */
  private lookback(
    region: Buffer,
    start: number,
    no: number,
    firstExtra: number,
    includeFed = false,
  ): LineRef[] {
    const out: LineRef[] = [];
    let lineStart = start;
    let n = no;
    while (out.length < LOOKBACK_LINES && lineStart > 0) {
      const end = lineStart - 1;
      const begin = end === 0 ? 0 : region.lastIndexOf(NL, end - 1) + 1;
      n--;
      if (!includeFed && n <= this.lastFed) return out.reverse();
      out.push({ buf: region, start: begin, end, no: n, extra: begin === 0 ? firstExtra : 0 });
      lineStart = begin;
    }
    for (let i = this.previousTail.length - 1; i >= 0 && out.length < LOOKBACK_LINES; i--) {
      const p = this.previousTail[i]!;
      if (p.no !== n - 1 || (!includeFed && p.no <= this.lastFed)) break;
      out.push(p);
      n--;
    }
    return out.reverse();
  }
}

export interface ScanLogOptions {
  name: LogName;
  /** s3:// URI of the log object, reported with the tail. */
  uri: string;
  tailLines?: number;
  maxLineChars?: number;
}

/**
 * Scans a whole log from an already-gunzipped byte stream (a Node stream, or any async iterable,
 * e.g. from a benchmark) and returns its tail and failure excerpt.
 */
export async function scanLog(
  source: AsyncIterable<Buffer | Uint8Array>,
  opts: ScanLogOptions,
): Promise<{ tail: LogTail; failure?: FailureExcerpt }> {
  const scanner = new LineScanner(opts);
  let readError: string | undefined;
  try {
    for await (const chunk of source) scanner.push(chunk);
  } catch (err) {
    // A truncated or corrupt gzip (or a reset connection) ends the stream early: what was read
    // before it, the traceback often included, is still the best account of the job.
    const message = (err as { message?: unknown } | undefined)?.message;
    readError = typeof message === 'string' ? message : String(err);
  }
  scanner.end();
  const { failure, ...state } = scanner.state();
  const tail: LogTail = { uri: opts.uri, found: true, ...state, ...(readError ? { readError } : {}) };
  return { tail, ...(failure ? { failure } : {}) };
}

/** The tail of a log object that does not exist (yet). */
export function missingLogTail(uri: string): LogTail {
  return { uri, found: false, lines: [], totalLines: 0, totalBytes: 0, omittedLines: 0, omittedBytes: 0 };
}
