// The Python the local stack runs moto with: a project-local environment, `.local-stack/venv`,
// created on first use and reused. It sees the system's packages (--system-site-packages), so a
// moto that came with the machine's Python is used as is, without network; otherwise the pinned
// moto is installed into it. Used by `npm test` (scripts/test-all.sh), `npm run demo` and the e2e
// global setup.
//
//   node scripts/local-python.mjs      prints the interpreter's path; on failure one sentence on
//                                      stderr (what to run) and exit code 1, never a stack trace.
//   LOCAL_STACK_VENV=<dir>             another place for the environment (the tests use this).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const MOTO_VERSION = '5.2.1';
export const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;
const ROOT = resolve(new URL('..', import.meta.url).pathname);

/** A set-up problem the user can fix; its message is one sentence that says how. */
export class LocalPythonError extends Error {}

/** A path as the user would type it: relative when inside the current directory. */
function display(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function run(cmd, args, env) {
  return spawnSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The last non-empty line a failed command printed (pip's own summary of what went wrong). */
function lastLine(r) {
  if (r.error) return r.error.message;
  const lines = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').map((l) => l.trim());
  return lines.filter(Boolean).at(-1) ?? `exit code ${r.status}`;
}

function motoVersion(python, env) {
  const r = run(python, ['-c', 'import moto, moto.server, boto3; print(moto.__version__)'], env);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Returns the path of a Python interpreter that can run `python3 -m moto.server` with the pinned
 * moto, setting up `.local-stack/venv` when needed; throws LocalPythonError otherwise.
 */
export function ensureLocalPython({ env = process.env, log = () => undefined } = {}) {
  const venv = resolve(env.LOCAL_STACK_VENV || join(ROOT, '.local-stack', 'venv'));
  const python = join(venv, 'bin', 'python');
  const shown = display(python);
  if (existsSync(python) && motoVersion(python, env) === MOTO_VERSION) return python;

  if (!existsSync(python)) {
    const found = run('python3', ['--version'], env);
    if (found.error || found.status !== 0) {
      throw new LocalPythonError(
        'python3 was not found on PATH: the local stack runs moto (Python), so install Python 3.9 or ' +
          'later with its venv module (for example `sudo apt-get install python3 python3-venv`) and run ' +
          'this command again.',
      );
    }
    log(`Creating ${display(venv)} (a Python environment for moto)...`);
    // Without pip at first: creating pip costs seconds, and the system's moto (or pip) may do.
    const made = run('python3', ['-m', 'venv', '--without-pip', '--system-site-packages', venv], env);
    if (made.status !== 0) {
      throw new LocalPythonError(
        `python3 could not create a Python environment in ${venv} (${lastLine(made)}): install ` +
          'the venv module (for example `sudo apt-get install python3-venv`) and run this command again.',
      );
    }
    if (motoVersion(python, env) === MOTO_VERSION) return python;
  }

  log(`Installing ${MOTO_REQUIREMENT} into ${shown}...`);
  const install = `${shown} -m pip install '${MOTO_REQUIREMENT}'`;
  if (run(python, ['-m', 'pip', '--version'], env).status !== 0) {
    const pip = run(python, ['-m', 'ensurepip', '--default-pip'], env);
    if (pip.status !== 0) {
      throw new LocalPythonError(
        `could not set up pip in ${venv} (${lastLine(pip)}): install pip for python3 (for example ` +
          '`sudo apt-get install python3-pip`), or run `' +
          install +
          '` yourself, then run this command again.',
      );
    }
  }
  const pip = run(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', MOTO_REQUIREMENT],
    env,
  );
  if (pip.status !== 0 || motoVersion(python, env) !== MOTO_VERSION) {
    throw new LocalPythonError(
      `could not install ${MOTO_REQUIREMENT} for the local stack (pip: ${lastLine(pip)}): with ` +
        `network access to a Python package index, run \`${install}\` and then this command again.`,
    );
  }
  return python;
}

/** For scripts: the interpreter, or the one sentence on stderr and exit code 1. */
export function localPythonOrExit(opts) {
  try {
    return ensureLocalPython(opts);
  } catch (err) {
    if (!(err instanceof LocalPythonError)) throw err;
    process.stderr.write(`Local stack set-up failed: ${err.message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const python = localPythonOrExit({ log: (msg) => process.stderr.write(`${msg}\n`) });
  process.stdout.write(`${python}\n`);
}
