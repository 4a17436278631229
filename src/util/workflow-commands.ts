// Text from the job, from S3 or from the user's inputs must never drive the runner. The runner
// reads a step's stdout line by line (CR, LF and CRLF each end a line) and acts on a line that,
// once leading whitespace is trimmed, starts with `::<command>` (any case), or that holds the old
// `##[<command>` anywhere (actions/runner: ActionCommand.TryParseV2 and TryParse).

/** What .NET's String.TrimStart() trims (Char.IsWhiteSpace), which the runner applies first. */
const LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;
const LINE_BREAK = /\r\n|\r|\n/;
/** Not whitespace to .NET or to JavaScript, and invisible in the log: it breaks `::` and `##[`. */
const BREAK = '\u200b';

/** One line the runner reads as text: a leading `::` and every `##[` get a zero-width space. */
export function inertLine(line: string): string {
  const safe = line.replace(/##\[/g, `##${BREAK}[`);
  const lead = LEADING_SPACE.exec(safe)![0].length;
  return safe.startsWith('::', lead) ? `${safe.slice(0, lead)}${BREAK}${safe.slice(lead)}` : safe;
}

/** Text of any number of lines, each made inert; line breaks become LF. */
export function inertText(text: string): string {
  return text.split(LINE_BREAK).map(inertLine).join('\n');
}

/**
 * Lines shown exactly as they are, between `::stop-commands::<token>` and `::<token>::`: the
 * runner acts on no command in between. The token is the caller's unguessable secret, so no
 * line can end the block early.
 */
export function stopCommandsBlock(lines: readonly string[], token: string): string[] {
  return [`::stop-commands::${token}`, ...lines, `::${token}::`];
}
