// How a diagnosis reads: Markdown for the job summary and the PR comment, plain text for the
// failure annotation. Cause and fix texts mark names with `backticks`; what is between them may
// come from a log, so both sides are escaped.

import { codeFence, escapeHtml, escapeInline } from '../escape.js';
import type { Diagnosis, EvidenceSource } from './model.js';

const SOURCE_WORDS: Record<EvidenceSource, string> = {
  excerpt: 'the error in the driver log',
  stateDetails: "the job run's state details",
  stderr: "the driver's stderr",
  stdout: "the driver's stdout",
};

/** Inline Markdown from a text whose `backticked` parts become code spans; all of it escaped. */
export function inlineMarkdown(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeInline(part)}</code>` : escapeInline(part)))
    .join('');
}

/** The diagnosis block shown first under "Why it did not succeed". */
export function diagnosisMarkdown(d: Diagnosis): string {
  const lines = [
    `**Cause: ${inlineMarkdown(d.title)}.** ${inlineMarkdown(d.cause)}`,
    '',
    `**Fix:** ${inlineMarkdown(d.fix.action)}`,
  ];
  for (const p of [d.fix.paste, d.fix.alsoPaste]) {
    if (p) lines.push('', `Paste into ${inlineMarkdown(p.target)}:`, '', codeFence(p.text, p.language));
  }
  lines.push(
    '',
    `<sub>Recognised in ${SOURCE_WORDS[d.evidence.source]}: <code>${escapeHtml(d.evidence.line)}</code></sub>`,
  );
  return lines.join('\n');
}

/** Said when a failed run matched no known signature: the excerpt stands alone, without a guess. */
export const NO_KNOWN_CAUSE = 'No known cause matched this failure; the error as reported is shown below.';

/** The diagnosis as plain text for an annotation or the step's failure message. */
export function diagnosisText(d: Diagnosis): string {
  const parts = [`Cause: ${d.title}. ${d.cause}`, `Fix: ${d.fix.action}`];
  for (const p of [d.fix.paste, d.fix.alsoPaste]) {
    if (p) parts.push(`Paste into ${p.target}:\n${p.text}`);
  }
  return parts.join('\n').replace(/`/g, '');
}
