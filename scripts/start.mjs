#!/usr/bin/env node
// `npm start`: builds what is stale (Nx caches the rest), then runs the API, which
//  - creates the database if missing, applies migrations, creates the first administrator,
//  - starts the built-in Proxmox VE simulator when PVE_URL is unset,
//  - processes jobs in-process (RUN_WORKERS=true; run `npm run worker` for separate worker processes),
//  - serves the web UI on http://localhost:${PORT:-3000}.
// Settings come from the environment or .env (see .env.example).
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

const build = spawnSync(
  'npx',
  ['nx', 'run-many', '-t', 'build', '-p', 'api', 'web', '--outputStyle=static'],
  {
    cwd: root,
    stdio: 'inherit',
    env,
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const api = spawn(process.execPath, ['apps/api/dist/main.js'], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    api.kill(signal);
  });
}
api.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
