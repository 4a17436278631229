// Child-process timing for the benchmark: wall time always; CPU time and peak RSS too when GNU time
// (/usr/bin/time) is installed. Also reads another process's CPU time from /proc (for moto).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/**
 * Runs a command to completion.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, stdout?: 'pipe' | 'ignore', timeoutMs?: number }} [o]
 * @returns {Promise<{ code: number | null, ms: number, stdout: string, stderr: string,
 *   userS?: number, sysS?: number, peakRssKiB?: number }>}
 */
export function timeCommand(cmd, args, o = {}) {
  const dir = GNU_TIME ? mkdtempSync(join(tmpdir(), 'hes-bench-time-')) : null;
  const timeFile = dir ? join(dir, 'time') : null;
  const [exe, argv] = GNU_TIME
    ? [GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args]]
    : [cmd, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(exe, argv, {
      env: o.env ?? process.env,
      cwd: o.cwd,
      stdio: ['ignore', o.stdout ?? 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const out = { code, ms, stdout, stderr };
      if (timeFile) {
        try {
          const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
          const [, user, sys, rss] = line.split(/\s+/).map(Number);
          Object.assign(out, { userS: user, sysS: sys, peakRssKiB: rss });
        } catch {
          // no timing line (the command could not start)
        }
        rmSync(dir, { recursive: true, force: true });
      }
      resolve(out);
    });
  });
}

/** User + system CPU seconds a live process has used so far (Linux /proc), or NaN. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}
