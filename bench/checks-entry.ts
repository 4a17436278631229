// Benchmark entry (bundled with ncc by bench/lib/build.mjs, never shipped): times the pre-submit
// checks (src/checks/check-script.ts) on a generated script of N lines, the way the action runs them
// before any upload. Prints JSON: lines, findings, and the best and median of the runs in ms.
//
//   node checks-entry.js [--lines 5000] [--runs 20]
import { performance } from 'node:perf_hooks';
import { checkScript, missingInit } from '../src/checks/check-script.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A plausible Hail script: functions, comments, docstrings, calls spanning lines, some mistakes. */
function script(lines: number): string {
  const block = [
    'def step_{i}(mt, args):',
    '    """Filter and annotate, step {i}.',
    '',
    '    Reads gs://not-code/in-a-docstring.ht',
    '    """',
    '    # keep samples with call rate above the threshold',
    '    mt = mt.filter_cols(mt.sample_qc.call_rate > args.min_call_rate)  # inline comment',
    '    ht = hl.read_table(f"{args.input}/annotations_{i}.ht")',
    '    mt = mt.annotate_rows(info=ht[mt.row_key], label="s3://hail-ci-data/x/{i}")',
    '    hl.init(',
    '        default_reference="GRCh38",',
    '        tmp_dir=os.environ["HAIL_TMP_DIR"],',
    '    )',
    '    other = hl.read_matrix_table("s3a://hail-ci-data/old_{i}.mt")',
    '    return mt.checkpoint(os.path.join(os.environ["HAIL_TMP_DIR"], "step_{i}.mt"), overwrite=True)',
    '',
  ];
  const out = ['import os', 'import hail as hl', ''];
  for (let i = 0; out.length < lines; i++) out.push(...block.map((l) => l.replaceAll('{i}', String(i))));
  return out.slice(0, lines).join('\n') + '\n';
}

const lines = option('--lines', 5000);
const runs = option('--runs', 20);
const text = script(lines);
const times: number[] = [];
let findings = 0;
for (let r = 0; r < runs; r++) {
  const t = performance.now();
  // What the action runs per job: the per-file rules, then the whole-job init check.
  findings = checkScript(text, 'bench.py', { outputUriGiven: true }).length;
  if (missingInit([{ text, file: 'bench.py' }])) findings++;
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const round = (n: number) => Math.round(n * 100) / 100;
process.stdout.write(
  JSON.stringify({
    lines,
    bytes: Buffer.byteLength(text),
    findings,
    runs,
    bestMs: round(times[0]!),
    medianMs: round(times[Math.floor(runs / 2)]!),
  }) + '\n',
);
