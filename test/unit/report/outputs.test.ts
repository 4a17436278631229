import { describe, expect, it } from '@jest/globals';
import { formatBytes, groupOutputs } from '../../../src/report/outputs.js';

describe('groupOutputs', () => {
  const base = 'outputs/run-1187';
  const objects = [
    { key: `${base}/summary.tsv`, size: 2048 },
    { key: `${base}/gwas.ht/metadata.json.gz`, size: 812 },
    { key: `${base}/gwas.ht/README.txt`, size: 412 },
    { key: `${base}/gwas.ht/_SUCCESS`, size: 0 },
    { key: `${base}/gwas.ht/globals/parts/part-0`, size: 120 },
    { key: `${base}/gwas.ht/rows/parts/part-000-7c1f`, size: 50_000_000 },
    { key: `${base}/gwas.ht/rows/parts/part-001-9a2e`, size: 49_000_000 },
    { key: `${base}/gwas.ht/index/`, size: 0 }, // a folder placeholder
    { key: `${base}/_action_result.json`, size: 120 },
    { key: `${base}/plots_$folder$`, size: 0 },
    { key: `${base}/plots/manhattan.png`, size: 300_000 },
    { key: `${base}/`, size: 0 },
    { key: 'outputs/run-1187-other/x.tsv', size: 5 }, // shares the prefix string, not the folder
  ];

  it('makes one entry per top-level name, directories with total size and file count, sorted', () => {
    const entries = groupOutputs(`s3://hail-ci-data/${base}/`, objects);
    expect(entries).toEqual([
      {
        name: '_action_result.json',
        uri: `s3://hail-ci-data/${base}/_action_result.json`,
        isDirectory: false,
        totalBytes: 120,
        fileCount: 1,
      },
      {
        name: 'gwas.ht',
        uri: `s3://hail-ci-data/${base}/gwas.ht/`,
        isDirectory: true,
        totalBytes: 99_001_344,
        fileCount: 6,
      },
      {
        name: 'plots',
        uri: `s3://hail-ci-data/${base}/plots/`,
        isDirectory: true,
        totalBytes: 300_000,
        fileCount: 1,
      },
      {
        name: 'summary.tsv',
        uri: `s3://hail-ci-data/${base}/summary.tsv`,
        isDirectory: false,
        totalBytes: 2048,
        fileCount: 1,
      },
    ]);
  });

  it('accepts the prefix with or without a trailing slash, and a bucket root', () => {
    expect(groupOutputs(`s3://hail-ci-data/${base}`, objects).map((e) => e.name)).toEqual([
      '_action_result.json',
      'gwas.ht',
      'plots',
      'summary.tsv',
    ]);
    expect(groupOutputs('s3://hail-ci-data', [{ key: 'a/b', size: 1 }])).toEqual([
      { name: 'a', uri: 's3://hail-ci-data/a/', isDirectory: true, totalBytes: 1, fileCount: 1 },
    ]);
    expect(groupOutputs(`s3://hail-ci-data/${base}`, [])).toEqual([]);
    expect(() => groupOutputs('hail-ci-data/x', [])).toThrow(/not an s3:\/\/ URI/);
  });
});

describe('formatBytes', () => {
  it('uses binary units with a few significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(99_001_344)).toBe('94.4 MiB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5.00 TiB');
    expect(formatBytes(-1)).toBe('unknown');
  });
});
