// Finds the part of a driver log that explains a failure: the last Python traceback, a Hail error
// (its "Error summary:"), or the last Java exception with its frames.
//
// One state machine serves both the batch API (every line pushed) and the streaming scanner in
// log-scan.ts, which pushes only the lines that can matter: lines starting with one of
// TRIGGER_PREFIXES, the LOOKBACK_LINES lines before each, and every line while `active` is true.
// Because the tracker never looks further back than LOOKBACK_LINES and reacts, when idle, only to
// trigger lines, both paths give the same result.

import { clip } from './escape.js';
import type { FailureExcerpt } from './model.js';

export type LogName = FailureExcerpt['source'];
type Frame = FailureExcerpt['frames'][number];

const TRACEBACK = 'Traceback (most recent call last):';
const JAVA_FRAME = '\tat ';
const THREAD_EXCEPTION = 'Exception in thread "';
const CAUSED_BY = 'Caused by: ';
const ERROR_SUMMARY = 'Error summary: ';

/** Line prefixes that can open a block while the tracker is idle (all ASCII, so byte checks work). */
export const TRIGGER_PREFIXES: readonly string[] = [
  TRACEBACK,
  JAVA_FRAME,
  THREAD_EXCEPTION,
  CAUSED_BY,
  ERROR_SUMMARY,
];

/** How far back the tracker looks from a trigger: a Java exception's header, "Hail version:". */
export const LOOKBACK_LINES = 6;

/** Java frames kept per run of `at` lines in an excerpt; the rest are counted. */
export const MAX_FRAMES_PER_TRACE = 12;
/** Lines kept in one excerpt: the first EXCERPT_HEAD_LINES and the end. */
export const MAX_EXCERPT_LINES = 150;
const EXCERPT_HEAD_LINES = 20;
const MAX_PYTHON_FRAMES = 10_000;
const MAX_HEADLINE_CHARS = 500;

// Python prints these between the tracebacks of chained exceptions.
const CHAIN_PHRASES = new Set([
  'During handling of the above exception, another exception occurred:',
  'The above exception was the direct cause of the following exception:',
]);

const PY_FRAME = /^\s*File "(.*)", line (\d+)(?:, in (.*))?$/;
const JAVA_FRAME_LINE = /^\s+at \S/;
const JAVA_MORE = /^\s*\.\.\. \d+ (?:more|common frames omitted)/;
const JAVA_NESTED_HEADER = /^\s*(?:Caused by|Suppressed): /;
// "java.io.IOException: ...", "is.hail.utils.HailException: ...", "scala.MatchError ..."
const EXCEPTION_HEADER = /^(?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*(?:Exception|Error|Throwable)(?::|\s|$)/;
// log4j ("24/11/24 10:00:01 INFO ...") and ISO-dated log lines: the log moved on.
const TIMESTAMPED = /^(?:\d{2}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})/;
const HAIL_EXCEPTION = /HailException|is\.hail\.utils\.|hail\.utils\.java\.FatalError/;

// Ranks of Java exceptions: what killed the main thread beats what was logged at ERROR, which
// beats a stack trace logged at WARN/INFO (often retried and harmless). Spark's own "User
// application exited with N" only says that the Python process failed, so it ranks lowest.
const RANK_EXIT_ONLY = 0;
const RANK_OTHER = 1;
const RANK_ERROR = 2;
const RANK_THREAD = 3;

