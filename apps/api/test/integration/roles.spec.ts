import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RoleRunEvent } from '@proxdeck/contracts';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { DataSource } from 'typeorm';
import { EventsService } from '../../src/platform/events/events.service';
import { RedisService } from '../../src/platform/redis/redis.service';
import { startSimulatorApp } from '../support/simulator-app';
import { startSshHost, waitFor, type SshHost } from '@proxdeck/testing';
import { acceptedTaskId, taskFinished } from '../support/tasks';
import type { Caller, TestApp } from '../support/test-app';

const run = promisify(execFile);

interface TaskBody {
  task_id: string;
  status: string;
  error: string | null;
  items: { name: string; status: string; step: string | null; error: string | null }[];
  result: Record<string, unknown> | null;
}

interface Run {
  id: number;
  server: string;
  role: string;
  action: string;
  status: string;
  task_id: string | null;
  address: string | null;
  variables: Record<string, unknown>;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  log: string;
}

/** Addresses of this file's SSH hosts (one port for all, as ANSIBLE_SSH_PORT is one setting). */
const ADDRESSES = ['127.0.0.41', '127.0.0.42', '127.0.0.43', '127.0.0.44'];
/** An ansible-playbook Proxdeck started (its files are in a proxdeck-ansible-* directory). */
const OUR_RUN = /ansible-playbook .*proxdeck-ansible-/;
/** The process groups of the ansible-playbook processes that descend from this process (its in-process API's). */
async function ourAnsibleGroups(): Promise<Set<number>> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,pgid=,args=']);
  const rows = stdout.split('\n').flatMap((line) => {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    return match
      ? [{ pid: Number(match[1]), ppid: Number(match[2]), pgid: Number(match[3]), args: match[4] ?? '' }]
      : [];
  });
  const parents = new Map(rows.map((row) => [row.pid, row.ppid]));
  const ours = (pid: number): boolean => {
    for (let at = pid, hops = 0; at > 1 && hops < 64; at = parents.get(at) ?? 0, hops += 1)
      if (at === process.pid) return true;
    return false;
  };
  return new Set(rows.filter((row) => OUR_RUN.test(row.args) && ours(row.pid)).map((row) => row.pgid));
}

/** Nothing listens there: an unreachable server. */
const UNREACHABLE = '127.0.0.49';

/**
 * Ansible roles (docs/api.md §6, §15) run for real: servers whose address is a loopback address where a real
 * OpenSSH server accepts the unprivileged test user; the test role proxdeck_marker writes ~/proxdeck-marker in
 * its home. Assign, remove, dry run, failures (failing task, unreachable host, timeout) leaving the role as it
 * was, secrets kept out of every record and of the process list, bulk runs, and a role in a creation request.
 */
