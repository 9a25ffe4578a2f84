import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leastPrivilegeRoles, PveClient } from '@proxdeck/pve-client';
import { accessForRoles, startPveSimulator, type RunningPveSimulator } from '@proxdeck/pve-sim';
import { DataSource } from 'typeorm';
import { ServerSync, ServersRepository } from '../../src/modules/servers';
import type { FirewallEvent } from '@proxdeck/contracts';
import { EventsService } from '../../src/platform/events/events.service';
import { RedisService } from '../../src/platform/redis/redis.service';
import { NEVER_IN_A_TEST } from '../support/simulator-app';
import { createTestApp, type Caller, type TestApp } from '../support/test-app';
import { taskFinished } from '../support/tasks';

interface Rule {
  pos: number;
  type: string;
  action: string;
  dport?: string;
  comment?: string;
  enable: boolean;
}
interface Group {
  name: string;
  comment: string | null;
  digest: string;
  rules: Rule[];
  servers: string[];
}

/**
 * The firewall (docs/api.md §7, §15) against a simulator, through Proxdeck's least-privilege token: groups,
 * rule positions as Proxmox keeps them, digests, groups on servers, rename as a task, drift and its repair.
 */
describe('firewall: security groups, rules and servers', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  let pve: PveClient;
  const suffix = randomBytes(2).toString('hex');
  const web = `web-${suffix}`;
  const db = `db-${suffix}`;
  const alpha = `fw-alpha-${suffix}`;
  const beta = `fw-beta-${suffix}`;
  const base = 700_000 + randomBytes(2).readUInt16BE() * 3;
  const [vmA, vmB, vmC] = [base, base + 1, base + 2];

  beforeAll(async () => {
    const token = { id: 'proxdeck@pve!proxdeck', secret: `it-${randomBytes(6).toString('hex')}` };
    simulator = await startPveSimulator({
      port: 0,
      certDir: mkdtempSync(join(tmpdir(), 'proxdeck-it-sim-')),
      timeScale: 0.01,
      rootPassword: randomBytes(12).toString('hex'),
      ...accessForRoles(
        leastPrivilegeRoles('9.2'),
        { userid: 'proxdeck@pve', password: randomBytes(12).toString('hex') },
        token,
      ),
    });
    t = await createTestApp({
      RUN_WORKERS: 'true',
      PVE_URL: simulator.url,
      PVE_TOKEN_ID: token.id,
      PVE_TOKEN_SECRET: token.secret,
      PVE_CA_FILE: simulator.caFile ?? '',
      SCHEDULE_SERVERS_SYNC: NEVER_IN_A_TEST,
      SCHEDULE_ALERTS_CHECK: NEVER_IN_A_TEST,
      SCHEDULE_TCP_PROBE: NEVER_IN_A_TEST,
      FIREWALL_DRIFT_CHECK_S: '0',
    });
    admin = await t.admin();
    pve = new PveClient({
      baseUrl: simulator.url,
      auth: { type: 'token', tokenId: token.id, secret: token.secret },
      ...(simulator.caFile !== undefined ? { caFile: simulator.caFile } : {}),
      retry: { retries: 0 },
    });
    // VMs of this file's own (the integration database is shared: another file's servers hold VMIDs 100–102).
    const model = (vmid: number) => {
      const vm = simulator.state.vms.find((candidate) => candidate.vmid === vmid);
      if (!vm) throw new Error(`no VM ${String(vmid)} in the simulator`);
      return vm;
    };
    for (const [vmid, from] of [
      [vmA, 100],
      [vmB, 101],
      [vmC, 102],
    ] as const)
      simulator.state.vms.push({
        ...structuredClone(model(from)),
        vmid,
        config: { ...model(from).config, name: `fw-${String(vmid)}` },
      });
    const repository = t.app.get(ServersRepository);
    await repository.insert({
      name: alpha,
      status: 'running',
      vmid: vmA,
      node: 'pve1',
      cpuCores: 2,
      memoryMb: 2048,
    });
    await repository.insert({
      name: beta,
      status: 'stopped',
      vmid: vmB,
      node: 'pve2',
      cpuCores: 2,
      memoryMb: 2048,
    });
    await t.app.get(ServerSync).run();
  });
  afterAll(async () => {
    // The drift notices are broadcasts: other files of the shared database list every broadcast.
    await t.app
      .get(DataSource)
      .query(`DELETE FROM notifications WHERE type = 'firewall.drift' AND server = ANY($1)`, [[alpha, beta]]);
    await pve.close();
    await t.close();
    await simulator.close();
  });

  const group = async (name: string) =>
    (await admin.request('GET', `/api/firewall/groups/${name}`)).json<{ data: Group }>().data;
  const addRule = async (name: string, rule: Record<string, unknown>) =>
    admin.request('POST', `/api/firewall/groups/${name}/rules`, { body: rule });
  const vmRules = (vmid: number, node: string) => pve.vmFirewallRules(node, vmid);
  const taskDone = (taskId: string) =>
    taskFinished<{ status: string; items: { name: string; status: string; error: string | null }[] }>(
      admin,
      taskId,
      20_000,
    );

  it('creates a group, changes its comment, lists it, and refuses bad names naming the field', async () => {
    const created = await admin.request('POST', '/api/firewall/groups', {
      body: { name: web, comment: 'web tier' },
    });
    expect(created.status).toBe(200);
    expect(created.json<{ data: Group }>().data).toMatchObject({
      name: web,
      comment: 'web tier',
      rules: [],
      servers: [],
    });
    await admin.request('POST', '/api/firewall/groups', { body: { name: web, comment: 'the web tier' } });
    expect((await group(web)).comment).toBe('the web tier');

    const list = (await admin.request('GET', '/api/firewall/groups')).json<{
      data: { name: string; rules_count: number; servers: string[] }[];
    }>().data;
    expect(list.find((g) => g.name === web)).toEqual({
      name: web,
      comment: 'the web tier',
      rules_count: 0,
      servers: [],
    });

    for (const bad of ['x', '1abc', 'a-name-far-too-long-for-proxmox', 'sp ace']) {
      const refused = await admin.request('POST', '/api/firewall/groups', { body: { name: bad } });
      expect(refused.status).toBe(400);
      expect(refused.json()).toMatchObject({ details: { fields: { name: expect.any(String) as unknown } } });
    }
    expect((await admin.request('GET', '/api/firewall/groups/nope-nope')).status).toBe(404);
  });

  it('adds, moves and deletes rules at the positions Proxmox gives them', async () => {
    for (const port of ['22', '80', '443']) {
      const added = await addRule(web, { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: port });
      expect(added.status).toBe(200);
    }
    // Proxmox adds at the top: the last added is first.
    let rules = (await group(web)).rules;
    expect(rules.map((r) => [r.pos, r.dport, r.enable])).toEqual([
      [0, '443', true],
      [1, '80', true],
      [2, '22', true],
    ]);
    // insert_at: added, then placed at that position.
    await addRule(web, {
      type: 'in',
      action: 'DROP',
      proto: 'tcp',
      dport: '23',
      enable: false,
      insert_at: 1,
    });
    rules = (await group(web)).rules;
    expect(rules.map((r) => r.dport)).toEqual(['443', '23', '80', '22']);
    expect(rules[1]).toMatchObject({ action: 'DROP', enable: false });
    // moveto, as Proxmox: before the rule now at that index (down by one: pos + 2).
    let digest = (await group(web)).digest;
    await addRule(web, { pos: 1, moveto: 3, digest });
    expect((await group(web)).rules.map((r) => r.dport)).toEqual(['443', '80', '23', '22']);
    digest = (await group(web)).digest;
    await addRule(web, { pos: 2, moveto: 0, digest });
    expect((await group(web)).rules.map((r) => r.dport)).toEqual(['23', '443', '80', '22']);
    // And Proxmox itself agrees.
    expect((await pve.firewallGroupRules(web)).map((r) => r.dport)).toEqual(['23', '443', '80', '22']);
    // Update by position: the rule there is replaced (fields not given are removed).
    digest = (await group(web)).digest;
    const updated = await addRule(web, {
      pos: 0,
      digest,
      type: 'in',
      action: 'ACCEPT',
      macro: 'SSH',
      comment: 'ssh',
    });
    expect(updated.status).toBe(200);
    expect((await group(web)).rules[0]).toEqual({
      pos: 0,
      type: 'in',
      action: 'ACCEPT',
      macro: 'SSH',
      comment: 'ssh',
      enable: true,
    });
    // Delete by position.
    digest = (await group(web)).digest;
    const deleted = await admin.request('DELETE', `/api/firewall/groups/${web}/rules/0?digest=${digest}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json<{ data: { rules: Rule[] } }>().data.rules.map((r) => r.dport)).toEqual([
      '443',
      '80',
      '22',
    ]);
    expect((await admin.request('DELETE', `/api/firewall/groups/${web}/rules/9`)).status).toBe(404);
  });

  it('refuses an invalid rule with a 400 naming each field, and sends nothing', async () => {
    const before = (await group(web)).rules.length;
    const refused = await addRule(web, {
      type: 'in',
      action: 'ALLOW',
      proto: 'tcp',
      dport: '99999',
      source: '10.0.0.300',
    });
    expect(refused.status).toBe(400);
    expect(refused.json<{ details: { fields: Record<string, string> } }>().details.fields).toEqual({
      action: expect.any(String) as unknown,
      dport: "invalid port '99999'",
      source: "invalid IP address '10.0.0.300'",
    });
    const macro = await addRule(web, { type: 'in', action: 'ACCEPT', macro: 'SSH', dport: '22' });
    expect(macro.json()).toMatchObject({
      details: { fields: { dport: expect.stringContaining('macro') as unknown } },
    });
    const unknownAlias = await addRule(web, { type: 'in', action: 'ACCEPT', source: 'no-such-alias' });
    expect(unknownAlias.status).toBe(400);
    expect(unknownAlias.json()).toMatchObject({
      details: { fields: { source: "no such alias 'no-such-alias'" } },
    });
    expect((await group(web)).rules.length).toBe(before);
  });

  it('refuses an edit made with a stale digest (409), never applying it', async () => {
    const stale = (await group(web)).digest;
    await addRule(web, { type: 'out', action: 'ACCEPT', proto: 'udp', dport: '53' });
    const edit = await addRule(web, { pos: 0, digest: stale, type: 'out', action: 'DROP' });
    expect(edit.status).toBe(409);
    const removal = await admin.request('DELETE', `/api/firewall/groups/${web}/rules/0?digest=${stale}`);
    expect(removal.status).toBe(409);
    const move = await addRule(web, { pos: 0, moveto: 3, digest: stale });
    expect(move.status).toBe(409);
    expect((await group(web)).rules[0]).toMatchObject({ type: 'out', action: 'ACCEPT', dport: '53' });
  });

  it("applies a group to a server, replacing the one Proxdeck attached before and keeping others' rules", async () => {
    await pve.createVmFirewallRule('pve1', vmA, {
      type: 'in',
      action: 'ACCEPT',
      proto: 'tcp',
      dport: '8080',
      enable: 1,
      comment: 'by hand',
    });
    await admin.request('POST', '/api/firewall/groups', { body: { name: db } });
    const first = await admin.request('POST', `/api/apply_security_group/${alpha}`, {
      body: { security_group: web },
    });
    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({ data: { server_name: alpha, firewall_group: web, drift: null } });
    let rules = await vmRules(vmA, 'pve1');
    expect(rules.map((r) => [r.type, r.action, r.enable])).toEqual([
      ['group', web, 1],
      ['in', 'ACCEPT', 1],
    ]);
    expect((await pve.vmFirewallOptions('pve1', vmA)).enable).toBe(1);

    // The list is cached per inventory version: the change must show in it.
    expect((await admin.request('GET', `/api/servers?firewall_group=${db}`)).json()).toMatchObject({
      data: [],
    });
    await admin.request('POST', `/api/apply_security_group/${alpha}`, { body: { security_group: db } });
    rules = await vmRules(vmA, 'pve1');
    expect(rules.map((r) => [r.type, r.action, r.comment])).toEqual([
      ['group', db, 'proxdeck'],
      ['in', 'ACCEPT', 'by hand'],
    ]);
    const server = (await admin.request('GET', `/api/servers/${alpha}`)).json<{
      data: { firewall_group: string };
    }>();
    expect(server.data.firewall_group).toBe(db);
    expect((await group(db)).servers).toEqual([alpha]);
    const listed = (await admin.request('GET', `/api/servers?firewall_group=${db}`)).json<{
      data: { name: string; firewall_group: string }[];
    }>().data;
    expect(listed.map((s) => [s.name, s.firewall_group])).toEqual([[alpha, db]]);

    const unknown = await admin.request('POST', `/api/apply_security_group/${alpha}`, {
      body: { security_group: 'no-such' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({
      details: { fields: { security_group: expect.any(String) as unknown } },
    });

    // Remove: only Proxdeck's rule goes.
    const removed = await admin.request('POST', `/api/remove_firewall_group/${alpha}`);
    expect(removed.json()).toMatchObject({ data: { firewall_group: null } });
    expect((await vmRules(vmA, 'pve1')).map((r) => r.comment)).toEqual(['by hand']);
  });

  it('assigns a group to several servers as one task with an item each, and "none" removes it', async () => {
    const accepted = await admin.request('POST', '/api/firewall/assign_bulk', {
      body: { server_names: [alpha, beta], security_group: db },
    });
    expect(accepted.status).toBe(202);
    const task = await taskDone(accepted.json<{ data: { task_id: string } }>().data.task_id);
    expect(task.status).toBe('completed');
    expect(task.items.map((item) => [item.name, item.status]).sort()).toEqual([
      [alpha, 'completed'],
      [beta, 'completed'],
    ]);
    expect((await group(db)).servers).toEqual([alpha, beta].sort());
    expect((await vmRules(vmB, 'pve2'))[0]).toMatchObject({ type: 'group', action: db, enable: 1 });

    const unknown = await admin.request('POST', '/api/firewall/assign_bulk', {
      body: { server_names: ['no-such-server'], security_group: db },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({
      details: { fields: { server_names: expect.any(String) as unknown } },
    });

    const none = await admin.request('POST', '/api/firewall/assign_bulk', {
      body: { server_names: [beta], security_group: 'none' },
    });
    expect((await taskDone(none.json<{ data: { task_id: string } }>().data.task_id)).status).toBe(
      'completed',
    );
    expect((await vmRules(vmB, 'pve2')).some((r) => r.type === 'group')).toBe(false);
    expect((await group(db)).servers).toEqual([alpha]);
  });

  it('notices drift after the group rule is removed behind its back, and re-applying repairs it', async () => {
    const [ours] = await vmRules(vmA, 'pve1');
    expect(ours).toMatchObject({ type: 'group', action: db });
    await pve.deleteVmFirewallRule('pve1', vmA, ours!.pos);
    await t.app.get(ServerSync).run();

    const mine = (rows: { server_name: string }[]) =>
      rows.filter((row) => row.server_name === alpha || row.server_name === beta);
    const drift = mine(
      (await admin.request('GET', '/api/firewall/drift')).json<{
        data: { server_name: string; firewall_group: string; reason: string }[];
      }>().data,
    );
    expect(drift).toEqual([
      expect.objectContaining({ server_name: alpha, firewall_group: db, reason: 'group_missing' }),
    ]);
    expect((await admin.request('GET', `/api/firewall/servers/${alpha}`)).json()).toMatchObject({
      data: { firewall_group: db, drift: 'group_missing' },
    });
    const notices = (await admin.request('GET', '/api/notifications')).json<{
      data: { type: string; server: string | null }[];
    }>().data;
    expect(notices.filter((n) => n.type === 'firewall.drift' && n.server === alpha)).toHaveLength(1);
    // Found again: announced once, not at every sync.
    await t.app.get(ServerSync).run();
    const again = (await admin.request('GET', '/api/notifications')).json<{
      data: { type: string; server: string | null }[];
    }>().data;
    expect(again.filter((n) => n.type === 'firewall.drift' && n.server === alpha)).toHaveLength(1);

    const repaired = await admin.request('POST', `/api/firewall/reapply/${alpha}`);
    expect(repaired.status).toBe(200);
    expect(repaired.json()).toMatchObject({ data: { firewall_group: db, drift: null } });
    expect((await vmRules(vmA, 'pve1'))[0]).toMatchObject({ type: 'group', action: db, enable: 1 });
    await t.app.get(ServerSync).run();
    expect(
      mine(
        (await admin.request('GET', '/api/firewall/drift')).json<{ data: { server_name: string }[] }>().data,
      ),
    ).toEqual([]);

    // The VM firewall turned off is drift too.
    const options = await pve.vmFirewallOptions('pve1', vmA);
    await pve.updateVmFirewallOptions('pve1', vmA, { enable: 0, digest: options.digest });
    await t.app.get(ServerSync).run();
    expect((await admin.request('GET', `/api/firewall/servers/${alpha}`)).json()).toMatchObject({
      data: { drift: 'firewall_off' },
    });
    await admin.request('POST', `/api/firewall/reapply/${alpha}`);
    expect((await pve.vmFirewallOptions('pve1', vmA)).enable).toBe(1);
    expect((await admin.request('POST', `/api/firewall/reapply/${beta}`)).status).toBe(409);
  });

  it('renames a group as a task: the new group has the rules, every VM reference moves, the old one goes', async () => {
    await addRule(db, { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '5432' });
    await addRule(db, { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '6432', enable: false });
    // A VM Proxdeck does not manage refers to it too.
    await pve.createVmFirewallRule('pve3', vmC, { type: 'group', action: db, enable: 1 });
    const renamed = `${db}-new`;
    const accepted = await admin.request('POST', '/api/firewall/groups', {
      body: { name: renamed, rename: db },
    });
    expect(accepted.status).toBe(202);
    const task = await taskDone(accepted.json<{ data: { task_id: string } }>().data.task_id);
    expect(task.status).toBe('completed');

    const moved = await group(renamed);
    expect(moved.rules.map((r) => [r.dport, r.enable])).toEqual([
      ['6432', false],
      ['5432', true],
    ]);
    expect(moved.servers).toEqual([alpha]);
    expect((await admin.request('GET', `/api/firewall/groups/${db}`)).status).toBe(404);
    expect((await vmRules(vmA, 'pve1'))[0]).toMatchObject({ type: 'group', action: renamed });
    expect((await vmRules(vmC, 'pve3')).find((r) => r.type === 'group')).toMatchObject({ action: renamed });

    const taken = await admin.request('POST', '/api/firewall/groups', {
      body: { name: web, rename: renamed },
    });
    expect(taken.status).toBe(409);
  });

  it('refuses to delete a group servers use, unless forced, which detaches it first', async () => {
    const renamed = `${db}-new`;
    const refused = await admin.request('DELETE', `/api/firewall/groups/${renamed}`);
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'CONFLICT', details: { servers: [alpha] } });

    const forced = await admin.request('DELETE', `/api/firewall/groups/${renamed}?force=true`);
    expect(forced.status).toBe(200);
    expect(forced.json()).toMatchObject({ data: { name: renamed, detached: [alpha] } });
    expect((await pve.firewallGroups()).map((g) => g.group)).not.toContain(renamed);
    expect((await vmRules(vmA, 'pve1')).some((r) => r.comment === 'proxdeck')).toBe(false);
    expect((await admin.request('GET', `/api/servers/${alpha}`)).json()).toMatchObject({
      data: { firewall_group: null },
    });

    // A group with rules and no servers goes (emptied first, as Proxmox wants).
    expect((await admin.request('DELETE', `/api/firewall/groups/${web}`)).status).toBe(200);
    expect((await admin.request('GET', `/api/firewall/groups/${web}`)).status).toBe(404);
    expect((await admin.request('DELETE', `/api/firewall/groups/${web}?force=maybe`)).status).toBe(400);
  });

  it('lets viewers read the firewall and refuses them every change, naming manage_firewall', async () => {
    const viewerUser = await t.createUser('viewer');
    const viewer = await t.login(viewerUser.username, viewerUser.password);
    for (const path of [
      '/api/firewall/groups',
      '/api/firewall/ipsets',
      '/api/firewall/aliases',
      '/api/firewall/drift',
    ])
      expect(`${path} ${(await viewer.request('GET', path)).status}`).toBe(`${path} 200`);
    const writes: [string, string, Record<string, unknown>][] = [
      ['POST', '/api/firewall/groups', { name: 'viewer-made' }],
      ['POST', `/api/apply_security_group/${alpha}`, { security_group: 'x1' }],
      ['POST', `/api/firewall/reapply/${alpha}`, {}],
      ['POST', '/api/firewall/aliases', { name: 'viewer-alias', cidr: '10.0.0.1' }],
    ];
    for (const [method, path, body] of writes) {
      const refused = await viewer.request(method, path, { body });
      expect(`${path} ${refused.status}`).toBe(`${path} 403`);
      expect(refused.json()).toMatchObject({ details: { required: 'manage_firewall' } });
    }
  });

  it('keeps IP sets and aliases; one in use cannot be deleted, and Proxmox refuses a non-empty IP set', async () => {
    const alias = await admin.request('POST', '/api/firewall/aliases', {
      body: { name: `lan-${suffix}`, cidr: '10.20.0.0/16' },
    });
    expect(alias.status).toBe(200);
    const badAlias = await admin.request('POST', '/api/firewall/aliases', {
      body: { name: `bad-${suffix}`, cidr: 'not-an-ip!' },
    });
    expect(badAlias.status).toBe(400);
    expect(badAlias.json()).toMatchObject({ details: { fields: { cidr: expect.any(String) as unknown } } });

    const set = await admin.request('POST', '/api/firewall/ipsets', {
      body: { name: `admins-${suffix}`, comment: 'admins' },
    });
    expect(set.json()).toMatchObject({ data: { name: `admins-${suffix}`, entries: [] } });
    const entry = await admin.request('POST', `/api/firewall/ipsets/admins-${suffix}/entries`, {
      body: { cidr: '10.30.0.0/24' },
    });
    expect(entry.json()).toMatchObject({ data: { entries: [{ cidr: '10.30.0.0/24', nomatch: false }] } });

    const holder = `hold-${suffix}`;
    await admin.request('POST', '/api/firewall/groups', { body: { name: holder } });
    expect((await addRule(holder, { type: 'in', action: 'ACCEPT', source: `lan-${suffix}` })).status).toBe(
      200,
    );
    const usedAlias = await admin.request('DELETE', `/api/firewall/aliases/lan-${suffix}`);
    expect(usedAlias.status).toBe(409);
    expect(usedAlias.json<{ error: string }>().error).toContain(`group ${holder} rule 0`);

    const nonEmpty = await admin.request('DELETE', `/api/firewall/ipsets/admins-${suffix}`);
    expect(nonEmpty.status).toBe(409);
    expect(nonEmpty.json<{ error: string }>().error).toBe(`IPSet 'admins-${suffix}' is not empty`);
    const removedEntry = await admin.request(
      'DELETE',
      `/api/firewall/ipsets/admins-${suffix}/entries/${encodeURIComponent('10.30.0.0/24')}`,
    );
    expect(removedEntry.json()).toMatchObject({ data: { entries: [] } });
    expect((await admin.request('DELETE', `/api/firewall/ipsets/admins-${suffix}`)).status).toBe(200);

    await admin.request('DELETE', `/api/firewall/groups/${holder}`);
    const changed = await admin.request('PUT', `/api/firewall/aliases/lan-${suffix}`, {
      body: { cidr: '10.21.0.0/16', comment: 'moved' },
    });
    expect(changed.json()).toMatchObject({ data: { cidr: '10.21.0.0/16', comment: 'moved' } });
    expect((await admin.request('DELETE', `/api/firewall/aliases/lan-${suffix}`)).status).toBe(200);
  });

  it('announces each change to open firewall views once made, none for a refused one, and a rename when done', async () => {
    const events = t.app.get(EventsService);
    const redis = t.app.get(RedisService);
    const firewallEventsAfter = async (after: string) =>
      (await redis.client.xrange(events.streamKey, `(${after}`, '+'))
        .filter(([, values]) => values[values.indexOf('e') + 1] === 'firewall')
        .map(([, values]) => JSON.parse(values[values.indexOf('d') + 1] ?? '{}') as FirewallEvent);
    const latestId = async () =>
      (await redis.client.xrevrange(events.streamKey, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0';

    const name = `ann-${suffix}`;
    let mark = await latestId();
    expect((await admin.request('POST', '/api/firewall/groups', { body: { name } })).status).toBe(200);
    expect(await firewallEventsAfter(mark)).toEqual([{ scope: 'groups', name }]);

    mark = await latestId();
    expect((await addRule(name, { type: 'in', action: 'SHOUT' })).status).toBe(400);
    expect((await admin.request('POST', '/api/firewall/groups', { body: { name: 'x' } })).status).toBe(400);
    expect(await firewallEventsAfter(mark)).toEqual([]);

    mark = await latestId();
    const renamed = `${name}-b`;
    const accepted = await admin.request('POST', '/api/firewall/groups', {
      body: { name: renamed, rename: name },
    });
    expect(accepted.status).toBe(202);
    expect((await taskDone(accepted.json<{ data: { task_id: string } }>().data.task_id)).status).toBe(
      'completed',
    );
    // Once when accepted (nothing visible yet), once when the task has done it.
    expect(await firewallEventsAfter(mark)).toEqual([
      { scope: 'groups', name: renamed },
      { scope: 'groups', name: renamed },
    ]);

    // Applied to a server (at once), then drift found by the check after a sync: announced, once.
    mark = await latestId();
    expect(
      (
        await admin.request('POST', `/api/apply_security_group/${alpha}`, {
          body: { security_group: renamed },
        })
      ).status,
    ).toBe(200);
    expect(await firewallEventsAfter(mark)).toEqual([{ scope: 'servers', name: alpha }]);
    const ours = (await vmRules(vmA, 'pve1')).find((rule) => rule.type === 'group');
    await pve.deleteVmFirewallRule('pve1', vmA, ours?.pos ?? 0);
    mark = await latestId();
    await t.app.get(ServerSync).run();
    await t.app.get(ServerSync).run();
    expect(await firewallEventsAfter(mark)).toEqual([{ scope: 'drift', name: null }]);

    await admin.request('POST', `/api/remove_firewall_group/${alpha}`);
    await admin.request('DELETE', `/api/firewall/groups/${renamed}`);
  });
});
