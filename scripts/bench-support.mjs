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

/**
 * The administrator's session as a small client: `get` answers JSON; `post` expects a 202 and answers the
 * task id.
 */
export async function adminClient(stack) {
  const response = await fetch(`${stack.baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: stack.adminUsername, password: stack.adminPassword }),
  });
  if (!response.ok) throw new Error(`login failed: ${response.status}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = (await response.json()).data.csrf_token;
  return {
    get: async (path) => (await fetch(`${stack.baseUrl}${path}`, { headers: { cookie } })).json(),
    post: async (path, body) => {
      const answer = await fetch(`${stack.baseUrl}${path}`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = await answer.json();
      if (answer.status !== 202)
        throw new Error(`${path} answered ${answer.status}: ${JSON.stringify(json)}`);
      return json.data.task_id;
    },
    cookie,
  };
}

/** The task once it has ended (polled every `intervalMs`). */
export async function taskFinished(client, taskId, intervalMs = 100) {
  const { waitFor } = await import('@proxdeck/testing');
  return waitFor(
    async () => {
      const task = (await client.get(`/api/tasks/${taskId}/status`)).data;
      return ['completed', 'failed', 'partial', 'cancelled'].includes(task.status) ? task : undefined;
    },
    { timeoutMs: 1_800_000, intervalMs, what: `task ${taskId}` },
  );
}
