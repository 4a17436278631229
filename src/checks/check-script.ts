// Runs the pre-submit rules over one Python file's text: pure, one pass over the lines.

import { pythonLines, type PyLine } from './python-lines.js';
import { LINE_RULES, checkInitCall, type CheckOptions, type Severity } from './rules.js';

export interface Finding {
  /** Workspace-relative path, for the annotation. */
  file: string;
  line: number;
  severity: Severity;
  rule: string;
  title: string;
  /** What is wrong and the fix. */
  message: string;
}

const INIT_CALL = /\b(?:hl|hail)\.init\(/;
const MAX_CALL_LINES = 40;

/** The text of a call that starts on lines[i] at `start`, up to its closing parenthesis. */
function callText(
  lines: readonly PyLine[],
  i: number,
  start: number,
): { text: string; lineOf: (o: number) => number } {
  let depth = 0;
  let text = '';
  const starts: number[] = [];
  for (let k = i; k < Math.min(lines.length, i + MAX_CALL_LINES); k++) {
    const code = k === i ? lines[i]!.code.slice(start) : lines[k]!.code;
    starts.push(text.length);
    for (let j = 0; j < code.length; j++) {
      const c = code[j]!;
      if (c === '"' || c === "'") {
        const end = code.indexOf(c, j + 1);
        j = end === -1 ? code.length : end;
        continue;
      }
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) {
        text += code.slice(0, j + 1);
        return { text, lineOf: (o) => lines[i + starts.filter((s) => s <= o).length - 1]!.no };
      }
    }
    text += code + '\n';
  }
  return { text, lineOf: (o) => lines[i + starts.filter((s) => s <= o).length - 1]!.no };
}

/** The findings in one file, in line order. */
export function checkScript(source: string, file: string, opts: CheckOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const lines = pythonLines(source);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.code.trim() === '') continue;
    const seen = new Set<string>();
    // Every line rule looks at a string literal: most lines have none.
    const rules = line.code.includes('"') || line.code.includes("'") ? LINE_RULES : [];
    for (const rule of rules) {
      const m = rule.pattern.exec(line.code);
      if (!m) continue;
      const message = rule.message(m, line, opts);
      if (message === undefined) continue;
      // One finding per line and kind: gs-public-dataset already covers gs-path.
      const kind = rule.id.replace(/^gs-.*/, 'gs');
      if (seen.has(kind)) continue;
      seen.add(kind);
      const severity = rule.severity?.(m, line, opts) ?? 'warning';
      findings.push({ file, line: line.no, severity, rule: rule.id, title: rule.title, message });
    }
    const init = INIT_CALL.exec(line.code);
    if (init) {
      const call = callText(lines, i, init.index);
      const problem = checkInitCall(call.text);
      if (problem) {
        findings.push({
          file,
          line: call.lineOf(problem.offset),
          severity: 'warning',
          rule: 'hail-tmp-dir',
          title: "Hail's tmp dir is not on S3",
          message: problem.message,
        });
      }
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}

const IMPORT_HAIL = /^\s*import\s+hail(?:\s+as\s+(\w+))?\s*$|^\s*from\s+hail\s+import\b/;

/**
 * A Hail script whose files never call `init` (under any alias): Hail then starts itself on first
 * use with a node-local tmp dir. Reported on the entry point's `import hail` line.
 */
export function missingInit(files: readonly { text: string; file: string }[]): Finding | undefined {
  const aliases = new Set(['hl', 'hail']);
  let importLine: { file: string; line: number } | undefined;
  for (const [i, f] of files.entries()) {
    for (const line of pythonLines(f.text)) {
      const m = IMPORT_HAIL.exec(line.code);
      if (!m) continue;
      if (m[1]) aliases.add(m[1]);
      if (i === 0 && !importLine) importLine = { file: f.file, line: line.no };
    }
  }
  if (!importLine) return undefined;
  const init = new RegExp(`\\b(?:${[...aliases].join('|')})\\.init\\(|\\binit\\(`);
  if (files.some((f) => pythonLines(f.text).some((l) => init.test(l.code)))) return undefined;
  return {
    ...importLine,
    severity: 'warning',
    rule: 'hail-init-missing',
    title: 'Hail is never initialised with an S3 tmp dir',
    message:
      'No `hl.init(...)` call: Hail then starts itself with a node-local tmp dir. Call `hl.init(tmp_dir=os.environ["HAIL_TMP_DIR"])` first.',
  };
}
