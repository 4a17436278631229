// When to poll GetJobRun next: a pure function of how long the job has been in its current state.

const MIN_MS = 1_000;
const MAX_MS = 10_000; // at most 6 GetJobRun calls a minute in a long wait
const FAST_WINDOW_MS = 30_000;
const RAMP_MS = 90_000; // from MIN to MAX over 1.5 minutes after the fast window

/**
 * Once a second for the first 30 s after each state change (most short jobs end, and most queued
 * jobs start, inside that window, so they are noticed within about a second), then slowing
 * linearly to once every 10 s two minutes in.
 */
export function nextPollDelayMs(msInCurrentState: number): number {
  const over = Math.max(0, msInCurrentState - FAST_WINDOW_MS);
  return Math.round(Math.min(MAX_MS, MIN_MS + ((MAX_MS - MIN_MS) * over) / RAMP_MS));
}
