// An estimate of what a job run cost, from the resource use GetJobRun reports and per-region rates
// kept in code (no pricing API call: the action may not be allowed one, and the figure is an
// estimate either way). The summary labels it as such and names the rates used.
//
// Sources, none verified against the AWS price list from here:
// - us-east-1 x86_64: $0.052624 per vCPU-hour, $0.0057785 per GB-hour of memory, $0.000111 per
//   GB-hour of storage above the 20 GB each worker gets free (figures reported by third parties).
// - ARM64: AWS describes Graviton on EMR Serverless as 20% cheaper than x86; compute and memory rates
//   here are 0.8 x the x86 rates. Storage is assumed to cost the same on both.
// - us-east-2 and us-west-2: assumed equal to us-east-1, as for many AWS services. An assumption.
// Any other region falls back to us-east-1 and is reported as such (`assumed: true`).

import type { ResourceUse } from './model.js';

export type Architecture = 'X86_64' | 'ARM64';

export interface Rates {
  vCPUHour: number;
  memoryGBHour: number;
  storageGBHour: number;
}

interface RegionRates {
  x86: Rates;
  /** How the figures were obtained, for the summary's footnote. */
  basis: string;
}

const ARM64_DISCOUNT = 0.8;

const US_EAST_1: Rates = { vCPUHour: 0.052624, memoryGBHour: 0.0057785, storageGBHour: 0.000111 };

const REGION_RATES: Readonly<Record<string, RegionRates>> = {
  'us-east-1': { x86: US_EAST_1, basis: 'published rates as reported by third parties (unverified)' },
  'us-east-2': { x86: US_EAST_1, basis: 'assumed equal to us-east-1 (unverified)' },
  'us-west-2': { x86: US_EAST_1, basis: 'assumed equal to us-east-1 (unverified)' },
};

const FALLBACK_REGION = 'us-east-1';

export interface CostEstimate {
  usd: number;
  rates: Rates;
  /** The region whose rates were used (us-east-1 when the job's region is not in the table). */
  region: string;
  architecture: Architecture;
  /** True when the job's region has no rates here and us-east-1's were used instead. */
  assumed: boolean;
  basis: string;
}

/** The rates used for a region and architecture; unknown regions get us-east-1's. */
export function ratesFor(region: string, architecture: Architecture): Omit<CostEstimate, 'usd'> {
  const known = REGION_RATES[region];
  const entry = known ?? REGION_RATES[FALLBACK_REGION]!;
  const x86 = entry.x86;
  const rates =
    architecture === 'ARM64'
      ? {
          vCPUHour: x86.vCPUHour * ARM64_DISCOUNT,
          memoryGBHour: x86.memoryGBHour * ARM64_DISCOUNT,
          storageGBHour: x86.storageGBHour,
        }
      : { ...x86 };
  const basis =
    architecture === 'ARM64' ? `${entry.basis}; ARM64 at 80% of x86 compute and memory` : entry.basis;
  return {
    rates,
    region: known ? region : FALLBACK_REGION,
    architecture,
    assumed: !known,
    basis: known ? basis : `no rates known for ${region}; ${FALLBACK_REGION} rates used (${basis})`,
  };
}

/**
 * Estimated cost in US dollars of the given use. Pass the billed use when there is one: it includes
 * the one-minute minimum per worker and (we assume) counts only storage above the free 20 GB.
 */
export function estimateCost(
  use: ResourceUse | undefined,
  region: string,
  architecture: Architecture = 'X86_64',
): CostEstimate {
  const r = ratesFor(region, architecture);
  const usd =
    (use?.vCPUHour ?? 0) * r.rates.vCPUHour +
    (use?.memoryGBHour ?? 0) * r.rates.memoryGBHour +
    (use?.storageGBHour ?? 0) * r.rates.storageGBHour;
  return { usd, ...r };
}
