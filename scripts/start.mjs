#!/usr/bin/env node
// `npm start`: checks PostgreSQL and Redis first (scripts/services.mjs: local ones that are installed but stopped
// are started; otherwise it stops at once, saying what to install or change), builds what is stale (Nx caches
// the rest), then runs the API, which
//  - creates the database if missing, applies migrations, creates the first administrator,
//  - starts the built-in Proxmox VE simulator when PVE_URL is unset,
//  - processes jobs in-process (RUN_WORKERS=true; run `npm run worker` for separate worker processes),
//  - serves the web UI on http://localhost:${PORT:-3000}.
// Ansible roles need ansible-playbook: installed from Debian when missing and run as root, else the command is said.
// Settings come from the environment or .env (see .env.example).
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ensureAnsible, ensureServices, readDotEnv } from './services.mjs';

const root = resolve(import.meta.dirname, '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

const dotEnv = readDotEnv(join(root, '.env'));
const services = await ensureServices({ dotEnv });
if (!services.ok) {
  for (const problem of services.problems) console.error(`\n${problem}`);
  process.exit(1);
}
for (const line of ensureAnsible({ dotEnv })) console.warn(line);

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
