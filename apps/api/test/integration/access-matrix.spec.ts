import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../../src/platform/openapi/openapi';
import { OPENAPI_ACCESS_EXTENSION, type AccessRule } from '../../src/platform/access/access.decorators';
import { createTestApp, type Caller, type TestApp } from '../support/test-app';

/**
 * The access each route must declare, from docs/api.md. Adding a route without adding it here fails the
 * test, and so does a route whose declaration differs from the contract.
 */
const CONTRACT: Record<string, 'public' | 'authenticated' | 'session' | `perm:${string}`> = {
  'GET /login': 'public',
  'POST /login': 'public',
  'GET /logout': 'public',
  'POST /logout': 'session',
  'POST /change-password': 'session',
  'GET /api/session/check': 'public',
  'GET /session/check': 'public',
  'POST /api/session/refresh': 'session',
  'POST /session/refresh': 'session',
  'GET /api/current-user': 'authenticated',
  'GET /api/profile': 'authenticated',
  'GET /api/debug/user-info': 'authenticated',
  'GET /api/tasks/status': 'authenticated',
  'GET /api/tasks/config': 'authenticated',
  'GET /api/tasks/{task_id}/status': 'authenticated',
  'POST /api/tasks/{task_id}/retry': 'authenticated',
  'POST /api/tasks/{task_id}/cancel': 'authenticated',
  'GET /api/celery/status': 'perm:view_all',
  'GET /api/notifications': 'authenticated',
  'GET /api/notifications/latest': 'authenticated',
  'GET /api/notifications/unread-count': 'authenticated',
  'GET /api/notifications/stream': 'authenticated',
  'POST /api/notifications/clear-all': 'authenticated',
  'GET /api/notifications/{notification_id}': 'authenticated',
  'POST /api/notifications/{notification_id}/read': 'authenticated',
  'DELETE /api/notifications/{notification_id}': 'authenticated',
  'GET /api/datastores': 'perm:view_all',
  'POST /api/datastores/refresh': 'perm:manage_servers',
  'POST /api/datastores/default': 'perm:admin_access',
  'GET /api/proxmox_storage': 'perm:view_all',
  'GET /api/ip_pools': 'perm:admin_access',
  'POST /api/ip_pools': 'perm:admin_access',
  'GET /api/ip_pools/{id}': 'perm:admin_access',
  'PUT /api/ip_pools/{id}': 'perm:admin_access',
  'DELETE /api/ip_pools/{id}': 'perm:admin_access',
  'POST /api/test/notification': 'perm:admin_access',
  'POST /api/test/simple': 'perm:admin_access',
  'POST /api/test/error': 'perm:admin_access',
  'GET /api/servers': 'perm:view_all',
  'GET /api/servers/brief': 'perm:view_all',
  'GET /api/servers/{name}': 'perm:view_all',
  'GET /api/all_server_status': 'perm:view_all',
  'GET /api/server_status/{name}': 'perm:view_all',
  'POST /api/sync_servers': 'perm:manage_servers',
  'POST /api/servers': 'perm:create_server',
  'POST /api/servers/async': 'perm:create_server',
  'POST /api/create_servers_bulk': 'perm:create_server',
  'POST /api/servers/preview': 'perm:create_server',
  'POST /api/servers/{name}/start': 'perm:manage_servers',
  'POST /api/servers/{name}/stop': 'perm:manage_servers',
  'POST /api/servers/{name}/reboot': 'perm:manage_servers',
  'POST /api/servers/{name}/delete': 'perm:manage_servers',
  'POST /api/servers/bulk_action': 'perm:manage_servers',
  'POST /api/servers/bulk_action/async': 'perm:manage_servers',
  'GET /api/server/config/{name}': 'perm:view_all',
  'PUT /api/server/config/{name}': 'perm:manage_servers',
  'GET /api/server/logs/{name}': 'perm:view_all',
  'POST /api/server/disk/{name}': 'perm:manage_servers',
  'PUT /api/server/disk/{name}/{device}': 'perm:manage_servers',
  'DELETE /api/server/disk/{name}/{device}': 'perm:manage_servers',
  'GET /api/servers/health-summary': 'perm:view_all',
  'GET /api/servers/{server_ip}/health': 'perm:view_all',
  'GET /api/servers/{server_ip}/metrics': 'perm:view_all',
  'GET /api/monitoring/summary': 'perm:view_all',
  'GET /api/monitoring/prometheus-targets': 'perm:view_all',
  'GET /api/monitoring/config': 'perm:view_all',
  'POST /api/monitoring/config': 'perm:admin_access',
  'GET /api/monitoring/config-page': 'perm:view_all',
  'GET /api/monitoring/content': 'perm:view_all',
  'GET /api/grafana-dashboard': 'perm:view_all',
  'GET /api/grafana-dashboard/embed': 'perm:view_all',
  'GET /api/alerts': 'perm:view_all',
  'POST /api/alerts/{alert_id}/acknowledge': 'perm:manage_servers',
  'POST /api/alerts/clear': 'perm:manage_servers',
  'GET /api/cleanup/status/{server_name}': 'perm:view_all',
  'GET /api/cleanup/failed-servers': 'perm:view_all',
  'POST /api/cleanup/clean/{server_name}': 'perm:manage_servers',
  'POST /api/cleanup/bulk-clean': 'perm:manage_servers',
  'POST /api/server/backup/{server_name}': 'perm:manage_backups',
  'GET /api/server/backups/{server_name}': 'perm:view_all',
  'GET /api/server/backup/status': 'perm:view_all',
  'GET /api/server/backup/status/{server_name}': 'perm:view_all',
  'GET /api/server/backup/{server_name}/status': 'perm:view_all',
  'GET /api/backups/nodes': 'perm:view_all',
  'GET /api/backups/nodes/{node_name}': 'perm:view_all',
  'POST /api/backups/delete': 'perm:manage_backups',
  'POST /api/backups/protect': 'perm:manage_backups',
  'POST /api/backups/restore': 'perm:manage_backups',
  'GET /api/backups/jobs': 'perm:view_all',
  'GET /api/backups/jobs/preview': 'perm:view_all',
  'POST /api/backups/jobs': 'perm:manage_backups',
  'PUT /api/backups/jobs/{id}': 'perm:manage_backups',
  'DELETE /api/backups/jobs/{id}': 'perm:manage_backups',
  'POST /api/backups/jobs/{id}/run': 'perm:manage_backups',
  'GET /api/backups/not-covered': 'perm:view_all',
  'GET /api/roles/available': 'perm:view_all',
  'GET /api/roles/validate/{role_name}': 'perm:view_all',
  'POST /api/assign_role/{server_name}': 'perm:assign_roles',
  'POST /api/remove_role/{server_name}': 'perm:assign_roles',
  'POST /api/roles/assign_bulk': 'perm:assign_roles',
  'POST /api/roles/dry_run/{server_name}': 'perm:assign_roles',
  'GET /api/roles/runs': 'perm:view_all',
  'GET /api/roles/runs/{run_id}': 'perm:view_all',
  'GET /api/firewall/groups': 'perm:view_all',
  'POST /api/firewall/groups': 'perm:manage_firewall',
  'GET /api/firewall/groups/{group_name}': 'perm:view_all',
  'DELETE /api/firewall/groups/{group_name}': 'perm:manage_firewall',
  'POST /api/firewall/groups/{group_name}/rules': 'perm:manage_firewall',
  'DELETE /api/firewall/groups/{group_name}/rules/{rule_id}': 'perm:manage_firewall',
  'POST /api/apply_security_group/{server_name}': 'perm:manage_firewall',
  'POST /api/remove_firewall_group/{server_name}': 'perm:manage_firewall',
  'POST /api/firewall/assign_bulk': 'perm:manage_firewall',
  'POST /api/firewall/reapply/{server_name}': 'perm:manage_firewall',
  'GET /api/firewall/servers/{server_name}': 'perm:view_all',
  'GET /api/firewall/drift': 'perm:view_all',
  'GET /api/firewall/ipsets': 'perm:view_all',
  'POST /api/firewall/ipsets': 'perm:manage_firewall',
  'GET /api/firewall/ipsets/{name}': 'perm:view_all',
  'DELETE /api/firewall/ipsets/{name}': 'perm:manage_firewall',
  'POST /api/firewall/ipsets/{name}/entries': 'perm:manage_firewall',
  'DELETE /api/firewall/ipsets/{name}/entries/{cidr}': 'perm:manage_firewall',
  'GET /api/firewall/aliases': 'perm:view_all',
  'POST /api/firewall/aliases': 'perm:manage_firewall',
  'PUT /api/firewall/aliases/{name}': 'perm:manage_firewall',
  'DELETE /api/firewall/aliases/{name}': 'perm:manage_firewall',
  'GET /api/users': 'perm:admin_access',
  'GET /api/admin/users': 'perm:admin_access',
  'POST /api/users': 'perm:admin_access',
  'DELETE /api/users/{username}': 'perm:admin_access',
  'POST /api/users/{username}/password': 'perm:admin_access',
  'POST /api/users/{username}/deactivate': 'perm:admin_access',
  'POST /api/users/{username}/activate': 'perm:admin_access',
  'GET /api/iam/data': 'perm:admin_access',
  'GET /api/admin/iam': 'perm:admin_access',
  'POST /api/iam/{username}/permissions': 'perm:admin_access',
  'POST /api/admin/iam/{username}/permissions': 'perm:admin_access',
  'POST /api/iam/{username}/role': 'perm:admin_access',
  'POST /api/admin/iam/{username}/role': 'perm:admin_access',
  'GET /api/admin': 'perm:admin_access',
  'GET /api/tokens': 'authenticated',
  'POST /api/tokens': 'authenticated',
  'DELETE /api/tokens/{id}': 'authenticated',
  'GET /api/audit': 'perm:admin_access',
  'GET /api/audit/export': 'perm:admin_access',
  'GET /api/health': 'public',
  'GET /api/health/ready': 'public',
  'GET /metrics': 'public',
};

