import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ProcessOutcome {
  /** The exit code; null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

export interface ProcessOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs: number;
  /** Every line of stdout and stderr, in the order they come (each stream's order kept). */
  onLine: (line: string) => void;
}

/** After SIGTERM, how long the process group has before SIGKILL. */
const KILL_GRACE_MS = 3_000;

/**
 * Runs a program with an argument array (no shell) in a process group of its own, its output read line by line;
 * past `timeoutMs` the whole group (ansible-playbook and its ssh children) is terminated, then killed.
 */
export function runProcess(
  program: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    let timedOut = false;
    let settled = false;
    const child = spawn(program, [...args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killer = setTimeout(() => {
        killGroup('SIGKILL');
      }, KILL_GRACE_MS);
    }, options.timeoutMs);
    const streams = [child.stdout, child.stderr].map((stream) => {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => {
        options.onLine(line);
      });
      return new Promise<void>((done) => lines.once('close', done));
    });
    const finish = (outcome: ProcessOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
      // Whatever the group left behind (a killed run's children) goes with it.
      if (timedOut) killGroup('SIGKILL');
      resolve(outcome);
    };
    child.once('error', (error) => {
      options.onLine(`could not start ${program}: ${error.message}`);
      finish({ code: null, signal: null, timedOut });
    });
    child.once('close', (code, signal) => {
      void Promise.all(streams).then(() => {
        finish({ code, signal, timedOut });
      });
    });
  });
}
