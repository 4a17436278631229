// Rebuilds dist/: one ESM bundle per entry (main and post), as the runner loads them.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const ncc = 'node_modules/@vercel/ncc/dist/ncc/cli.js';
const entries = [
  ['src/index.ts', 'dist'],
  ['src/post.ts', 'dist/post'],
];
rmSync('dist', { recursive: true, force: true });
for (const [entry, out] of entries) {
  execFileSync(process.execPath, [ncc, 'build', entry, '-o', out, '--license', 'licenses.txt', '-q'], {
    stdio: 'inherit',
  });
}
