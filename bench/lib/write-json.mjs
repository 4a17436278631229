// Bench results are committed and checked by Prettier: write them in the form it wants.
import { writeFileSync } from 'node:fs';

/** Writes `value` as JSON at `path`, formatted by the repository's Prettier config when Prettier is there. */
export async function writeFormattedJson(path, value) {
  let text = JSON.stringify(value, null, 2) + '\n';
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(path)) ?? {};
    text = await prettier.format(text, { ...options, filepath: path, parser: 'json' });
  } catch {
    // Prettier missing: plain JSON is still valid
  }
  writeFileSync(path, text);
}
