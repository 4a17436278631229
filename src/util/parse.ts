// Small parsers for action inputs. Each throws a plain message; the caller names the input.

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** YAML 1.2 core-schema booleans only, like core.getBooleanInput; anything else is an error. */
export function parseBoolean(value: string): boolean {
  const v = value.trim();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new Error(`"${value}" is not a boolean (use true or false)`);
}

/** Non-empty lines, trimmed; lines starting with # are comments. */
export function parseLines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** `key=value` per line, order kept; the first `=` splits, so values may contain `=`. */
export function parseKeyValueLines(value: string): [string, string][] {
  return parseLines(value).map((line) => {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`"${line}" is not key=value`);
    return [line.slice(0, eq).trim(), line.slice(eq + 1).trim()];
  });
}

/** A whole number within [min, max]. */
export function parseIntInRange(value: string, min: number, max: number): number {
  const v = value.trim();
  if (!/^\d+$/.test(v)) throw new Error(`"${value}" is not a whole number (expected ${min} to ${max})`);
  const n = Number(v);
  if (n < min || n > max) throw new Error(`${n} is out of range (expected ${min} to ${max})`);
  return n;
}

/** Quotes a string for a POSIX shell (used for the dry run's equivalent CLI command). */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
