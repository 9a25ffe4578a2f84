// What the benchmark scripts share: building what they run, pinning processes to cores, percentiles.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

/**
 * Whether to pin processes to cores: on two or more cores with `taskset`, unless BENCH_PIN=0. Pinned, the
 * measured server and the load generator do not fight over the same core, and runs stop swinging by a third.
 */
export const pin =
  process.env.BENCH_PIN !== '0' &&
  availableParallelism() >= 2 &&
  spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

/** Pins a process to one core: all its threads, or (`allThreads` false) only its main thread. */
export function pinTo(pid, core, allThreads = true) {
  const result = spawnSync(
    'taskset',
    [...(allThreads ? ['-a'] : []), '-p', '-c', String(core), String(pid)],
    {
      stdio: 'ignore',
    },
  );
  if (result.status !== 0) throw new Error(`taskset failed for pid ${pid}`);
}

/** Builds the Nx projects a benchmark runs (cached), or exits. */
export function buildProjects(...projects) {
  const build = spawnSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', '-p', ...projects, '--outputStyle=static'],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
    },
  );
  if (build.status !== 0) process.exit(1);
}

/** The value below which `share` of the sorted values fall. */
export function percentile(sorted, share) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
}

/** Logs the stack's administrator in; returns the session cookie (`name=value`). */
export async function adminCookie(stack) {
  const login = await fetch(`${stack.baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: stack.adminUsername, password: stack.adminPassword }),
  });
  if (!login.ok) throw new Error(`the administrator could not log in: ${login.status}`);
  return (login.headers.get('set-cookie') ?? '').split(';')[0];
}
