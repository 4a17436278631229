// A small Dockerfile reader for tests: enough of the syntax to check our recipes without Docker
// (comments, `\` continuations, instructions and their arguments, stages). No heredocs: the
// recipes do not use them, and this reader refuses them so that stays true.

export interface Instruction {
  keyword: string; // upper-cased
  args: string; // the rest of the logical line, continuations joined
  line: number; // 1-based line where it starts
}

export interface Stage {
  from: Instruction;
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Instructions before the first FROM (only ARG is allowed there). */
  preamble: Instruction[];
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  const instructions: Instruction[] = [];
  let current: { parts: string[]; line: number } | undefined;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (current === undefined && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (current !== undefined && trimmed.startsWith('#')) return; // comment inside a continuation
    const continues = /\\\s*$/.test(raw);
    const body = continues ? raw.replace(/\\\s*$/, '') : raw;
    if (current === undefined) current = { parts: [], line: i + 1 };
    current.parts.push(body);
    if (!continues) {
      const joined = current.parts.join('\n').trim();
      const m = /^([A-Za-z]+)\s+([\s\S]*)$/.exec(joined);
      if (!m) throw new Error(`line ${current.line}: not an instruction: ${joined}`);
      if (/<<-?["']?[A-Z]/.test(m[2]!))
        throw new Error(`line ${current.line}: heredocs are not supported here`);
      instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!, line: current.line });
      current = undefined;
    }
  });
  if (current !== undefined) throw new Error('file ends inside a continued line');

  const out: Dockerfile = { preamble: [], stages: [] };
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      out.stages.push({ from: ins, image: m[1]!, name: m[2], instructions: [] });
    } else if (out.stages.length === 0) {
      out.preamble.push(ins);
    } else {
      out.stages[out.stages.length - 1]!.instructions.push(ins);
    }
  }
  return out;
}

/** `ARG NAME` or `ARG NAME=default` -> NAME. */
export function argName(ins: Instruction): string {
  return ins.args.split('=')[0]!.trim();
}

/** Names referenced as $NAME or ${NAME...} in a string. */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g))
    names.add(m[1] ?? m[2]!);
  return [...names];
}

/** The JSON-array (exec) form, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  return JSON.parse(args) as string[];
}
