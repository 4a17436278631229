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