export function isTriggerLine(line: string): boolean {
  return TRIGGER_PREFIXES.some((p) => line.startsWith(p));
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Keeps excerpt lines in bounded memory: long runs of Java frames are counted, not stored. */
class LineCollector {
  readonly lines: string[] = [];
  private frameRun = 0;
  private framesOmitted = 0;
  private linesOmitted = 0;

  add(line: string): void {
    if (JAVA_FRAME_LINE.test(line)) {
      this.frameRun++;
      if (this.frameRun > MAX_FRAMES_PER_TRACE) {
        this.framesOmitted++;
        return;
      }
    } else {
      this.flushFrames();
      this.frameRun = 0;
    }
    this.lines.push(line);
    if (this.lines.length > MAX_EXCERPT_LINES + 50) this.compact();
  }

  /** The collected lines, ready for an excerpt: omissions noted, trailing blank lines dropped. */
  finish(): string[] {
    this.flushFrames();
    while (this.lines.length > 0 && isBlank(this.lines[this.lines.length - 1]!)) this.lines.pop();
    if (this.lines.length > MAX_EXCERPT_LINES) this.compact();
    return [...this.lines];
  }

  /** A copy that can be finished without disturbing this collector (for results mid-stream). */
  clone(): LineCollector {
    const copy = new LineCollector();
    copy.lines.push(...this.lines);
    copy.frameRun = this.frameRun;
    copy.framesOmitted = this.framesOmitted;
    copy.linesOmitted = this.linesOmitted;
    return copy;
  }

  private flushFrames(): void {
    if (this.framesOmitted === 0) return;
    this.lines.push(`\t... ${this.framesOmitted} more frames not shown in this excerpt`);
    this.framesOmitted = 0;
  }

  // Keeps the head (where a traceback starts) and the end (where the final exception is).
  private compact(): void {
    const keepEnd = MAX_EXCERPT_LINES - EXCERPT_HEAD_LINES - 1;
    const head = this.lines.slice(0, EXCERPT_HEAD_LINES);
    const previousMarker = this.linesOmitted > 0 ? 1 : 0;
    const dropped = this.lines.length - EXCERPT_HEAD_LINES - keepEnd - previousMarker;
    this.linesOmitted += dropped;
    const end = this.lines.slice(this.lines.length - keepEnd);
    this.lines.length = 0;
    this.lines.push(...head, `... ${this.linesOmitted} lines not shown in this excerpt ...`, ...end);
  }
}

interface PythonBlock {
  out: LineCollector;
  frames: Frame[];
  headline?: string;
  messageLines: number;
  embedsJavaTrace: boolean;
  summaryLines?: number; // set once Hail's "Error summary:" line was seen
  interleaved: number;
}

interface JavaBlock {
  out: LineCollector;
  rank: number;
  headers: string[]; // the exception line and "Caused by:" lines, for the headline
  summary?: string;
  endNo: number;
  inHeader: boolean; // a multi-line exception message may continue
  continuation: number;
  lines: number;
  pendingBlank: boolean;
}

interface SummaryTarget {
  block: JavaBlock;
  lines: number;
}

type Mode = 'idle' | 'py-frames' | 'py-message' | 'py-chain' | 'java' | 'summary';

/** Incremental failure finder: push lines in order (with their 1-based line numbers). */
export class FailureTracker {
  private mode: Mode = 'idle';
  private history: { text: string; no: number }[] = [];
  private py?: PythonBlock;
  private java?: JavaBlock;
  private summaryTarget?: SummaryTarget;
  private lastPython?: FailureExcerpt;
  private lastHail?: JavaBlock;
  private bestJava?: JavaBlock;
  private lastEndedJava?: JavaBlock;
  private lastSummary?: string[];

  constructor(readonly source: LogName) {}

  /** True while inside a block: the caller must push every following line. */
  get active(): boolean {
    return this.mode !== 'idle';
  }

  push(line: string, no: number): void {
    switch (this.mode) {
      case 'py-frames':
        return this.pythonFrameLine(line, no);
      case 'py-message':
        return this.pythonMessageLine(line, no);
      case 'py-chain':
        return this.pythonChainLine(line, no);
      case 'java':
        return this.javaLine(line, no);
      case 'summary':
        return this.summaryLine(line, no);
      default:
        return this.idleLine(line, no);
    }
  }

  /** The best excerpt so far (a block still open counts, so a live tail can show it early). */
  result(): FailureExcerpt | undefined {
    const python = this.py ? pythonExcerpt(this.py, this.source) : this.lastPython;
    if (python) return this.withHailSummary(python);
    const open = this.java && this.mode === 'java' ? this.java : undefined;
    const hail = open && isHail(open) ? open : this.lastHail;
    if (hail) return javaExcerpt(hail, 'hail-error', this.source);
    let java = this.bestJava;
    if (open && (!java || open.rank >= java.rank)) java = open;
    return java ? javaExcerpt(java, 'java-exception', this.source) : undefined;
  }

  private idleLine(line: string, no: number): void {
    if (line.startsWith(TRACEBACK)) return this.startPython(line);
    if (line.startsWith(THREAD_EXCEPTION)) {
      const rank = line.includes('SparkUserAppException') ? RANK_EXIT_ONLY : RANK_THREAD;
      return this.startJava([line], rank, true);
    }
    if (line.startsWith(CAUSED_BY)) return this.startJava([line], this.headerFromHistory(no).rank, true);
    if (line.startsWith(JAVA_FRAME)) {
      const header = this.headerFromHistory(no);
      this.startJava(header.lines, header.rank, false);
      return this.javaLine(line, no);
    }
    if (line.startsWith(ERROR_SUMMARY)) this.hailSummary(line, no);
    this.remember(line, no);
  }

  private remember(line: string, no: number): void {
    this.history.push({ text: line, no });
    if (this.history.length > LOOKBACK_LINES) this.history.shift();
  }

  // ---- Python tracebacks ----

  private startPython(line: string): void {
    this.py = {
      out: new LineCollector(),
      frames: [],
      messageLines: 0,
      embedsJavaTrace: false,
      interleaved: 0,
    };
    this.py.out.add(line);
    this.mode = 'py-frames';
  }

  private pythonFrameLine(line: string, no: number): void {
    const b = this.py!;
    if (/^[ \t]/.test(line)) {
      b.out.add(line);
      const m = PY_FRAME.exec(line);
      if (m && b.frames.length < MAX_PYTHON_FRAMES) {
        b.frames.push(
          m[3] === undefined
            ? { file: m[1]!, line: Number(m[2]) }
            : { file: m[1]!, line: Number(m[2]), func: m[3] },
        );
      }
      return;
    }
    if (isBlank(line)) return;
    if (line.startsWith(TRACEBACK)) {
      this.endPython();
      return this.startPython(line);
    }
    if (TIMESTAMPED.test(line)) {
      // Another thread's log line written in the middle of the traceback: skip it.
      if (++b.interleaved > 50) {
        this.endPython();
        this.idleLine(line, no);
      }
      return;
    }
    b.out.add(line);
    b.headline = line;
    b.messageLines = 0;
    this.mode = 'py-message';
  }

  private pythonMessageLine(line: string, no: number): void {
    const b = this.py!;
    if (CHAIN_PHRASES.has(line.trim())) {
      b.out.add(line);
      this.mode = 'py-chain';
      return;
    }
    if (line.startsWith(TRACEBACK)) {
      this.endPython();
      return this.startPython(line);
    }
    if (TIMESTAMPED.test(line) || line.startsWith(THREAD_EXCEPTION)) {
      this.endPython();
      return this.idleLine(line, no);
    }
    if (b.summaryLines !== undefined) {
      // Hail's summary ends its FatalError message; an indented continuation may follow.
      if (!/^[ \t]+\S/.test(line) || b.summaryLines >= 20) {
        this.endPython();
        return this.idleLine(line, no);
      }
      b.summaryLines++;
      b.out.add(line);
      return;
    }
    if (line.startsWith(ERROR_SUMMARY)) b.summaryLines = 0;
    // Hail's FatalError and py4j's Py4JJavaError embed a Java stack trace in their message.
    if (line.startsWith('Java stack trace:') || JAVA_FRAME_LINE.test(line)) b.embedsJavaTrace = true;
    if (b.messageLines >= (b.embedsJavaTrace ? 3000 : 60)) {
      this.endPython();
      return this.idleLine(line, no);
    }
    b.messageLines++;
    b.out.add(line);
  }

  private pythonChainLine(line: string, no: number): void {
    const b = this.py!;
    if (isBlank(line)) {
      b.out.add(line);
      return;
    }
    if (line.startsWith(TRACEBACK)) {
      b.out.add(line);
      this.mode = 'py-frames';
      return;
    }
    this.endPython();
    this.idleLine(line, no);
  }

  private endPython(): void {
    this.lastPython = pythonExcerpt(this.py!, this.source);
    this.py = undefined;
    this.mode = 'idle';
  }

  private withHailSummary(excerpt: FailureExcerpt): FailureExcerpt {
    if (!this.lastSummary || excerpt.lines.some((l) => l.startsWith(ERROR_SUMMARY))) return excerpt;
    return { ...excerpt, lines: [...excerpt.lines, '', ...this.lastSummary] };
  }

  // ---- Java exceptions ----

  /** The exception line(s) just before a frame, and how serious the log line before them was. */
  private headerFromHistory(no: number): { lines: string[]; rank: number } {
    const run: string[] = [];
    let rank = RANK_OTHER;
    let logLine: string | undefined;
    let expected = no - 1;
    for (let i = this.history.length - 1; i >= 0; i--, expected--) {
      const h = this.history[i]!;
      if (h.no !== expected || isBlank(h.text)) break;
      if (TIMESTAMPED.test(h.text)) {
        if (/^\S+ \S+ ERROR /.test(h.text)) rank = RANK_ERROR;
        logLine = h.text;
        break;
      }
      run.unshift(h.text);
    }
    const first = run.findIndex((l) => EXCEPTION_HEADER.test(l));
    if (first >= 0) return { lines: run.slice(first), rank };
    // log4j may put the exception on its own message line ("WARN ...: Lost task ...: java.io...").
    return { lines: logLine ? [logLine, ...run] : run.slice(-1), rank };
  }

  private startJava(headerLines: string[], rank: number, inHeader: boolean): void {
    const out = new LineCollector();
    for (const l of headerLines) out.add(l);
    this.java = {
      out,
      rank,
      headers: headerLines.slice(0, 1),
      endNo: 0,
      inHeader,
      continuation: 0,
      lines: headerLines.length,
      pendingBlank: false,
    };
    this.mode = 'java';
  }

  private javaLine(line: string, no: number): void {
    const b = this.java!;
    if (isBlank(line) && !b.pendingBlank) {
      // Spark puts a blank line before "Driver stacktrace:"; decide on the next line.
      b.pendingBlank = true;
      return;
    }
    const blank = b.pendingBlank;
    b.pendingBlank = false;
    let accepted = true;
    if (JAVA_FRAME_LINE.test(line) || JAVA_MORE.test(line)) {
      b.inHeader = false;
    } else if (JAVA_NESTED_HEADER.test(line)) {
      b.headers.push(line.trim());
      b.inHeader = true;
      b.continuation = 0;
    } else if (line.startsWith('Driver stacktrace:')) {
      b.inHeader = false;
    } else if (
      !blank &&
      b.inHeader &&
      b.continuation < 5 &&
      !isBlank(line) &&
      !TIMESTAMPED.test(line) &&
      !isTriggerLine(line)
    ) {
      b.continuation++; // a multi-line exception message
    } else {
      accepted = false;
    }
    if (accepted && b.lines < 5000) {
      if (blank) b.out.add('');
      b.out.add(line);
      b.lines += blank ? 2 : 1;
      b.endNo = no;
      return;
    }
    this.endJava();
    if (blank) this.idleLine('', no - 1);
    this.idleLine(line, no);
  }

  private endJava(): void {
    const b = this.java!;
    if (isHail(b)) this.lastHail = b;
    else if (!this.bestJava || b.rank >= this.bestJava.rank) this.bestJava = b;
    this.lastEndedJava = b;
    this.java = undefined;
    this.mode = 'idle';
  }

  // ---- Hail's "Hail version: ..." / "Error summary: ..." lines ----

  private hailSummary(line: string, no: number): void {
    const previous = this.history[this.history.length - 1];
    const versionLine = previous && previous.no === no - 1 && previous.text.startsWith('Hail version:');
    this.lastSummary = versionLine ? [previous.text, line] : [line];
    const text = line.slice(ERROR_SUMMARY.length).trim();
    // Hail prints the summary right after the Java stack trace it summarises.
    const ended = this.lastEndedJava;
    if (ended && no - ended.endNo <= 3) {
      for (const h of this.history) if (h.no > ended.endNo) ended.out.add(h.text);
      ended.out.add(line);
      ended.summary = text;
      this.lastHail = ended;
      if (this.bestJava === ended) this.bestJava = undefined;
      this.summaryTarget = { block: ended, lines: 0 };
    } else {
      const out = new LineCollector();
      for (const l of this.lastSummary) out.add(l);
      const block: JavaBlock = {
        out,
        rank: RANK_OTHER,
        headers: [],
        summary: text,
        endNo: no,
        inHeader: false,
        continuation: 0,
        lines: 0,
        pendingBlank: false,
      };
      this.lastHail = block;
      this.summaryTarget = { block, lines: 0 };
    }
    this.mode = 'summary';
  }

  private summaryLine(line: string, no: number): void {
    const t = this.summaryTarget!;
    if (!/^[ \t]+\S/.test(line) || t.lines >= 20) {
      this.summaryTarget = undefined;
      this.mode = 'idle';
      return this.idleLine(line, no);
    }
    t.lines++;
    t.block.out.add(line);
    this.lastSummary?.push(line);
    this.remember(line, no);
  }
}

function isHail(b: JavaBlock): boolean {
  return b.summary !== undefined || b.headers.some((h) => HAIL_EXCEPTION.test(h));
}

function pythonExcerpt(b: PythonBlock, source: LogName): FailureExcerpt {
  const lines = b.out.clone().finish();
  const headline = b.headline ?? lines[lines.length - 1] ?? TRACEBACK;
  return {
    kind: 'python-traceback',
    headline: clip(headline.trim(), MAX_HEADLINE_CHARS),
    lines,
    source,
    frames: [...b.frames],
  };
}

function javaExcerpt(b: JavaBlock, kind: 'hail-error' | 'java-exception', source: LogName): FailureExcerpt {
  const lines = b.out.clone().finish();
  return {
    kind,
    headline: clip(javaHeadline(b, kind, lines), MAX_HEADLINE_CHARS),
    lines,
    source,
    frames: [],
  };
}

// Hail: its own summary. Java: the root cause (the last "Caused by:"), which names the real problem
// where the outer exception only says that a job or stage was aborted.
function javaHeadline(b: JavaBlock, kind: FailureExcerpt['kind'], lines: string[]): string {
  if (kind === 'hail-error' && b.summary) return b.summary;
  const causes = b.headers.filter((h) => h.startsWith(CAUSED_BY));
  const top = causes.length > 0 ? causes[causes.length - 1]!.slice(CAUSED_BY.length) : b.headers[0];
  const headline = (top ?? lines[0] ?? '').replace(/^Exception in thread "[^"]*" /, '');
  return headline.trim();
}

/** The excerpt of a complete list of lines (a log read whole, or a test). */
export function extractFailureExcerpt(lines: readonly string[], source: LogName): FailureExcerpt | undefined {
  const tracker = new FailureTracker(source);
  lines.forEach((line, i) => tracker.push(line, i + 1));
  return tracker.result();
}

const KIND_PREFERENCE: Record<FailureExcerpt['kind'], number> = {
  'python-traceback': 3,
  'hail-error': 2,
  'java-exception': 1,
};

/** Picks one excerpt among those of several logs: by kind, then by the order given (stderr first). */
export function pickFailure(...candidates: (FailureExcerpt | undefined)[]): FailureExcerpt | undefined {
  let best: FailureExcerpt | undefined;
  for (const c of candidates) {
    if (c && (!best || KIND_PREFERENCE[c.kind] > KIND_PREFERENCE[best.kind])) best = c;
  }
  return best;
}
