// Human-readable figures for the report. All times are shown in UTC: runners and readers sit in
// different time zones, and AWS consoles show UTC too.

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 -> "1,234,567". */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** Seconds -> "1 h 2 min 3 s"; zero units are left out, sub-second positive values read "< 1 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds > 0 && seconds < 1) return '< 1 s';
  const total = Math.round(seconds);
  if (total === 0) return '0 s';
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(`${formatCount(h)} h`);
  if (min) parts.push(`${min} min`);
  if (s) parts.push(`${s} s`);
  return parts.join(' ');
}

/** ISO 8601 in UTC without milliseconds: "2024-11-24T10:00:01Z". */
export function formatUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "10:07 UTC" (for link expiry times, which are within the hour). */
export function formatUtcTime(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

/** US dollars with enough digits to be meaningful for small jobs: "$0.0042", "$12.35". */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.0001) return '< $0.0001';
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** A resource figure such as vCPU-hours: up to 4 decimals, no trailing zeros. */
export function formatQuantity(n: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 }).format(n);
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in binary units: "512 B", "1.5 KiB", "12.3 MiB", "1.02 TiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (value >= 1024 && unit < UNITS.length - 1);
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}
