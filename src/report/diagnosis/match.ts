// Matches a finished run against the catalogue of known failures. Pure: it reads the report the
// action already built (state details, the failure excerpt with its exception chain, the log tails).
//
// Never a wrong guess: the log tails are read only when the excerpt does not explain the failure by
// itself (no excerpt, or only a Java exception such as "User application exited with 1"): a
// retried WARN in the tail must not outvote the Python traceback that ended the job.

import { clip } from '../escape.js';
import type { JobReport } from '../model.js';
import type { Diagnosis, DiagnosisContext, EvidenceSource, Match, RunFacts, Signature } from './model.js';
import { SIGNATURES } from './signatures.js';

const MAX_EVIDENCE_CHARS = 300;
const MAX_VALUE_CHARS = 300;

interface Evidence {
  source: EvidenceSource;
  lines: readonly string[];
}

/** The texts to look in, most telling first. */
export function evidenceOf(report: JobReport): Evidence[] {
  const out: Evidence[] = [];
  const f = report.failure;
  if (f) out.push({ source: 'excerpt', lines: [f.headline, ...f.lines] });
  const details = [report.stateDetails, ...(report.attempts ?? []).map((a) => a.stateDetails)].filter(
    (d): d is string => !!d,
  );
  if (details.length > 0) out.push({ source: 'stateDetails', lines: details });
  if (!f || f.kind === 'java-exception') {
    const { stderr, stdout } = report.logs;
    if (stderr?.found) out.push({ source: 'stderr', lines: stderr.lines });
    if (stdout?.found) out.push({ source: 'stdout', lines: stdout.lines });
  }
  return out;
}

function find(sig: Signature, ev: Evidence, facts: RunFacts): Match | undefined {
  if (!sig.patterns || (sig.sources && !sig.sources.includes(ev.source))) return undefined;
  if (sig.onlyIf && !sig.onlyIf(facts)) return undefined;
  if (sig.requires && !sig.requires.every((re) => ev.lines.some((l) => re.test(l)))) return undefined;
  for (const re of sig.patterns) {
    for (let i = 0; i < ev.lines.length; i++) {
      const line = ev.lines[i]!;
      const m = re.exec(line);
      if (!m) continue;
      // Backticks mark code in cause and fix texts: a value from a log must not carry any.
      // Clipped too: a cause is rendered whole in the summary's bounded part.
      const groups = [...m].map((g) => clip((g ?? '').replace(/`/g, "'"), MAX_VALUE_CHARS));
      return { groups, line, source: ev.source, lines: ev.lines, index: i };
    }
  }
  return undefined;
}

function build(sig: Signature, m: Match, ctx: DiagnosisContext): Diagnosis {
  return {
    id: sig.id,
    title: sig.title,
    cause: sig.cause(m, ctx),
    fix: sig.fix(m, ctx),
    evidence: { source: m.source, line: clip(m.line.trim(), MAX_EVIDENCE_CHARS) },
  };
}

/**
 * The known cause of a run that did not succeed, or undefined when none matched (then the report
 * shows the excerpt alone and says so). Runs the user cancelled are not diagnosed.
 */
export function diagnose(
  report: JobReport,
  ctx: DiagnosisContext,
  signatures: readonly Signature[] = SIGNATURES,
): Diagnosis | undefined {
  if (report.state === 'SUCCESS' || report.endedByAction === 'workflow-cancelled') return undefined;
  if (report.state === 'CANCELLED' && !report.endedByAction) return undefined;
  const facts: RunFacts = {
    state: report.state,
    endedByAction: report.endedByAction,
    started: report.timings.startedAt !== undefined,
    stateDetails: report.stateDetails,
  };
  // When the action ended the run, how it ended is the cause; the logs only show where it was.
  if (report.endedByAction) {
    for (const sig of signatures) {
      if (sig.run?.(facts)) {
        const line = report.stateDetails ?? `${report.state} (ended by the action: ${report.endedByAction})`;
        return build(sig, { groups: [], line, source: 'stateDetails', lines: [line], index: 0 }, ctx);
      }
    }
  }
  for (const ev of evidenceOf(report)) {
    for (const sig of signatures) {
      const m = find(sig, ev, facts);
      if (m) return build(sig, m, ctx);
    }
  }
  return undefined;
}
