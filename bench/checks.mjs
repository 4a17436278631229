// `node bench/checks.mjs [--lines 5000]`: how long the pre-submit checks take on a large script.
// Target: under 200 ms for 5,000 lines, including the first (cold) run in a fresh process, as the
// action has it. Bundles bench/checks-entry.ts like the action is bundled, then runs it.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from './lib/build.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_MS = 200;
const lines = process.argv.includes('--lines') ? process.argv[process.argv.indexOf('--lines') + 1] : '5000';

const { file } = await bundleEntry(ROOT, 'bench/checks-entry.ts');
// One run in a fresh process: the cold figure the action sees; then 20 runs for the warm figures.
const cold = JSON.parse(
  execFileSync(process.execPath, [file, '--lines', lines, '--runs', '1'], { encoding: 'utf8' }),
);
const warm = JSON.parse(
  execFileSync(process.execPath, [file, '--lines', lines, '--runs', '20'], { encoding: 'utf8' }),
);
const verdict = cold.bestMs < TARGET_MS ? 'ok' : 'OVER TARGET';
console.log(
  `pre-submit checks on ${warm.lines} lines (${warm.bytes} bytes, ${warm.findings} findings): ` +
    `cold ${cold.bestMs} ms, warm best ${warm.bestMs} ms, median ${warm.medianMs} ms ` +
    `(target < ${TARGET_MS} ms: ${verdict})`,
);
if (cold.bestMs >= TARGET_MS) process.exitCode = 1;
