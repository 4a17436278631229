// Turns a flat S3 listing under output-uri into one row per top-level entry, because a Hail table
// or matrix table (`gwas.ht/`) is a directory of hundreds of files that users think of as one thing.

import type { OutputEntry, OutputObject } from './model.js';

export { formatBytes } from './format.js';

// EMRFS and older Hadoop S3 clients mark directories with `<dir>_$folder$` objects.
const FOLDER_MARKER_SUFFIX = '_$folder$';

/** The key prefix of an `s3://bucket/prefix` URI, always ending in `/` (empty for a bucket root). */
function keyPrefix(outputUri: string): { base: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(outputUri.trim());
  if (!m) throw new Error(`"${outputUri}" is not an s3:// URI`);
  const key = m[2]!.replace(/\/+$/, '');
  const prefix = key === '' ? '' : `${key}/`;
  return { base: `s3://${m[1]}/${prefix}`, prefix };
}

/**
 * Groups the objects under outputUri by their first path segment: a file is its own entry, a
 * directory (a Hail `.ht`/`.mt`, a Spark output with `_SUCCESS`) becomes one entry with the total
 * size and number of files. Directory placeholders (keys ending in `/`, `_$folder$` markers) mark an
 * entry as a directory but are not counted as files. Objects outside the prefix are ignored. Sorted
 * by name (code-point order, so the result does not depend on the locale).
 */
export function groupOutputs(outputUri: string, objects: readonly OutputObject[]): OutputEntry[] {
  const { base, prefix } = keyPrefix(outputUri);
  const entries = new Map<string, OutputEntry>();
  const entry = (name: string): OutputEntry => {
    let e = entries.get(name);
    if (!e) {
      e = { name, uri: base + name, isDirectory: false, totalBytes: 0, fileCount: 0 };
      entries.set(name, e);
    }
    return e;
  };
  for (const o of objects) {
    if (!o.key.startsWith(prefix)) continue;
    const rel = o.key.slice(prefix.length);
    if (rel === '') continue; // the prefix's own placeholder
    const slash = rel.indexOf('/');
    if (slash === -1 && rel.endsWith(FOLDER_MARKER_SUFFIX) && rel.length > FOLDER_MARKER_SUFFIX.length) {
      entry(rel.slice(0, -FOLDER_MARKER_SUFFIX.length)).isDirectory = true;
      continue;
    }
    const e = entry(slash === -1 ? rel : rel.slice(0, slash));
    if (slash !== -1) e.isDirectory = true;
    if (rel.endsWith('/') || rel.endsWith(FOLDER_MARKER_SUFFIX)) continue; // placeholders inside
    e.totalBytes += o.size;
    e.fileCount += 1;
  }
  const sorted = [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of sorted) if (e.isDirectory) e.uri += '/';
  return sorted;
}