function describeRule(rule: AccessRule): string {
  if (rule.kind === 'public') return 'public';
  if (rule.kind === 'authenticated') return rule.sessionOnly ? 'session' : 'authenticated';
  return `perm:${rule.permission}`;
}

interface Operation {
  key: string;
  method: string;
  path: string;
  rule: AccessRule | undefined;
  /** Answers a Server-Sent Events stream (driven over a real connection, as inject waits for the end). */
  streaming: boolean;
}

function operations(document: OpenAPIObject): Operation[] {
  const result: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method] as
        (Record<string, unknown> & { [OPENAPI_ACCESS_EXTENSION]?: AccessRule }) | undefined;
      if (!operation) continue;
      result.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        rule: operation[OPENAPI_ACCESS_EXTENSION],
        streaming: JSON.stringify(operation.responses ?? {}).includes('text/event-stream'),
      });
    }
  }
  return result;
}

function concrete(path: string): string {
  return path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
}

describe('access declarations and the permission matrix (docs/api.md §1.4)', () => {
  let t: TestApp;
  let ops: Operation[];
  let viewer: Caller;
  let operator: Caller;

  beforeAll(async () => {
    // Every write logs the admin in afresh: room for one session per route, so that none evicts the shared one.
    t = await createTestApp({ RUN_WORKERS: 'false', SESSION_MAX_PER_USER: '1000' });
    ops = operations(buildOpenApiDocument(t.app));
    const viewerUser = await t.createUser('viewer');
    const operatorUser = await t.createUser('operator');
    viewer = await t.login(viewerUser.username, viewerUser.password);
    operator = await t.login(operatorUser.username, operatorUser.password);
  });
  afterAll(async () => {
    await t.close();
  });

  it('every operation in the OpenAPI document declares its access', () => {
    const undeclared = ops.filter((op) => op.rule === undefined).map((op) => op.key);
    expect(undeclared).toEqual([]);
  });

  it('every operation declares exactly the access of the contract, and every contract route exists', () => {
    const declared = Object.fromEntries(ops.map((op) => [op.key, op.rule ? describeRule(op.rule) : 'none']));
    expect(declared).toEqual(CONTRACT);
  });

  it('anonymous callers get 401 on every non-public route', async () => {
    for (const op of ops.filter((candidate) => candidate.rule?.kind !== 'public')) {
      if (op.streaming) {
        expect(`${op.key} → ${await t.streamStatus(op.path)}`).toBe(`${op.key} → 401`);
        continue;
      }
      const response = await t.request(op.method, concrete(op.path), op.method === 'GET' ? {} : { body: {} });
      expect(`${op.key} → ${response.status}`).toBe(`${op.key} → 401`);
      expect(response.json()).toMatchObject({ success: false, code: expect.any(String) as unknown });
    }
  });

  it('viewers get 403 naming the permission on every route needing more than view_all', async () => {
    for (const op of ops) {
      const rule = op.rule;
      if (rule?.kind !== 'permission' || rule.permission === 'view_all') continue;
      const response = await viewer.request(
        op.method,
        concrete(op.path),
        op.method === 'GET' ? {} : { body: {} },
      );
      expect(`${op.key} → ${response.status}`).toBe(`${op.key} → 403`);
      expect(response.json()).toMatchObject({ code: 'FORBIDDEN', details: { required: rule.permission } });
    }
  });

  it('operators are refused admin_access routes only', async () => {
    for (const op of ops) {
      const rule = op.rule;
      if (rule?.kind !== 'permission' || op.key === 'POST /logout') continue;
      const response = await operator.request(
        op.method,
        concrete(op.path),
        op.method === 'GET' ? {} : { body: {} },
      );
      const refused = response.status === 401 || response.status === 403;
      expect(`${op.key} refused=${refused}`).toBe(`${op.key} refused=${rule.permission === 'admin_access'}`);
    }
  });

  it('administrators are allowed everywhere (each write on a fresh session)', async () => {
    for (const op of ops) {
      const endsSession = op.method !== 'GET' || op.key === 'GET /logout';
      // A fresh session per write; each may evict the oldest (SESSION_MAX_PER_USER), so reads follow on a new one.
      if (endsSession) adminCaller = undefined;
      const admin = endsSession ? await t.admin() : await sharedAdmin();
      if (op.streaming) {
        expect(`${op.key} → ${await t.streamStatus(op.path, admin)}`).toBe(`${op.key} → 200`);
        continue;
      }
      const response = await admin.request(
        op.method,
        concrete(op.path),
        op.method === 'GET' ? {} : { body: {} },
      );
      expect(`${op.key} → ${[401, 403].includes(response.status) ? 'refused' : 'allowed'}`).toBe(
        `${op.key} → allowed`,
      );
    }
  });

  it("an administrator's token narrowed to view_all is a viewer everywhere, and never reaches session-only routes", async () => {
    const created = await (
      await t.admin()
    ).request('POST', '/api/tokens', {
      body: { name: 'matrix-viewer', permissions: ['view_all'] },
    });
    expect(created.status).toBe(201);
    const secret = created.json<{ data: { secret: string } }>().data.secret;
    for (const op of ops) {
      const rule = op.rule;
      if (op.streaming || rule === undefined || rule.kind === 'public') continue;
      const response = await t.request(op.method, concrete(op.path), {
        headers: { authorization: `Bearer ${secret}` },
        ...(op.method === 'GET' ? {} : { body: {} }),
      });
      const expected =
        rule.kind === 'authenticated'
          ? rule.sessionOnly
            ? 403
            : 'allowed'
          : rule.permission === 'view_all'
            ? 'allowed'
            : 403;
      const outcome = [401, 403].includes(response.status) ? response.status : 'allowed';
      expect(`${op.key} → ${outcome}`).toBe(`${op.key} → ${expected}`);
      if (rule.kind === 'permission' && rule.permission !== 'view_all')
        expect(response.json()).toMatchObject({ code: 'FORBIDDEN', details: { required: rule.permission } });
    }
  });

  let adminCaller: Caller | undefined;
  async function sharedAdmin(): Promise<Caller> {
    adminCaller ??= await t.admin();
    return adminCaller;
  }
});
