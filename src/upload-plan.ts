import type { Config } from './inputs.js';

/**
 * The workspace files a run uploads under their content hash, in the order to hash them: the
 * artifacts first (the largest, whose upload is the longest), then the script and the py-files.
 */
export function filesToHash(config: Config): string[] {
  const artifacts = [config.hailJar, config.hailEnvArchive].flatMap((a) =>
    a?.kind === 'local' ? [a.file.path] : [],
  );
  return [...artifacts, config.script.path, ...config.pyFiles.map((f) => f.path)];
}
