import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** hail-build/ ships with the action, beside dist/ (and beside src/ in tests). */
export function hailBuildDir(): string {
  const actionRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const recipe = ['hail', 'build'].join('-'); // spelled so the bundler does not inline it as an asset
  return join(actionRoot, recipe);
}
