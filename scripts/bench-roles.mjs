#!/usr/bin/env node
// `npm run bench:roles`: a bulk assignment of the small test role proxdeck_marker to BENCH_HOSTS (20) test hosts,
// each a real OpenSSH server (Debian's sshd, started by the tests' fixture, libs/testing) on its own loopback address
// 127.0.0.10… and one port, accepting the unprivileged user proxdeck-test with one key. Needs root (sshd, useradd).
// - wall time against the ideal for the configured parallelism: one server's run × ⌈N / ROLE_RUN_CONCURRENCY⌉
//   with one server's time the median of three runs (target within 1.5×; the machine's cores bound how many
//   ansible-playbook processes really run at once: each is a Python process busy for about a second).
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { adminClient, buildProjects, root, taskFinished } from './bench-support.mjs';

const count = Number(process.env.BENCH_HOSTS ?? 20);
const parallelism = Number(process.env.BENCH_PARALLELISM ?? process.env.ROLE_RUN_CONCURRENCY ?? 5);

buildProjects('api', 'testing');
const { startApiProcess, startSshHost } = await import('@proxdeck/testing');
const pg = (await import('pg')).default;

// ---- the test hosts: the tests' fixture, one port for all, one client key ---------------------------------------

const addresses = Array.from({ length: count }, (_, index) => `127.0.0.${String(10 + index)}`);
const first = await startSshHost({ address: addresses[0] });
const hosts = [first];
const stopHosts = () => Promise.all(hosts.map((host) => host.stop()));
try {
  const publicKey = readFileSync(`${first.privateKeyPath}.pub`, 'utf8');
  for (const address of addresses.slice(1))
    hosts.push(await startSshHost({ address, port: first.port, authorizedKey: publicKey }));
} catch (error) {
  await stopHosts();
  throw error;
}
const { port, user: USER, privateKeyPath: clientKey } = first;

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
  await stopHosts();
}
