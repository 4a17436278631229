// Escaping for text that comes from logs, job results and user inputs before it reaches the job
// summary or a PR comment. GitHub renders Markdown plus a safe HTML subset there, and
// `core.summary` escapes nothing, so every renderer escapes its own input.

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/** Escapes `& < > "`: the text is inert inside HTML elements and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ENTITIES[c]!);
}

// Punctuation that starts Markdown inline syntax (emphasis, code, links, tables, strikethrough,
// GitHub math). Backslash-escaping ASCII punctuation is always valid CommonMark.
const MARKDOWN_INLINE = /[\\`*_[\]()#!|~$]/g;

/**
 * Escapes text for inline Markdown (a list item, a table cell): Markdown punctuation is
 * backslash-escaped, HTML is entity-escaped, and line breaks become spaces so a value cannot end
 * the table row or start a block of its own.
 */
export function escapeInline(text: string): string {
  return escapeHtml(text.replace(MARKDOWN_INLINE, '\\$&')).replace(/\r?\n|\r/g, ' ');
}

/**
 * A fenced code block that the content cannot close: the fence is one backtick longer than the
 * longest run of backticks inside. Code blocks are not HTML-interpreted, so no escaping is needed.
 */
export function codeFence(content: string, info = ''): string {
  let longest = 0;
  for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info.replace(/[`\s]/g, '')}\n${content}\n${fence}`;
}

/**
 * A `<pre>` block of escaped lines. In GitHub Markdown a line starting with `<pre` opens an HTML
 * block that runs to the line holding `</pre>`, blank lines included; escaping the content means a
 * log line can neither close it early nor inject markup.
 */
export function preBlock(lines: readonly string[]): string {
  return `<pre>\n${lines.map(escapeHtml).join('\n')}\n</pre>`;
}

/** Cuts text to at most `max` UTF-16 units without splitting a surrogate pair; marks the cut. */
export function clip(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - marker.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end) + marker;
}
