// Benchmark entry (bundled with ncc into a temp dir by bench/lib/build.mjs, never shipped): replays the
// action's GetJobRun schedule, `nextPollDelayMs` from src/run/poll-schedule.ts, for a job that stays
// in one state, and prints the predicted poll times (seconds after the first poll).
//
//   node schedule-entry.js <seconds>
import { nextPollDelayMs } from '../src/run/poll-schedule.js';

const seconds = Number(process.argv[2] ?? '3600');
const polls: number[] = [];
// The wait loop polls at once, then sleeps nextPollDelayMs(time in the current state) between polls.
for (let t = 0; t <= seconds * 1000; t += nextPollDelayMs(t)) polls.push(t / 1000);
process.stdout.write(JSON.stringify({ seconds, polls }) + '\n');