describe('roles: run ansible-playbook against servers', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  let hosts: SshHost[] = [];
  const tag = randomBytes(2).toString('hex');
  const name = (index: number) => `rl-${tag}-${String(index)}`;
  const SECRET = `pd-secret-${randomBytes(8).toString('hex')}`;
  /** The marker file on the host of server `index` (1-3: hosts 0-2; 5, the created one: host 3). */
  const marker = (index: number) =>
    join(hosts[index === 5 ? 3 : index - 1]?.home ?? '/nonexistent', 'proxdeck-marker');
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const taskIds: string[] = [];

  beforeAll(async () => {
    const first = await startSshHost({ address: ADDRESSES[0] });
    const publicKey = readFileSync(`${first.privateKeyPath}.pub`, 'utf8');
    hosts = [first];
    for (const address of ADDRESSES.slice(1))
      hosts.push(await startSshHost({ address, port: first.port, authorizedKey: publicKey }));
    ({ simulator, t } = await startSimulatorApp(0.02, {
      RUN_WORKERS: 'true',
      WORKER_CONCURRENCY: '4',
      PVE_TASK_POLL_MS: '100',
      SERVER_READY_TIMEOUT_S: '60',
      VMID_RANGE: '33000-33999',
      ANSIBLE_EXTRA_ROLES_DIR: resolve('ansible/test-roles'),
      ANSIBLE_SSH_USER: first.user,
      ANSIBLE_SSH_KEY_FILE: first.privateKeyPath,
      ANSIBLE_SSH_PORT: String(first.port),
      ANSIBLE_HOST_KEY_CHECKING: 'accept-new',
      ANSIBLE_BECOME: 'false',
      ANSIBLE_RUN_TIMEOUT_S: '20',
      ROLE_RUN_CONCURRENCY: '3',
    }));
    admin = await t.admin();
    const dataSource = t.app.get(DataSource);
    const servers = [...ADDRESSES.slice(0, 3), UNREACHABLE].map((address, index) => ({
      name: name(index + 1),
      vmid: null,
      node: 'pve1',
      status: 'running',
      origin: 'created',
      cpu_cores: 1,
      memory_mb: 1024,
      networks: JSON.stringify([
        { device: 'net0', bridge: 'vmbr0', ip_address: address, prefix: 8, gateway: '127.0.0.1', mac: null },
      ]),
      ip_addresses: [address],
      os_type: 'debian',
    }));
    for (const server of servers)
      await dataSource.query(
        `INSERT INTO servers (name, vmid, node, status, origin, cpu_cores, memory_mb, networks, ip_addresses, os_type)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)`,
        [
          server.name,
          server.vmid,
          server.node,
          server.status,
          server.origin,
          server.cpu_cores,
          server.memory_mb,
          server.networks,
          server.ip_addresses,
          server.os_type,
        ],
      );
  }, 120_000);

  afterAll(async () => {
    const dataSource = t.app.get(DataSource);
    await dataSource.query(`DELETE FROM role_runs WHERE server LIKE $1`, [`rl-${tag}-%`]);
    await dataSource.query(`DELETE FROM ip_allocations WHERE owner LIKE $1`, [`server:rl-${tag}-%`]);
    await dataSource.query(`DELETE FROM servers WHERE name LIKE $1`, [`rl-${tag}-%`]);
    if (taskIds.length > 0)
      await dataSource.query(`DELETE FROM notifications WHERE task_id = ANY($1::uuid[])`, [taskIds]);
    await t.close();
    await simulator.close();
    for (const host of hosts) await host.stop();
  }, 60_000);

  const finished = (taskId: string, timeoutMs = 90_000) => {
    taskIds.push(taskId);
    return taskFinished<TaskBody>(admin, taskId, timeoutMs);
  };
  const data = <T>(response: { status: number; json: <J>() => J; body: string }): T => {
    if (response.status !== 200)
      throw new Error(`expected 200, got ${String(response.status)}: ${response.body}`);
    return response.json<{ data: T }>().data;
  };
  const roleOf = async (server: string) =>
    data<{ role: string | null }>(await admin.request('GET', `/api/servers/${server}`)).role;
  const runsOf = async (server: string) =>
    data<Run[]>(await admin.request('GET', `/api/roles/runs?server=${server}&per_page=50`));
  const assign = (server: string, body: Record<string, unknown>) =>
    admin.request('POST', `/api/assign_role/${server}`, { body });
  const fields = (response: { json: <J>() => J }) =>
    response.json<{ details: { fields: Record<string, string> } }>().details.fields;
  /** The role_run events of a task, from the event log every SSE client reads. */
  const roleRunEvents = async (taskId: string): Promise<RoleRunEvent[]> => {
    const redis = t.app.get(RedisService);
    const entries = await redis.client.xrange(t.app.get(EventsService).streamKey, '-', '+');
    const events: RoleRunEvent[] = [];
    for (const [, values] of entries) {
      const at = values.indexOf('e');
      if (values[at + 1] !== 'role_run') continue;
      const event = JSON.parse(values[values.indexOf('d') + 1] ?? '{}') as RoleRunEvent;
      if (event.task_id === taskId) events.push(event);
    }
    return events;
  };

  it('lists the catalogue (the shipped roles and the test roles) with its variables, secret ones without a default, and validates roles', async () => {
    const roles = data<{ name: string; variables: { name: string; secret: boolean; default?: unknown }[] }[]>(
      await admin.request('GET', '/api/roles/available'),
    );
    const markerRole = roles.find((role) => role.name === 'proxdeck_marker');
    expect(markerRole?.variables.map((variable) => variable.name)).toEqual([
      'marker_text',
      'marker_secret',
      'marker_fail',
    ]);
    expect(markerRole?.variables[1]).toMatchObject({ secret: true });
    expect(markerRole?.variables[1]).not.toHaveProperty('default');
    expect(data(await admin.request('GET', '/api/roles/validate/proxdeck_marker'))).toEqual({
      valid: true,
      errors: [],
    });
    // The roles the project ships are all in the catalogue, complete and valid.
    const shipped = ['db', 'ftp', 'node_exporter', 'search', 'was', 'web'];
    expect(roles.map((role) => role.name)).toEqual(expect.arrayContaining(shipped));
    for (const role of shipped)
      expect([role, data(await admin.request('GET', `/api/roles/validate/${role}`))]).toEqual([
        role,
        { valid: true, errors: [] },
      ]);
    expect(data(await admin.request('GET', '/api/roles/validate/no_such_role'))).toEqual({
      valid: false,
      errors: ['no role no_such_role'],
    });
  }, 60_000);

  it('refuses bad requests naming the field, before anything is queued', async () => {
    const unknown = await assign(name(1), {
      role: 'proxdeck_marker',
      variables: { marker_secret: 'x', nope: 1 },
    });
    expect(unknown.status).toBe(400);
    expect(fields(unknown)).toEqual({ 'variables.nope': 'is not a variable of role proxdeck_marker' });
    const typed = await assign(name(1), { role: 'proxdeck_marker', variables: { marker_fail: 'yes' } });
    expect(fields(typed)).toEqual({
      'variables.marker_fail': 'must be a boolean',
      'variables.marker_secret': 'is required',
    });
    const role = await assign(name(1), { role: 'no_such_role' });
    expect(Object.keys(fields(role))).toEqual(['role']);
    const notObject = await assign(name(1), { role: 'proxdeck_marker', variables: 'x' });
    expect(Object.keys(fields(notObject))).toEqual(['variables']);
    expect((await assign('no-such-server', { role: 'proxdeck_marker' })).status).toBe(404);
    expect((await admin.request('POST', `/api/remove_role/${name(2)}`)).status).toBe(409);
    const bulk = await admin.request('POST', '/api/roles/assign_bulk', {
      body: {
        server_names: [name(1), 'no-such-server'],
        role: 'proxdeck_marker',
        variables: { marker_secret: 'x' },
      },
    });
    expect(fields(bulk)).toEqual({ 'server_names.1': 'no server no-such-server' });
    const runs = await runsOf(name(1));
    expect(runs).toEqual([]);
  });

  it('assigns a role for real: the marker is written, the role recorded, the run kept with its log; the secret is nowhere', async () => {
    const seen: string[] = [];
    const sampling = { on: true };
    const sampler = (async () => {
      while (sampling.on) {
        const { stdout } = await run('ps', ['-eo', 'args', '--no-headers']);
        seen.push(...stdout.split('\n').filter((line) => /ansible|ssh|proxdeck/.test(line)));
        await new Promise((done) => setTimeout(done, 50));
      }
    })();
    const response = await assign(name(1), {
      role: 'proxdeck_marker',
      variables: { marker_text: `applied-${tag}`, marker_secret: SECRET },
    });
    const taskId = acceptedTaskId(response);
    const task = await finished(taskId);
    sampling.on = false;
    await sampler;
    expect(task.status).toBe('completed');
    expect(readFileSync(marker(1), 'utf8')).toBe(`applied-${tag}\n${sha(SECRET)}\n`);
    expect(existsSync(marker(2))).toBe(false);
    expect(await roleOf(name(1))).toBe('proxdeck_marker');

    const [latest] = await runsOf(name(1));
    expect(latest).toMatchObject({
      server: name(1),
      role: 'proxdeck_marker',
      action: 'apply',
      status: 'succeeded',
      task_id: taskId,
      address: ADDRESSES[0],
      variables: { marker_text: `applied-${tag}`, marker_secret: '********' },
    });
    expect(latest?.finished_at).not.toBeNull();
    expect(latest?.log).toContain('TASK [proxdeck_marker : Write ~/proxdeck-marker]');
    expect(latest?.log).toMatch(/PLAY RECAP[\s\S]*ok=\d+\s+changed=1/);
    const one = data<Run>(await admin.request('GET', `/api/roles/runs/${String(latest?.id)}`));
    expect(one.log).toBe(latest?.log);

    // The live events carried the same log, in order.
    const events = await roleRunEvents(taskId);
    expect(events[0]).toMatchObject({ status: 'running', offset: 0, lines: [] });
    expect(events.at(-1)).toMatchObject({ status: 'succeeded', run_id: latest?.id });
    const streamed = events.flatMap((event) => event.lines);
    expect(`${streamed.join('\n')}\n`).toBe(latest?.log);

    // ansible-playbook was seen running, and never with the secret on any command line.
    expect(seen.some((line) => OUR_RUN.test(line))).toBe(true);
    expect(seen.filter((line) => line.includes(SECRET))).toEqual([]);
    // Not in the run, the task, the audit trail, the event log, nor left in Redis.
    expect(JSON.stringify(await runsOf(name(1)))).not.toContain(SECRET);
    expect(JSON.stringify(await admin.request('GET', `/api/tasks/${taskId}/status`))).not.toContain(SECRET);
    const audit = await admin.request('GET', `/api/audit?task_id=${taskId}`);
    expect(audit.body).toContain('assign_role');
    expect(audit.body).not.toContain(SECRET);
    const redis = t.app.get(RedisService);
    const everything = await redis.client.xrange(t.app.get(EventsService).streamKey, '-', '+');
    expect(JSON.stringify(everything)).not.toContain(SECRET);
    expect(await redis.client.keys(redis.key('role-secrets', taskId, '*'))).toEqual([]);
    const stored = await t.app
      .get(DataSource)
      .query<{ n: string }[]>(
        `SELECT count(*) AS n FROM role_runs WHERE log LIKE $1 OR variables::text LIKE $1`,
        [`%${SECRET}%`],
      );
    expect(stored[0]?.n).toBe('0');
  }, 120_000);

  it('a dry run shows what would change and changes nothing, the role included', async () => {
    const before = readFileSync(marker(1), 'utf8');
    const task = await finished(
      acceptedTaskId(
        await admin.request('POST', `/api/roles/dry_run/${name(1)}`, {
          body: {
            role: 'proxdeck_marker',
            variables: { marker_text: 'would-change', marker_secret: SECRET },
          },
        }),
      ),
    );
    expect(task.status).toBe('completed');
    expect(readFileSync(marker(1), 'utf8')).toBe(before);
    expect(await roleOf(name(1))).toBe('proxdeck_marker');
    const [latest] = await runsOf(name(1));
    expect(latest).toMatchObject({ action: 'dry_run', status: 'succeeded' });
    expect(latest?.log).toContain('--check --diff');
    expect(latest?.log).toMatch(/changed=1/);
    expect(latest?.log).not.toContain(SECRET);
  }, 120_000);

  it('a failing task ends the task failed with the output, the previous role kept', async () => {
    const task = await finished(
      acceptedTaskId(
        await assign(name(1), {
          role: 'proxdeck_marker',
          variables: { marker_fail: true, marker_secret: SECRET, marker_text: 'never' },
        }),
      ),
    );
    expect(task.status).toBe('failed');
    expect(task.items[0]?.error).toContain('proxdeck_marker failed on purpose');
    expect(await roleOf(name(1))).toBe('proxdeck_marker');
    expect(readFileSync(marker(1), 'utf8')).toBe(`applied-${tag}\n${sha(SECRET)}\n`);
    const [latest] = await runsOf(name(1));
    expect(latest).toMatchObject({ status: 'failed', action: 'apply' });
    expect(latest?.log).toContain('failed on purpose because marker_fail is true');
    expect(latest?.error).toMatch(/^ansible-playbook failed \(exit 2\)/);
    // Its creator is told, as for every failed task, without the secret.
    const notifications = data<{ task_id: string | null; type: string; message: string }[]>(
      await admin.request('GET', '/api/notifications?type=task.failed&per_page=50'),
    );
    const told = notifications.find((notification) => notification.task_id === task.task_id);
    expect(told?.message).toContain('failed on purpose');
    expect(JSON.stringify(notifications)).not.toContain(SECRET);
  }, 120_000);

  it('an unreachable server ends the task failed saying so, its role unchanged', async () => {
    const task = await finished(
      acceptedTaskId(
        await assign(name(4), { role: 'proxdeck_marker', variables: { marker_secret: SECRET } }),
      ),
    );
    expect(task.status).toBe('failed');
    expect(task.items[0]?.error).toMatch(/UNREACHABLE/);
    expect(await roleOf(name(4))).toBeNull();
    const [latest] = await runsOf(name(4));
    expect(latest).toMatchObject({ status: 'failed', address: UNREACHABLE });
    expect(latest?.log).toMatch(/UNREACHABLE/);
  }, 120_000);

  it('a run past ANSIBLE_RUN_TIMEOUT_S is killed and fails saying it timed out, the role unchanged', async () => {
    // (The remote sleep outlives the killed run a little: short enough for the SSH host to stop cleanly.)
    const started = Date.now();
    const taskId = acceptedTaskId(
      await assign(name(1), { role: 'proxdeck_sleep', variables: { sleep_seconds: 40 } }),
    );
    // One run per server at a time: another request while this one runs is a 409 naming the task.
    const second = await assign(name(1), { role: 'proxdeck_marker', variables: { marker_secret: SECRET } });
    expect(second.status).toBe(409);
    expect(second.json()).toMatchObject({ details: { server: name(1), task_id: taskId } });
    const bulkBusy = await admin.request('POST', '/api/roles/assign_bulk', {
      body: { server_names: [name(2), name(1)], role: '' },
    });
    expect(bulkBusy.status).toBe(409);
    // The process groups of this run's ansible-playbook (this process's descendants: other processes on the
    // machine may run their own), to check afterwards that the kill left none of them behind.
    const groups = await waitFor(
      async () => {
        const found = await ourAnsibleGroups();
        return found.size > 0 ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the ansible-playbook of the run' },
    );
    const task = await finished(taskId, 120_000);
    expect(task.status).toBe('failed');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(task.items[0]?.error).toContain('timed out after 20 s');
    expect(await roleOf(name(1))).toBe('proxdeck_marker');
    const [latest] = await runsOf(name(1));
    expect(latest).toMatchObject({ role: 'proxdeck_sleep', status: 'failed' });
    expect(latest?.log).toContain('TASK [proxdeck_sleep : Sleep for sleep_seconds]');
    expect(latest?.log).toContain('was killed');
    // The killed run left nothing of its process group running (an orphan keeps its group; a zombie is dead
    // already, waiting for a parent that may never reap it in a container).
    const { stdout } = await run('ps', ['-eo', 'pgid=,stat=,args=']);
    const left = stdout.split('\n').filter((line) => {
      const [pgid, stat] = line.trim().split(/\s+/);
      return groups.has(Number(pgid)) && !stat?.startsWith('Z');
    });
    expect(left).toEqual([]);
  }, 120_000);

  it('removing runs the removal tasks and clears the role', async () => {
    const task = await finished(acceptedTaskId(await admin.request('POST', `/api/remove_role/${name(1)}`)));
    expect(task.status).toBe('completed');
    expect(existsSync(marker(1))).toBe(false);
    expect(await roleOf(name(1))).toBeNull();
    const [latest] = await runsOf(name(1));
    expect(latest).toMatchObject({ action: 'remove', role: 'proxdeck_marker', status: 'succeeded' });
    expect(latest?.log).toContain('Delete ~/proxdeck-marker');
  }, 120_000);

  it('a bulk assignment runs an item per server and records each role', async () => {
    const task = await finished(
      acceptedTaskId(
        await admin.request('POST', '/api/roles/assign_bulk', {
          body: {
            server_names: [name(1), name(2), name(3)],
            role: 'proxdeck_marker',
            variables: { marker_text: `bulk-${tag}`, marker_secret: SECRET },
          },
        }),
      ),
    );
    expect(task.status).toBe('completed');
    expect(task.items.map((item) => [item.name, item.status])).toEqual([
      [name(1), 'completed'],
      [name(2), 'completed'],
      [name(3), 'completed'],
    ]);
    for (const [index, server] of [name(1), name(2), name(3)].entries()) {
      expect(await roleOf(server)).toBe('proxdeck_marker');
      const [latest] = await runsOf(server);
      expect(latest).toMatchObject({ task_id: task.task_id, status: 'succeeded', address: ADDRESSES[index] });
    }
    for (const index of [1, 2, 3])
      expect(readFileSync(marker(index), 'utf8')).toBe(`bulk-${tag}\n${sha(SECRET)}\n`);
    // "" removes, in bulk too.
    const removal = await finished(
      acceptedTaskId(
        await admin.request('POST', '/api/roles/assign_bulk', {
          body: { server_names: [name(2), name(3)], role: '' },
        }),
      ),
    );
    expect(removal.status).toBe('completed');
    expect(await roleOf(name(2))).toBeNull();
    expect(await roleOf(name(3))).toBeNull();
  }, 180_000);

  it('replacing runs the other role’s removal first, then the new role (its secret intact); a removal replaces nothing', async () => {
    expect(await roleOf(name(1))).toBe('proxdeck_marker'); // from the bulk assignment
    const removing = await assign(name(1), { role: '', replace: true });
    expect(removing.status).toBe(400);
    expect(fields(removing)).toEqual({ replace: 'not used when removing a role' });
    const notBoolean = await assign(name(1), { role: 'proxdeck_sleep', replace: 'yes' });
    expect(notBoolean.status).toBe(400);
    expect(fields(notBoolean)).toEqual({ replace: 'must be true or false' });

    const task = await finished(
      acceptedTaskId(
        await assign(name(1), { role: 'proxdeck_sleep', variables: { sleep_seconds: 1 }, replace: true }),
      ),
    );
    expect(task.status).toBe('completed');
    expect(existsSync(marker(1))).toBe(false); // proxdeck_marker's removal tasks ran
    expect(await roleOf(name(1))).toBe('proxdeck_sleep');
    const ofTask = async (taskId: string) =>
      (await runsOf(name(1)))
        .filter((run) => run.task_id === taskId)
        .map((run) => [run.action, run.role, run.status]);
    expect(await ofTask(task.task_id)).toEqual([
      ['apply', 'proxdeck_sleep', 'succeeded'],
      ['remove', 'proxdeck_marker', 'succeeded'],
    ]);

    // Back again over a role without removal tasks: it is unassigned without running anything, and the secret,
    // kept for the apply, outlives the removal before it.
    const back = await finished(
      acceptedTaskId(
        await assign(name(1), {
          role: 'proxdeck_marker',
          variables: { marker_text: `replaced-${tag}`, marker_secret: SECRET },
          replace: true,
        }),
      ),
    );
    expect(back.status).toBe('completed');
    expect(await roleOf(name(1))).toBe('proxdeck_marker');
    expect(readFileSync(marker(1), 'utf8')).toBe(`replaced-${tag}\n${sha(SECRET)}\n`);
    expect(await ofTask(back.task_id)).toEqual([
      ['apply', 'proxdeck_marker', 'succeeded'],
      ['remove', 'proxdeck_sleep', 'succeeded'],
    ]);
    const [, removal] = (await runsOf(name(1))).filter((run) => run.task_id === back.task_id);
    expect(removal?.log).toContain('Role proxdeck_sleep has no removal tasks');
  }, 180_000);

  it('a role in a creation request is the pipeline’s last step, its secret kept out of the task', async () => {
    const server = name(5);
    const body = {
      name: server,
      cpu: 1,
      memory: 1024,
      vm_password: 'a-long-password',
      network_devices: [{ bridge: 'vmbr0', ip_address: ADDRESSES[3], subnet: 8, gateway: '127.0.0.1' }],
      role: 'proxdeck_marker',
      role_variables: { marker_text: `created-${tag}`, marker_secret: SECRET },
    };
    const bad = await admin.request('POST', '/api/servers', {
      body: { ...body, role_variables: { marker_text: 1 } },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual({
      'role_variables.marker_text': 'must be a string',
      'role_variables.marker_secret': 'is required',
    });
    const task = await finished(
      acceptedTaskId(await admin.request('POST', '/api/servers', { body })),
      180_000,
    );
    expect(task.status).toBe('completed');
    expect(await roleOf(server)).toBe('proxdeck_marker');
    expect(readFileSync(marker(5), 'utf8')).toBe(`created-${tag}\n${sha(SECRET)}\n`);
    const [latest] = await runsOf(server);
    expect(latest).toMatchObject({ task_id: task.task_id, status: 'succeeded', address: ADDRESSES[3] });
    const record = await t.app
      .get(DataSource)
      .query<{ payload: unknown }[]>('SELECT payload FROM tasks WHERE id = $1', [task.task_id]);
    expect(JSON.stringify(record)).toContain(`created-${tag}`);
    expect(JSON.stringify(record)).not.toContain(SECRET);
  }, 200_000);

  it('a creation whose role fails leaves the server failed with the run’s output, and no role', async () => {
    const server = name(6);
    const task = await finished(
      acceptedTaskId(
        await admin.request('POST', '/api/servers', {
          body: {
            name: server,
            cpu: 1,
            memory: 1024,
            vm_password: 'a-long-password',
            network_devices: [{ bridge: 'vmbr0', ip_address: '127.0.0.48', subnet: 8, gateway: '127.0.0.1' }],
            role: 'proxdeck_marker',
            role_variables: { marker_secret: SECRET },
          },
        }),
      ),
      180_000,
    );
    expect(task.status).toBe('failed');
    expect(task.items[0]).toMatchObject({ step: 'role' });
    const created = data<{ status: string; error: string | null; role: string | null }>(
      await admin.request('GET', `/api/servers/${server}`),
    );
    expect(created.status).toBe('failed');
    expect(created.error).toMatch(/UNREACHABLE/);
    expect(created.role).toBeNull();
    const [latest] = await runsOf(server);
    expect(latest).toMatchObject({ status: 'failed', task_id: task.task_id, address: '127.0.0.48' });
  }, 200_000);
});
