/**
 * The least privileges Proxdeck needs on a Proxmox VE cluster (docs/pve-semantics.md §8): each privilege on the
 * path where Proxdeck uses it, for the endpoints it calls. The table is checked against the schema's permission
 * blocks of those endpoints (least-privilege.spec.ts), so a schema update that asks for more fails a test; the
 * privileges Proxmox checks in code rather than in the schema (`inCode`) say which check they stand for.
 */
import type { PveClient } from './client';
import type { PveEndpointKey } from './schema/pve-params.generated';

/** Every endpoint Proxdeck calls, or its VM features (docs/api.md) will call. */
export const PROXDECK_ENDPOINTS = [
  'GET /version',
  'GET /nodes',
  'GET /nodes/{node}/status',
  'GET /nodes/{node}/time',
  'GET /nodes/{node}/rrddata',
  'GET /cluster/resources',
  'GET /cluster/status',
  'GET /cluster/nextid',
  'GET /cluster/tasks',
  'GET /nodes/{node}/tasks',
  'GET /nodes/{node}/tasks/{upid}/status',
  'GET /nodes/{node}/tasks/{upid}/log',
  'GET /nodes/{node}/qemu',
  'POST /nodes/{node}/qemu',
  'DELETE /nodes/{node}/qemu/{vmid}',
  'POST /nodes/{node}/qemu/{vmid}/clone',
  'GET /nodes/{node}/qemu/{vmid}/config',
  'PUT /nodes/{node}/qemu/{vmid}/config',
  'POST /nodes/{node}/qemu/{vmid}/config',
  'GET /nodes/{node}/qemu/{vmid}/pending',
  'PUT /nodes/{node}/qemu/{vmid}/resize',
  'PUT /nodes/{node}/qemu/{vmid}/unlink',
  'GET /nodes/{node}/qemu/{vmid}/status/current',
  'POST /nodes/{node}/qemu/{vmid}/status/start',
  'POST /nodes/{node}/qemu/{vmid}/status/stop',
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown',
  'POST /nodes/{node}/qemu/{vmid}/status/reboot',
  'POST /nodes/{node}/qemu/{vmid}/status/reset',
  'POST /nodes/{node}/qemu/{vmid}/status/resume',
  'GET /nodes/{node}/qemu/{vmid}/rrddata',
  'GET /nodes/{node}/qemu/{vmid}/agent/info',
  'GET /nodes/{node}/qemu/{vmid}/agent/get-fsinfo',
  'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
  'GET /nodes/{node}/qemu/{vmid}/agent/file-read',
  'GET /nodes/{node}/qemu/{vmid}/firewall/rules',
  'POST /nodes/{node}/qemu/{vmid}/firewall/rules',
  'PUT /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}',
  'DELETE /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}',
  'GET /nodes/{node}/qemu/{vmid}/firewall/options',
  'PUT /nodes/{node}/qemu/{vmid}/firewall/options',
  'GET /nodes/{node}/network',
  'GET /storage',
  'GET /nodes/{node}/storage',
  'GET /nodes/{node}/storage/{storage}/status',
  'GET /nodes/{node}/storage/{storage}/content',
  'GET /nodes/{node}/storage/{storage}/content/{volume}',
  'PUT /nodes/{node}/storage/{storage}/content/{volume}',
  'DELETE /nodes/{node}/storage/{storage}/content/{volume}',
  'POST /nodes/{node}/vzdump',
  'GET /cluster/backup',
  'POST /cluster/backup',
  'GET /cluster/backup/{id}',
  'PUT /cluster/backup/{id}',
  'DELETE /cluster/backup/{id}',
  'GET /cluster/backup-info/not-backed-up',
  'GET /cluster/firewall/groups',
  'POST /cluster/firewall/groups',
  'GET /cluster/firewall/groups/{group}',
  'POST /cluster/firewall/groups/{group}',
  'DELETE /cluster/firewall/groups/{group}',
  'PUT /cluster/firewall/groups/{group}/{pos}',
  'DELETE /cluster/firewall/groups/{group}/{pos}',
  'GET /cluster/firewall/aliases',
  'POST /cluster/firewall/aliases',
  'PUT /cluster/firewall/aliases/{name}',
  'DELETE /cluster/firewall/aliases/{name}',
  'GET /cluster/firewall/ipset',
  'POST /cluster/firewall/ipset',
  'DELETE /cluster/firewall/ipset/{name}',
  'GET /cluster/firewall/ipset/{name}',
  'POST /cluster/firewall/ipset/{name}',
  'DELETE /cluster/firewall/ipset/{name}/{cidr}',
  'GET /access/permissions',
] as const satisfies readonly PveEndpointKey[];

export interface RequiredPrivilege {
  privilege: string;
  /** Where it is granted; `propagate: false` grants it on exactly this path. */
  path: string;
  propagate: boolean;
  /** Checked by Proxmox in code, not named by the schema's permission block: which check. */
  inCode?: string;
}

/** The VM privileges the schema's blocks name for Proxdeck's endpoints. */
const VM_PRIVILEGES = [
  'VM.Audit',
  'VM.Allocate',
  'VM.Clone',
  'VM.Config.Disk',
  'VM.Config.Network',
  'VM.PowerMgmt',
] as const;

