import { describe, expect, it } from '@jest/globals';
import { nextPollDelayMs } from '../../../src/run/poll-schedule.js';

describe('nextPollDelayMs', () => {
  it('polls every second just after a state change, so a short job is noticed quickly', () => {
    expect(nextPollDelayMs(0)).toBe(1000);
    expect(nextPollDelayMs(29_000)).toBe(1000);
  });
  it('slows down steadily and never polls more than 6 times a minute in a long wait', () => {
    let prev = 0;
    for (let t = 0; t <= 3_600_000; t += 5_000) {
      const d = nextPollDelayMs(t);
      expect(d).toBeGreaterThanOrEqual(prev);
      expect(d).toBeLessThanOrEqual(10_000);
      prev = d;
    }
    expect(nextPollDelayMs(120_000)).toBe(10_000);
  });
});
