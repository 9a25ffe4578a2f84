import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PveApiError, PveClient } from '@proxdeck/pve-client';
import { startPveSimulator, type RunningPveSimulator } from '@proxdeck/pve-sim';
import { validateRule, type RuleInput } from '../../src/modules/firewall/firewall-rules';

/**
 * Rule validation (docs/api.md §7) as a table: each rule is checked by Proxdeck and sent as it is to the
 * simulator, which checks it with Proxmox's schema formats and verify_rule. They must agree, except where
 * Proxdeck is knowingly stricter (a macro with a protocol or ports), which the table says.
 */
interface Case {
  rule: RuleInput;
  /** The field Proxdeck names, or undefined when the rule is valid. */
  invalid?: string;
  /** Proxdeck refuses what Proxmox takes (by design). */
  stricter?: true;
}

const base = { type: 'in', action: 'ACCEPT' };
const CASES: Case[] = [
  // valid
  { rule: { ...base } },
  { rule: { type: 'out', action: 'DROP' } },
  { rule: { type: 'in', action: 'REJECT', comment: 'reject everything' } },
  { rule: { type: 'forward', action: 'DROP' } },
  { rule: { ...base, proto: 'tcp', dport: '22' } },
  { rule: { ...base, proto: 'tcp', dport: '80,443' } },
  { rule: { ...base, proto: 'udp', dport: '1000:2000' } },
  { rule: { ...base, proto: 'tcp', dport: 'ssh,https' } },
  { rule: { ...base, proto: 'tcp', sport: '1024:65535', dport: '22' } },
  { rule: { ...base, proto: 'icmp' } },
  { rule: { ...base, proto: '6', dport: '22' } },
  { rule: { ...base, macro: 'SSH' } },
  { rule: { ...base, macro: 'https', source: '10.0.0.0/8' } },
  { rule: { ...base, source: '192.0.2.10' } },
  { rule: { ...base, source: '2001:db8::/32' } },
  { rule: { ...base, source: '10.0.0.1-10.0.0.20' } },
  { rule: { ...base, source: '10.0.0.0/24,10.1.0.0/24' } },
  { rule: { ...base, dest: '+known-set' } },
  { rule: { ...base, dest: 'known-alias' } },
  { rule: { ...base, dest: '+dc/known-set', source: 'dc/known-alias' } },
  { rule: { ...base, iface: 'net0' } },
  { rule: { ...base, iface: 'vmbr0' } },
  { rule: { ...base, log: 'info', enable: false } },
  // invalid, as Proxmox refuses them
  { rule: { type: 'sideways', action: 'ACCEPT' }, invalid: 'type' },
  { rule: { type: 'in', action: 'ALLOW' }, invalid: 'action' },
  { rule: { type: 'forward', action: 'REJECT' }, invalid: 'action' },
  { rule: { ...base, macro: 'NoSuchMacro' }, invalid: 'macro' },
  { rule: { ...base, proto: 'tcpx' }, invalid: 'proto' },
  { rule: { ...base, dport: '22' }, invalid: 'proto' },
  { rule: { ...base, proto: 'icmp', dport: '22' }, invalid: 'proto' },
  { rule: { ...base, proto: 'tcp', dport: '70000' }, invalid: 'dport' },
  { rule: { ...base, proto: 'tcp', dport: '2000:1000' }, invalid: 'dport' },
  { rule: { ...base, proto: 'tcp', dport: '80,,443' }, invalid: 'dport' },
  { rule: { ...base, proto: 'tcp', dport: '1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16' }, invalid: 'dport' },
  { rule: { ...base, proto: 'tcp', sport: 'no-such-service' }, invalid: 'sport' },
  { rule: { ...base, source: '10.0.0.300' }, invalid: 'source' },
  { rule: { ...base, source: '10.0.0.0/33' }, invalid: 'source' },
  { rule: { ...base, source: '10.0.0.1,2001:db8::1' }, invalid: 'source' },
  { rule: { ...base, source: '10.0.0.1-10.0.0.5,10.0.1.1' }, invalid: 'source' },
  { rule: { ...base, dest: '+bad name' }, invalid: 'dest' },
  { rule: { ...base, iface: '0eth' }, invalid: 'iface' },
  { rule: { ...base, iface: 'averyveryverylonginterfacename0' }, invalid: 'iface' },
  // invalid only for Proxdeck: a macro stands for its protocol and ports
  { rule: { ...base, macro: 'SSH', proto: 'tcp' }, invalid: 'proto', stricter: true },
  { rule: { ...base, macro: 'HTTP', proto: 'tcp', dport: '8080' }, invalid: 'dport', stricter: true },
];

/** The rule as a Proxmox client would send it. */
function wire(rule: RuleInput): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(rule)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'boolean' ? (value ? 1 : 0) : String(value);
  }
  return out;
}

describe('firewall rule validation: Proxdeck against Proxmox (the simulator)', () => {
  let simulator: RunningPveSimulator;
  let pve: PveClient;
  const token = { id: 'root@pam!rules', secret: `it-${randomBytes(6).toString('hex')}` };

  beforeAll(async () => {
    simulator = await startPveSimulator({
      port: 0,
      protocol: 'http',
      certDir: mkdtempSync(join(tmpdir(), 'proxdeck-it-sim-')),
      timeScale: 0.01,
      rootPassword: randomBytes(12).toString('hex'),
      apiToken: token,
    });
    pve = new PveClient({
      baseUrl: simulator.url,
      auth: { type: 'token', tokenId: token.id, secret: token.secret },
      retry: { retries: 0 },
    });
    await pve.createFirewallGroup('table');
    await pve.createFirewallAlias({ name: 'known-alias', cidr: '198.51.100.0/24' });
    await pve.createFirewallIpset('known-set');
  });
  afterAll(async () => {
    await pve.close();
    await simulator.close();
  });

  it('holds at least 30 rules, valid and invalid, each invalid one naming its field', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(CASES.filter((c) => c.invalid === undefined).length).toBeGreaterThanOrEqual(10);
    expect(CASES.filter((c) => c.invalid !== undefined).length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES.map((c) => [JSON.stringify(c.rule), c] as const))('%s', async (_label, c) => {
    const ours = validateRule(c.rule);
    if (c.invalid === undefined) {
      expect(ours).toEqual({ rule: expect.objectContaining({ type: c.rule.type }) as unknown });
    } else {
      expect('errors' in ours ? Object.keys(ours.errors) : []).toContain(c.invalid);
      if ('errors' in ours) expect(ours.errors[c.invalid]).toEqual(expect.any(String));
    }

    const answer = await pve
      .createFirewallGroupRule('table', wire(c.rule) as never)
      .then(() => 'accepted' as const)
      .catch((error: unknown) => error);
    const proxmoxAccepts = c.invalid === undefined || c.stricter === true;
    if (proxmoxAccepts) {
      expect(answer).toBe('accepted');
    } else {
      expect(answer).toBeInstanceOf(PveApiError);
      expect((answer as PveApiError).status).toBe(400);
    }
  });

  it('sends what it accepted: a valid rule is taken by Proxmox and stays enabled unless said otherwise', async () => {
    const checked = validateRule({ type: 'in', action: 'ACCEPT', macro: 'ssh', source: '+known-set' });
    if (!('rule' in checked)) throw new Error('expected a valid rule');
    expect(checked.rule).toMatchObject({ macro: 'SSH', enable: 1 });
    await pve.createFirewallGroupRule('table', checked.rule);
    const [top] = await pve.firewallGroupRules('table');
    expect(top).toMatchObject({ macro: 'SSH', source: '+known-set', enable: 1 });
  });
});
