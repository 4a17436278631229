import { describe, expect, it } from '@jest/globals';
import { estimateCost, ratesFor } from '../../../src/report/cost.js';

describe('estimateCost', () => {
  it('multiplies each resource by its us-east-1 x86 rate', () => {
    const c = estimateCost({ vCPUHour: 10, memoryGBHour: 40, storageGBHour: 100 }, 'us-east-1', 'X86_64');
    // 10 × 0.052624 + 40 × 0.0057785 + 100 × 0.000111
    expect(c.usd).toBeCloseTo(0.52624 + 0.23114 + 0.0111, 10);
    expect(c.rates).toEqual({ vCPUHour: 0.052624, memoryGBHour: 0.0057785, storageGBHour: 0.000111 });
    expect(c).toMatchObject({ region: 'us-east-1', architecture: 'X86_64', assumed: false });
    expect(c.basis).toMatch(/unverified/);
  });

  it('prices ARM64 compute and memory 20% lower, storage the same', () => {
    const arm = estimateCost({ vCPUHour: 1, memoryGBHour: 1, storageGBHour: 1 }, 'us-east-1', 'ARM64');
    expect(arm.rates.vCPUHour).toBeCloseTo(0.052624 * 0.8, 12);
    expect(arm.rates.memoryGBHour).toBeCloseTo(0.0057785 * 0.8, 12);
    expect(arm.rates.storageGBHour).toBe(0.000111);
    expect(arm.usd).toBeCloseTo(0.052624 * 0.8 + 0.0057785 * 0.8 + 0.000111, 12);
  });

  it('falls back to us-east-1 for a region it has no rates for, and says so', () => {
    const c = estimateCost({ vCPUHour: 1 }, 'ap-southeast-7', 'X86_64');
    expect(c).toMatchObject({ region: 'us-east-1', assumed: true });
    expect(c.basis).toContain('no rates known for ap-southeast-7');
    expect(c.usd).toBeCloseTo(0.052624, 12);
    expect(ratesFor('us-west-2', 'X86_64')).toMatchObject({ region: 'us-west-2', assumed: false });
  });

  it('treats missing figures as zero', () => {
    expect(estimateCost(undefined, 'us-east-1').usd).toBe(0);
    expect(estimateCost({ memoryGBHour: 2 }, 'us-east-1').usd).toBeCloseTo(0.011557, 12);
  });
});
