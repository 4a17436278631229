// The check-dist convention: rebuild dist/ and fail when it differs from what is committed.
import { execFileSync } from 'node:child_process';

execFileSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' });
const status = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { encoding: 'utf8' });
if (status.trim() !== '') {
  console.error(
    'dist/ does not match a fresh build of src/. Run `npm run bundle` and commit dist/.\n' + status,
  );
  execFileSync('git', ['diff', '--stat', '--', 'dist'], { stdio: 'inherit' });
  process.exit(1);
}
console.log('dist/ matches a fresh build.');
