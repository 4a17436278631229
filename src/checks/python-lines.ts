// A light Python lexer for the pre-submit checks: per line, the code without comments or the text of
// triple-quoted strings (docstrings), the indentation of the statement the line belongs to, and the
// bracket depth. Not a parser: enough to skip prose and tell module-level statements apart, in one
// pass over the characters.

export interface PyLine {
  /** 1-based line number. */
  no: number;
  /** The line with comments removed and triple-quoted text blanked; one-line strings kept. */
  code: string;
  /** Indentation of the statement this line belongs to (a continuation line inherits it). */
  stmtIndent: number;
}

const SPECIAL = /[#"'()[\]{}]/g;

export function pythonLines(source: string): PyLine[] {
  const out: PyLine[] = [];
  const raw = source.split(/\r?\n/);
  let triple: string | undefined; // the closing quotes of an open triple-quoted string
  let depth = 0; // open brackets carried to the next line
  let stmtIndent = 0;
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i]!;
    if (depth === 0 && !triple) {
      const indent = /^[ \t]*/.exec(line)![0].length;
      if (indent < line.length) stmtIndent = indent;
    }
    let code = '';
    let j = 0;
    while (j < line.length) {
      if (triple) {
        const end = line.indexOf(triple, j);
        if (end === -1) break;
        code += ' '.repeat(end - j) + triple;
        j = end + 3;
        triple = undefined;
        continue;
      }
      // Jump to the next character that matters; copy what lies between in one slice.
      SPECIAL.lastIndex = j;
      const hit = SPECIAL.exec(line);
      if (!hit) {
        code += line.slice(j);
        break;
      }
      const k = hit.index;
      code += line.slice(j, k);
      const c = hit[0];
      if (c === '#') break;
      if (c === '"' || c === "'") {
        if (line.startsWith(c.repeat(3), k)) {
          triple = c.repeat(3);
          code += triple;
          j = k + 3;
          continue;
        }
        let e = k + 1;
        while (e < line.length && line[e] !== c) e += line[e] === '\\' ? 2 : 1;
        code += line.slice(k, e + 1);
        j = e + 1;
        continue;
      }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (depth > 0) depth--;
      code += c;
      j = k + 1;
    }
    out.push({ no: i + 1, code, stmtIndent });
  }
  return out;
}
