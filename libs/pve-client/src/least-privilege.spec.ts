import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PROXDECK_ENDPOINTS,
  leastPrivilegeCommands,
  leastPrivilegeRoles,
  requiredPrivileges,
  type RequiredPrivilege,
} from './least-privilege';
import { PVE_RELEASES, schemaFor, type PveRelease } from './schema/pve-schema';

/** Concrete values for the placeholders of Proxdeck's endpoints (no `pool`: Proxdeck clones without one). */
const SAMPLE: Record<string, string> = {
  node: 'pve1',
  vmid: '100',
  newid: '101',
  storage: 'local',
  group: 'web',
  pos: '0',
  name: 'admins',
  cidr: '10.0.0.0/8',
  upid: 'UPID:pve1:00001234:00005678:6745F0A1:qmstart:100:root@pam:',
  volume: 'local:backup/vzdump-qemu-100.vma.zst',
};

function granted(table: readonly RequiredPrivilege[], path: string, privilege: string): boolean {
  return table.some(
    (e) =>
      e.privilege === privilege &&
      (e.path === path || (e.propagate && (e.path === '/' || path.startsWith(`${e.path}/`)))),
  );
}

/** Whether the table satisfies a schema permission check (RPCEnvironment.pm exec_api2_perm_check). */
function satisfies(table: readonly RequiredPrivilege[], check: unknown): boolean {
  const [test, ...args] = check as [string, ...unknown[]];
  if (test === 'and') return args.every((sub) => satisfies(table, sub));
  if (test === 'or') return args.some((sub) => satisfies(table, sub));
  if (test !== 'perm') throw new Error(`check '${test}' on a Proxdeck endpoint: extend this test`);
  const [template, privs, ...options] = args as [string, string[], ...unknown[]];
  const required = options[options.indexOf('require_param') + 1];
  if (options.includes('require_param') && SAMPLE[String(required)] === undefined) return false;
  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE[name] ?? name);
  return options.includes('any')
    ? privs.some((p) => granted(table, path, p))
    : privs.every((p) => granted(table, path, p));
}

function uncovered(table: readonly RequiredPrivilege[], release: PveRelease = '9.2'): string[] {
  return PROXDECK_ENDPOINTS.filter((key) => {
    const schema = schemaFor(release).endpoints[key];
    if (!schema) return true;
    if (schema.permissionUser === 'all' || schema.permissionUser === 'world') return false;
    return schema.permissions !== undefined && !satisfies(table, schema.permissions);
  });
}

describe.each(PVE_RELEASES)("the least privileges Proxdeck needs, against PVE %s's schema", (release) => {
  it('cover the permission block of every endpoint Proxdeck calls, and hold nothing it does not need', () => {
    const table = requiredPrivileges(release);
    expect(uncovered(table, release)).toEqual([]);
    const unneeded = table
      .filter((entry) => entry.inCode === undefined)
      .filter(
        (entry) =>
          uncovered(
            table.filter((e) => e !== entry),
            release,
          ).length === 0,
      );
    expect(unneeded).toEqual([]);
  });
});

describe('the least privileges Proxdeck needs (PVE 9.2 schema)', () => {
  const table = requiredPrivileges('9.2');

  it('covers the permission block of every endpoint Proxdeck calls (drift: the schema asks for no more)', () => {
    expect(uncovered(table)).toEqual([]);
  });

  it('holds nothing the schema does not ask for, except the in-code checks it names', () => {
    const unneeded = table
      .filter((entry) => entry.inCode === undefined)
      .filter((entry) => uncovered(table.filter((e) => e !== entry)).length === 0)
      .map((e) => `${e.privilege} on ${e.path}`);
    expect(unneeded).toEqual([]);
  });

  it('uses VM.Monitor for the guest agent on PVE 8 and VM.GuestAgent.Audit on PVE 9', () => {
    expect(requiredPrivileges('8.3').map((r) => r.privilege)).toContain('VM.Monitor');
    expect(table.map((r) => r.privilege)).not.toContain('VM.Monitor');
    expect(table.map((r) => r.privilege)).toContain('VM.GuestAgent.Audit');
  });

  it('groups the privileges into one role per path and writes the pveum commands for them', () => {
    expect(leastPrivilegeRoles('9.2').map((r) => [r.roleid, r.path, r.propagate])).toEqual([
      ['ProxdeckVM', '/vms', true],
      ['ProxdeckStorage', '/storage', true],
      ['ProxdeckNetwork', '/sdn/zones/localnetwork', true],
      ['ProxdeckNodes', '/nodes', true],
      ['ProxdeckCluster', '/', false],
    ]);
    const commands = leastPrivilegeCommands('9.2');
    expect(commands).toContain('pveum user token add proxdeck@pve proxdeck --privsep 1');
    expect(commands).toContain(
      "pveum acl modify / --users proxdeck@pve --tokens 'proxdeck@pve!proxdeck' --roles ProxdeckCluster --propagate 0",
    );
  });

  it("is what the README's setup creates, for PVE 9 and (VM.Monitor) PVE 8", () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const block = /## Least privilege on Proxmox[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(block.trim().split('\n')).toEqual(leastPrivilegeCommands('9.2'));
    const pve8 = leastPrivilegeCommands('8.3').find((c) => c.startsWith('pveum role add ProxdeckVM'));
    expect(readme).toContain(pve8);
  });
});
