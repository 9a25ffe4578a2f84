/** Users, sessions and tasks as the API returns them (docs/api.md §2, §4). */
import type { Schemas } from '../src/lib/api';
import type { Session, User } from '../src/features/auth/auth.queries';
import type { Role } from '../src/features/roles/roles.queries';

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: 1,
    username: 'kim',
    name: 'Kim Minji',
    email: 'kim@example.com',
    role: 'viewer',
    permissions: ['view_all'],
    is_active: true,
    created_at: '2026-01-02T03:04:05.000Z',
    last_login_at: '2026-11-26T09:00:00.000Z',
    ...overrides,
  };
}

export const adminUser = makeUser({
  id: 2,
  username: 'admin',
  name: 'Park Admin',
  role: 'admin',
  permissions: [
    'view_all',
    'create_server',
    'manage_servers',
    'assign_roles',
    'manage_firewall',
    'manage_backups',
    'admin_access',
  ],
});

export const viewerUser = makeUser();

/** A session, as GET /api/session/check reports it (a superset of the SPA's Session). */
export function makeSession(
  user: User = viewerUser,
  csrf = 'csrf-token-1',
): Session & { authenticated: true } {
  return { authenticated: true, user, csrf_token: csrf, expires_at: '2026-11-26T12:00:00.000Z' };
}

export function makeProfile(user: User = viewerUser) {
  return {
    ...user,
    sessions: [
      {
        id: 's1',
        created_at: '2026-11-26T09:00:00.000Z',
        last_seen_at: '2026-11-26T09:30:00.000Z',
        expires_at: '2026-11-26T21:00:00.000Z',
        ip: '10.0.0.5',
        user_agent: 'Firefox',
        current: true,
      },
    ],
  };
}

/** A task as GET /api/tasks/{task_id}/status reports it: finished, by default. */
export function makeTask(overrides: Partial<Schemas['TaskDto']> = {}): Schemas['TaskDto'] {
  return {
    task_id: '6f1c0b0e-8a57-4d0c-9a53-2f3c1d7e9b10',
    type: 'test.simple',
    status: 'completed',
    progress: 100,
    message: null,
    error: null,
    result: { echo: 'hello' },
    items: [],
    steps_done: [],
    attempts: 1,
    created_by: 1,
    created_at: '2026-11-26T09:00:00.000Z',
    started_at: '2026-11-26T09:00:01.000Z',
    finished_at: '2026-11-26T09:00:02.000Z',
    ...overrides,
  };
}

/** A notification as GET /api/notifications returns it: unread, informational, by default. */
export function makeNotification(
  overrides: Partial<Schemas['NotificationDto']> = {},
): Schemas['NotificationDto'] {
  return {
    id: 1,
    type: 'test',
    severity: 'info',
    title: 'Test notification',
    message: 'Something happened.',
    details: null,
    task_id: null,
    server: null,
    read: false,
    created_at: '2026-11-26T09:00:00.000Z',
    ...overrides,
  };
}

/** A server as GET /api/servers returns it: running on pve1 with one disk and one NIC, by default. */
export function makeServer(overrides: Partial<Schemas['ServerDto']> = {}): Schemas['ServerDto'] {
  const name = overrides.name ?? 'web-01';
  return {
    id: 1,
    name,
    vmid: 101,
    node: 'pve1',
    status: 'running',
    cpu_cores: 2,
    memory_mb: 2048,
    disks: [{ device: 'scsi0', datastore: 'local-lvm', size_gb: 20 }],
    networks: [
      {
        device: 'net0',
        bridge: 'vmbr0',
        ip_address: '10.10.0.21',
        prefix: 24,
        gateway: '10.10.0.1',
        mac: 'BC:24:11:00:00:01',
      },
    ],
    ip_addresses: ['10.10.0.21'],
    os_type: 'rocky',
    template_vmid: 9000,
    role: null,
    firewall_group: null,
    tags: ['proxdeck'],
    description: '',
    live: {
      cpu_usage: 0.25,
      mem_bytes: 1073741824,
      maxmem_bytes: 2147483648,
      disk_bytes: 0,
      uptime_s: 3600,
      netin_bytes: 0,
      netout_bytes: 0,
      lock: null,
    },
    error: null,
    origin: 'created',
    created_by: 2,
    created_at: '2026-11-26T09:00:00.000Z',
    updated_at: '2026-11-26T09:00:00.000Z',
    last_synced_at: '2026-11-26T09:05:00.000Z',
    ...overrides,
  };
}

