// Points a failure at the line of the user's own script, so GitHub shows it on the file (in the
// run's annotations and on a PR's diff). The remote path of the script differs from the workspace
// path (Spark copies it to e.g. /tmp/spark-*/userFiles-*/gwas.py), so frames are matched by basename.

import type { FailureExcerpt } from './model.js';

export interface ScriptRef {
  /** The file name the script has on the cluster, e.g. "gwas.py" (a path is reduced to its name). */
  remoteBasename: string;
  /** The path in the repository, relative to the workspace, where the annotation goes. */
  workspacePath: string;
}

export interface ScriptAnnotation {
  file: string;
  line: number;
  title: string;
  message: string;
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/**
 * An error annotation at the innermost frame (the last one: Python prints the innermost last, and
 * the final traceback of a chain last) that lies in one of the user's scripts; undefined when no
 * frame does (the error is in Hail or Spark code, or not a Python traceback at all).
 */
export function scriptAnnotation(
  failure: FailureExcerpt | undefined,
  scripts: readonly ScriptRef[],
): ScriptAnnotation | undefined {
  if (!failure || scripts.length === 0) return undefined;
  const byName = new Map<string, string>();
  for (const s of scripts) {
    const name = basename(s.remoteBasename);
    if (name && !byName.has(name)) byName.set(name, s.workspacePath);
  }
  for (let i = failure.frames.length - 1; i >= 0; i--) {
    const frame = failure.frames[i]!;
    const file = byName.get(basename(frame.file));
    if (file === undefined || !Number.isInteger(frame.line) || frame.line < 1) continue;
    const where = frame.func && frame.func !== '<module>' ? ` in ${frame.func}()` : '';
    return {
      file,
      line: frame.line,
      title: `Hail job failed${where}`,
      message: failure.headline,
    };
  }
  return undefined;
}
