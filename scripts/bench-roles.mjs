#!/usr/bin/env node
// `npm run bench:roles`: a bulk assignment of the small test role proxdeck_marker to BENCH_HOSTS (20) test hosts,
// each a real OpenSSH server (Debian's sshd, started here as the test fixture does) on its own loopback address
// 127.0.0.10… and one port, accepting the unprivileged user proxdeck-test with one key. Needs root (sshd, useradd).
// - wall time against the ideal for the configured parallelism: one server's run × ⌈N / ROLE_RUN_CONCURRENCY⌉
//   with one server's time the median of three runs (target within 1.5×; the machine's cores bound how many
//   ansible-playbook processes really run at once: each is a Python process busy for about a second).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminClient, buildProjects, root, taskFinished } from './bench-support.mjs';

const count = Number(process.env.BENCH_HOSTS ?? 20);
const parallelism = Number(process.env.BENCH_PARALLELISM ?? process.env.ROLE_RUN_CONCURRENCY ?? 5);
const USER = 'proxdeck-test';

buildProjects('api', 'testing');
const { startApiProcess, waitFor } = await import('@proxdeck/testing');
const pg = (await import('pg')).default;

// ---- the test hosts (as apps/api/test/support/ssh-host.ts makes them) ------------------------------------------

function ensureUser() {
  try {
    execFileSync('getent', ['passwd', USER]);
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', '--password', '*', USER]);
  }
  const home = execFileSync('getent', ['passwd', USER]).toString().trim().split(':')[5];
  const shadow = execFileSync('getent', ['shadow', USER]).toString();
  if (shadow.split(':')[1]?.startsWith('!')) execFileSync('usermod', ['--password', '*', USER]);
  return home;
}

function freePort(address) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function banner(address, port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: address, port });
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('SSH-')));
  });
}

const home = ensureUser();
mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
const dir = mkdtempSync(join(tmpdir(), 'proxdeck-bench-sshd-'));
chmodSync(dir, 0o755);
const clientKey = join(dir, 'client_ed25519');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o644 });
const addresses = Array.from({ length: count }, (_, index) => `127.0.0.${String(10 + index)}`);
const port = await freePort(addresses[0]);
const daemons = [];
for (const address of addresses) {
  const hostKey = join(dir, `host_${address}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  const config = join(dir, `sshd_${address}`);
  writeFileSync(
    config,
    [
      `ListenAddress ${address}:${String(port)}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, `sshd_${address}.pid`)}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      `AllowUsers ${USER}`,
      'UseDNS no',
      'MaxStartups 100:30:200',
      'MaxSessions 50',
      'LogLevel ERROR',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  daemons.push(spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: 'ignore' }));
}
const stopHosts = () => {
  for (const daemon of daemons) daemon.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(home, 'proxdeck-marker'), { force: true });
};
await Promise.all(
  addresses.map((address) =>
    waitFor(async () => ((await banner(address, port)) ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 50,
      what: `sshd on ${address}:${String(port)}`,
    }),
  ),
);

// ---- the API, its servers, the runs --------------------------------------------------------------------------

let stack;
try {
  stack = await startApiProcess({
    env: {
      LOG_LEVEL: 'error',
      SCHEDULE_SERVERS_SYNC: '1h',
      ANSIBLE_DIR: join(root, 'ansible'),
      ANSIBLE_EXTRA_ROLES_DIR: join(root, 'ansible', 'test-roles'),
      ANSIBLE_SSH_USER: USER,
      ANSIBLE_SSH_KEY_FILE: clientKey,
      ANSIBLE_SSH_PORT: String(port),
      ANSIBLE_HOST_KEY_CHECKING: 'off',
      ANSIBLE_BECOME: 'false',
      ROLE_RUN_CONCURRENCY: String(parallelism),
    },
  });
  const db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  const names = addresses.map((_, index) => `bench-role-${String(index).padStart(2, '0')}`);
  for (const [index, name] of names.entries()) {
    const address = addresses[index];
    await db.query(
      `INSERT INTO servers (name, status, cpu_cores, memory_mb, networks, ip_addresses, os_type)
       VALUES ($1, 'running', 1, 1024, $2::jsonb, $3, 'debian')`,
      [
        name,
        JSON.stringify([
          {
            device: 'net0',
            bridge: 'vmbr0',
            ip_address: address,
            prefix: 8,
            gateway: '127.0.0.1',
            mac: null,
          },
        ]),
        [address],
      ],
    );
  }
  await db.end();

  const client = await adminClient(stack);
  const variables = { marker_text: 'bench', marker_secret: `bench-secret-${String(Date.now())}` };
  const timed = async (path, body) => {
    const started = performance.now();
    const task = await taskFinished(client, await client.post(path, body), 50);
    const seconds = (performance.now() - started) / 1000;
    const failed = task.items.filter((item) => item.status !== 'completed');
    if (failed.length > 0) throw new Error(`${String(failed.length)} runs failed: ${failed[0].error}`);
    return seconds;
  };
  // A first run warms Python's caches; the median of the next three is the ideal's unit.
  await timed(`/api/assign_role/${names[0]}`, { role: 'proxdeck_marker', variables });
  const singles = [];
  for (const name of names.slice(1, 4))
    singles.push(await timed(`/api/assign_role/${name}`, { role: 'proxdeck_marker', variables }));
  const single = singles.sort((a, b) => a - b)[1];
  const bulk = await timed('/api/roles/assign_bulk', {
    server_names: names,
    role: 'proxdeck_marker',
    variables,
  });
  const ideal = single * Math.ceil(count / parallelism);
  console.log(
    `\nrole proxdeck_marker on ${String(count)} test hosts (real sshd on 127.0.0.10-${String(9 + count)}), ROLE_RUN_CONCURRENCY ${String(parallelism)}, ${String(cpus().length)} cores`,
  );
  console.log(
    `  one server ${single.toFixed(2)} s (median of ${singles.map((value) => value.toFixed(2)).join(', ')}); ${String(count)} servers in bulk ${bulk.toFixed(2)} s; ideal ${single.toFixed(2)} × ⌈${String(count)}/${String(parallelism)}⌉ = ${ideal.toFixed(2)} s → ×${(bulk / ideal).toFixed(2)} (target ≤ 1.5); serial would be ${(single * count).toFixed(2)} s`,
  );
} finally {
  await stack?.stop();
  stopHosts();
}