/** GET /api/all_server_status: these servers by name, and two nodes' figures. */
export function makeClusterStatus(
  servers: Schemas['ServerDto'][] = [],
  overrides: Partial<Schemas['ClusterStatsDto']> = {},
): Schemas['AllServerStatusDto'] {
  const byStatus: Record<string, number> = {};
  for (const server of servers) byStatus[server.status] = (byStatus[server.status] ?? 0) + 1;
  return {
    servers: Object.fromEntries(servers.map((server) => [server.name, server])),
    stats: {
      total: servers.length,
      running: byStatus.running ?? 0,
      stopped: byStatus.stopped ?? 0,
      failed: byStatus.failed ?? 0,
      by_status: byStatus,
      cpu_usage_percent: 12,
      memory_usage_percent: 40,
      cpu_allocation_percent: 25,
      memory_allocation_percent: 50,
      nodes: [
        { node: 'pve1', status: 'online', cpu: 0.25, maxcpu: 16, mem: 17179869184, maxmem: 68719476736 },
        { node: 'pve2', status: 'online', cpu: 0.5, maxcpu: 8, mem: 8589934592, maxmem: 34359738368 },
      ],
      nodes_read_at: '2026-11-26T09:05:00.000Z',
      ...overrides,
    },
  };
}

/** The `web` role as GET /api/roles/available lists it: three optional variables of three types. */
export const webRole: Role = {
  name: 'web',
  label: 'Web server (nginx)',
  label_ko: '웹 서버 (nginx)',
  description: 'Installs nginx and serves a site.',
  description_ko: 'nginx를 설치하고 사이트를 제공합니다.',
  os_support: ['debian', 'ubuntu', 'rocky'],
  removable: true,
  variables: [
    {
      name: 'web_listen_port',
      type: 'integer',
      default: 80,
      required: false,
      secret: false,
      description: 'Port nginx listens on',
      description_ko: 'nginx 포트',
    },
    {
      name: 'web_server_names',
      type: 'list',
      default: ['_'],
      required: false,
      secret: false,
      description: 'Names the site answers to',
      description_ko: '사이트 이름',
    },
    {
      name: 'web_tls',
      type: 'boolean',
      default: false,
      required: false,
      secret: false,
      description: 'Serve HTTPS',
      description_ko: 'HTTPS 제공',
    },
  ],
};
/** The `db` role: a required secret, an optional text and a number with a default. */
export const dbRole: Role = {
  name: 'db',
  label: 'Database (MariaDB)',
  label_ko: '데이터베이스 (MariaDB)',
  description: 'Installs MariaDB.',
  description_ko: 'MariaDB를 설치합니다.',
  os_support: ['debian', 'rocky'],
  removable: true,
  variables: [
    {
      name: 'db_root_password',
      type: 'string',
      required: true,
      secret: true,
      description: 'Password of the MariaDB root user',
      description_ko: 'MariaDB root 비밀번호',
    },
    {
      name: 'db_name',
      type: 'string',
      required: false,
      secret: false,
      description: 'A database to create',
      description_ko: '만들 데이터베이스',
    },
    {
      name: 'db_port',
      type: 'integer',
      default: 3306,
      required: false,
      secret: false,
      description: 'Port',
      description_ko: '포트',
    },
  ],
};
