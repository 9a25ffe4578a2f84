/**
 * The cluster firewall beyond security groups (docs/pve-semantics.md §7.16): aliases, IP sets, the cluster's own
 * rules and options, and the alias, IP set and macro checks of verify_rule.
 */
import { PveApiError, type PveClient } from '@proxdeck/pve-client';
import type { RunningPveSimulator } from '../src';
import { raw, startTestSim, tokenClient } from './helpers';

describe('the cluster firewall: aliases, IP sets, cluster rules and options', () => {
  let sim: RunningPveSimulator;
  let client: PveClient;

  beforeAll(async () => {
    sim = await startTestSim();
    client = tokenClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('creates, reads, renames and deletes aliases, case-insensitively, with a digest', async () => {
    await client.createFirewallAlias({ name: 'Office', cidr: '192.0.2.0/24', comment: 'HQ' });
    await expect(client.createFirewallAlias({ name: 'office', cidr: '192.0.2.1' })).rejects.toMatchObject({
      status: 400,
      errors: { name: "alias 'office' already exists" },
    });
    const [alias] = await client.firewallAliases();
    expect(alias).toMatchObject({ name: 'Office', cidr: '192.0.2.0/24', comment: 'HQ', ipversion: 4 });
    const bad = await raw(sim, 'POST', '/api2/json/cluster/firewall/aliases', { body: 'name=x1&cidr=nope' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('cidr');
    await expect(
      client.updateFirewallAlias('office', { cidr: '2001:db8::/32', rename: 'office6', digest: 'stale' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('detected modified configuration') as unknown,
    });
    await client.updateFirewallAlias('OFFICE', {
      cidr: '2001:db8::/32',
      rename: 'office6',
      digest: alias?.digest,
    });
    expect(await client.firewallAliases()).toEqual([
      expect.objectContaining({ name: 'office6', cidr: '2001:db8::/32', ipversion: 6 }),
    ]);
    await expect(client.updateFirewallAlias('gone', { cidr: '10.0.0.1' })).rejects.toMatchObject({
      status: 400,
      errors: { name: 'no such alias' },
    });
    await client.deleteFirewallAlias('office6');
    expect(await client.firewallAliases()).toEqual([]);
  });

  it('keeps IP set entries, refuses duplicates, zero prefixes and unknown aliases, and deletes only empty sets', async () => {
    await client.createFirewallIpset('admins', 'admin hosts');
    await expect(client.createFirewallIpset('admins')).rejects.toMatchObject({
      errors: { name: "IPSet 'admins' already exists" },
    });
    await client.addFirewallIpsetEntry('admins', { cidr: '10.1.0.0/16', comment: 'vpn' });
    await client.addFirewallIpsetEntry('admins', { cidr: '10.2.0.5', nomatch: 1 });
    await expect(client.addFirewallIpsetEntry('admins', { cidr: '10.2.0.5' })).rejects.toMatchObject({
      errors: { cidr: "address '10.2.0.5' already exists" },
    });
    await expect(client.addFirewallIpsetEntry('admins', { cidr: '0.0.0.0/0' })).rejects.toMatchObject({
      errors: { cidr: 'a zero prefix is not allowed in ipset entries' },
    });
    await expect(client.addFirewallIpsetEntry('admins', { cidr: 'nosuchalias' })).rejects.toMatchObject({
      message: "no such alias 'nosuchalias'",
    });
    const entries = await client.firewallIpsetEntries('admins');
    expect(entries.map((e) => e.cidr)).toEqual(['10.2.0.5', '10.1.0.0/16']);
    expect(entries[0]).toMatchObject({ nomatch: 1 });
    expect(new Set(entries.map((e) => e.digest)).size).toBe(1);
    expect(await client.firewallIpsets()).toEqual([
      expect.objectContaining({
        name: 'admins',
        comment: 'admin hosts',
        digest: expect.any(String) as unknown,
      }),
    ]);

    const refused = await client.deleteFirewallIpset('admins').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PveApiError);
    expect(refused).toMatchObject({ status: 500, message: "IPSet 'admins' is not empty" });
    await expect(
      client.deleteFirewallIpsetEntry('admins', '10.1.0.0/16', 'stale-digest'),
    ).rejects.toMatchObject({
      message: expect.stringContaining('detected modified configuration') as unknown,
    });
    await client.deleteFirewallIpsetEntry('admins', '10.1.0.0/16', entries[0]?.digest);
    expect((await client.firewallIpsetEntries('admins')).map((e) => e.cidr)).toEqual(['10.2.0.5']);
    await client.deleteFirewallIpset('admins', true);
    expect(await client.firewallIpsets()).toEqual([]);
    await expect(client.firewallIpsetEntries('admins')).rejects.toMatchObject({
      message: "no such IPSet 'admins'",
    });
  });

  it('resolves aliases and IP sets named by rules, and macros case-insensitively', async () => {
    await client.createFirewallGroup('refs');
    const rule = { type: 'in' as const, action: 'ACCEPT', enable: 1 as const };
    await expect(
      client.createFirewallGroupRule('refs', { ...rule, source: '+nosuchset' }),
    ).rejects.toMatchObject({
      errors: { source: "no such ipset 'nosuchset'" },
    });
    await expect(
      client.createFirewallGroupRule('refs', { ...rule, dest: 'dc/nosuch' }),
    ).rejects.toMatchObject({
      errors: { dest: "no such alias 'nosuch'" },
    });
    await expect(
      client.createFirewallGroupRule('refs', { ...rule, macro: 'NoSuchMacro' }),
    ).rejects.toMatchObject({
      errors: { macro: "unknown macro 'NoSuchMacro'" },
    });
    await client.createFirewallAlias({ name: 'lb', cidr: '198.51.100.7' });
    await client.createFirewallIpset('web');
    await client.createFirewallGroupRule('refs', { ...rule, source: '+dc/web', dest: 'lb', macro: 'https' });
    const [stored] = await client.firewallGroupRules('refs');
    expect(stored).toMatchObject({ source: '+dc/web', dest: 'lb', macro: 'HTTPS' });
  });

  it('keeps the cluster rules (group references allowed) and options, with digests', async () => {
    await raw(sim, 'POST', '/api2/json/cluster/firewall/rules', { body: 'type=group&action=refs&enable=1' });
    await raw(sim, 'POST', '/api2/json/cluster/firewall/rules', {
      body: 'type=in&action=DROP&proto=tcp&dport=23',
    });
    const list = await raw(sim, 'GET', '/api2/json/cluster/firewall/rules');
    const rules = (list.json as { data: { pos: number; type: string; enable: number; digest: string }[] })
      .data;
    expect(rules.map((r) => [r.pos, r.type, r.enable])).toEqual([
      [0, 'in', 0],
      [1, 'group', 1],
    ]);
    const stale = await raw(sim, 'DELETE', '/api2/json/cluster/firewall/rules/0?digest=0000');
    expect(stale.status).toBe(500);
    const moved = await raw(sim, 'PUT', '/api2/json/cluster/firewall/rules/0', {
      body: `moveto=2&digest=${rules[0]?.digest ?? ''}`,
    });
    expect(moved.status).toBe(200);
    const after = await raw(sim, 'GET', '/api2/json/cluster/firewall/rules/1');
    expect(after.json).toMatchObject({ data: { pos: 1, type: 'in', dport: '23' } });

    expect(
      (await raw(sim, 'PUT', '/api2/json/cluster/firewall/options', { body: 'enable=1&policy_in=DROP' }))
        .status,
    ).toBe(200);
    const options = await raw(sim, 'GET', '/api2/json/cluster/firewall/options');
    expect(options.json).toMatchObject({
      data: { enable: 1, policy_in: 'DROP', digest: expect.any(String) as unknown },
    });
    const badPolicy = await raw(sim, 'PUT', '/api2/json/cluster/firewall/options', {
      body: 'policy_in=MAYBE',
    });
    expect(badPolicy.status).toBe(400);
  });

  it('refuses an unauthenticated read', async () => {
    const noAuth = await raw(sim, 'GET', '/api2/json/cluster/firewall/aliases', { token: false });
    expect(noAuth.status).toBe(401);
  });
});