/** VM privileges Proxmox checks in code: per config key (qemu-server check_vm_modify_config_perm) and per guest. */
const VM_PRIVILEGES_IN_CODE: Record<string, string> = {
  'VM.Config.CPU': 'a config change of cores, sockets, cpu',
  'VM.Config.Memory': 'a config change of memory, balloon',
  'VM.Config.Options': 'a config change of name, description, tags, onboot, agent',
  'VM.Config.Cloudinit':
    'a config change of ciuser, sshkeys, ipconfigN, nameserver, and the cloud-init drive (VM.Config.CDROM would do too)',
  'VM.Config.HWType': 'a config change of scsihw, vga, machine',
  'VM.Backup': 'vzdump, for each guest it backs up',
};

/**
 * The least-privilege grant for a PVE release (`9.2`, `8.3`, …): PVE 9 replaced `VM.Monitor` with
 * `VM.GuestAgent.*` (and refuses the old name): `Audit` for the addresses, `FileRead` for a guest log; PVE 8
 * reads the guest agent with `VM.Monitor`.
 */
export function requiredPrivileges(release: string): RequiredPrivilege[] {
  const major = Number(release.split('.')[0]);
  const agent = major >= 9 ? ['VM.GuestAgent.Audit', 'VM.GuestAgent.FileRead'] : ['VM.Monitor'];
  return [
    ...[...VM_PRIVILEGES, ...agent].map((privilege) => ({ privilege, path: '/vms', propagate: true })),
    ...Object.entries(VM_PRIVILEGES_IN_CODE).map(([privilege, inCode]) => ({
      privilege,
      path: '/vms',
      propagate: true,
      inCode,
    })),
    {
      privilege: 'Datastore.AllocateSpace',
      path: '/storage',
      propagate: true,
      inCode: 'disks of a clone, create or resize, and backups need it on their storage',
    },
    {
      privilege: 'Datastore.Allocate',
      path: '/storage',
      propagate: true,
      inCode: 'vzdump with prune-backups: a backup job (its retention) run now from Proxdeck',
    },
    {
      privilege: 'Datastore.Audit',
      path: '/storage',
      propagate: true,
      inCode: "/cluster/resources lists a storage's usage only with it",
    },
    {
      privilege: 'SDN.Use',
      path: '/sdn/zones/localnetwork',
      propagate: true,
      inCode: "qemu-server check_bridge_access: a NIC's bridge (and VLAN)",
    },
    { privilege: 'Sys.Audit', path: '/nodes', propagate: true },
    {
      privilege: 'Sys.Audit',
      path: '/',
      propagate: false,
      inCode: "/cluster/tasks shows a token other users' tasks only with it",
    },
    { privilege: 'Sys.Modify', path: '/', propagate: false },
  ];
}

/** One Proxmox role per path, named `Proxdeck` plus the path's purpose, holding only what that path needs. */
export function leastPrivilegeRoles(
  release: string,
): { roleid: string; path: string; propagate: boolean; privs: string[] }[] {
  const names: Record<string, string> = {
    '/vms': 'ProxdeckVM',
    '/storage': 'ProxdeckStorage',
    '/sdn/zones/localnetwork': 'ProxdeckNetwork',
    '/nodes': 'ProxdeckNodes',
    '/': 'ProxdeckCluster',
  };
  const out = new Map<string, { roleid: string; path: string; propagate: boolean; privs: string[] }>();
  for (const entry of requiredPrivileges(release)) {
    const roleid = names[entry.path] ?? `Proxdeck${entry.path}`;
    const role = out.get(roleid) ?? { roleid, path: entry.path, propagate: entry.propagate, privs: [] };
    role.privs.push(entry.privilege);
    out.set(roleid, role);
  }
  return [...out.values()];
}

/** The `pveum` commands that create the roles, the user, its privilege-separated token and their ACL entries. */
export function leastPrivilegeCommands(
  release: string,
  userid = 'proxdeck@pve',
  tokenid = 'proxdeck',
): string[] {
  const roles = leastPrivilegeRoles(release);
  return [
    ...roles.map((r) => `pveum role add ${r.roleid} --privs "${r.privs.join(',')}"`),
    `pveum user add ${userid} --comment "Proxdeck"`,
    `pveum user token add ${userid} ${tokenid} --privsep 1`,
    ...roles.map(
      (r) =>
        `pveum acl modify ${r.path} --users ${userid} --tokens '${userid}!${tokenid}' --roles ${r.roleid}${r.propagate ? '' : ' --propagate 0'}`,
    ),
  ];
}

/**
 * What the connected credentials lack of `requiredPrivileges` (one `GET /access/permissions?path=` per path,
 * so inheritance is Proxmox's own): `VM.PowerMgmt on /vms`, ….
 */
export async function missingPrivileges(pve: PveClient, release: string): Promise<string[]> {
  const required = requiredPrivileges(release);
  const paths = [...new Set(required.map((r) => r.path))];
  const held = new Map(
    await Promise.all(
      paths.map(async (path) => [path, (await pve.permissions({ path }))[path] ?? {}] as const),
    ),
  );
  return required
    .filter((r) => !(r.privilege in (held.get(r.path) ?? {})))
    .map((r) => `${r.privilege} on ${r.path}`);
}
