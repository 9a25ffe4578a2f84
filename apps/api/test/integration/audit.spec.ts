import { randomBytes } from 'node:crypto';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditJobs } from '../../src/modules/admin/audit.jobs';
import { seedSimulatorIpPool } from '../../src/modules/ip-pools';
import { AuditTrail } from '../../src/platform/audit/audit-trail';
import { startSimulatorApp } from '../support/simulator-app';
import type { Caller, TestApp } from '../support/test-app';
import { ADMIN_PASSWORD } from '../support/test-app';
import { acceptedTaskId, taskFinished } from '../support/tasks';

interface AuditRow {
  id: string;
  actor: string | null;
  token_id: string | null;
  via: string | null;
  action: string;
  target: string | null;
  params: Record<string, unknown>;
  status: number;
  result: string;
  error_code: string | null;
  task_id: string | null;
  upids: string[];
  ip: string;
}

/**
 * The audit trail (docs/api.md §11): one hook records every mutating request (refused and failed ones,
 * logins and logouts), with the task and the Proxmox UPIDs it produced; no secret in any row; append-only.
 */
describe('the audit trail', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  let db: DataSource;
  const tag = randomBytes(2).toString('hex');
  const secrets: string[] = [];

  beforeAll(async () => {
    ({ simulator, t } = await startSimulatorApp(0.02, {
      RUN_WORKERS: 'true',
      PVE_TASK_POLL_MS: '100',
      SERVER_READY_TIMEOUT_S: '60',
    }));
    db = t.app.get(DataSource);
    await seedSimulatorIpPool(db);
    admin = await t.admin();
  });
  afterAll(async () => {
    await t.close();
    await simulator.close();
  });

  async function audit(query: string): Promise<AuditRow[]> {
    const response = await admin.request('GET', `/api/audit?per_page=200&${query}`);
    expect(response.status).toBe(200);
    return response.json<{ data: AuditRow[] }>().data;
  }

  it('records each change with actor, action, target, redacted parameters, result and address', async () => {
    const userPassword = `secret-${randomBytes(8).toString('hex')}`;
    secrets.push(userPassword);
    const created = await t.request('POST', '/api/users', {
      headers: { cookie: `proxdeck_session=${admin.cookieValue}`, 'x-csrf-token': admin.csrfToken },
      remoteAddress: '198.51.100.20',
      body: { username: `aud-${tag}`, password: userPassword, role: 'operator' },
    });
    expect(created.status).toBe(201);
    const [row] = await audit(`target=aud-${tag}&action=POST /api/users`);
    expect(row).toMatchObject({
      actor: 'admin',
      via: 'session',
      action: 'POST /api/users',
      target: `aud-${tag}`,
      params: { body: { username: `aud-${tag}`, password: '[redacted]', role: 'operator' } },
      status: 201,
      result: 'succeeded',
      ip: '198.51.100.20',
      task_id: null,
    });

    const newPassword = `reset-${randomBytes(8).toString('hex')}`;
    secrets.push(newPassword);
    await admin.request('POST', `/api/users/aud-${tag}/password`, { body: { new_password: newPassword } });
    expect((await audit(`target=aud-${tag}&action=password`))[0]).toMatchObject({
      action: 'POST /api/users/:username/password',
      params: { path: { username: `aud-${tag}` }, body: { new_password: '[redacted]' } },
      result: 'succeeded',
    });
  });

  it('records refused and failed requests: anonymous, lacking a permission, without CSRF, invalid, conflicting', async () => {
    const operator = await t.login(`aud-${tag}`, secrets[1] ?? '');
    await t.request('POST', '/api/users', { body: { username: `anon-${tag}`, password: 'x' } });
    await operator.request('DELETE', `/api/users/aud-${tag}`);
    await admin.request('POST', `/api/users/aud-${tag}/deactivate`, { csrf: false });
    await admin.request('POST', '/api/users', { body: { username: `aud-${tag}`, password: 'short' } });
    await admin.request('POST', '/api/users', {
      body: { username: `aud-${tag}`, password: 'long-enough-pass' },
    });

    const rows = await audit(`target=${tag}`);
    const summary = rows.map(
      (row) =>
        `${row.actor ?? 'anonymous'} ${row.action} ${row.status} ${row.result} ${row.error_code ?? ''}`,
    );
    expect(summary).toEqual(
      expect.arrayContaining([
        `anonymous POST /api/users 401 refused UNAUTHENTICATED`,
        `aud-${tag} DELETE /api/users/:username 403 refused FORBIDDEN`,
        `admin POST /api/users/:username/deactivate 403 refused CSRF_TOKEN_INVALID`,
        `admin POST /api/users 400 invalid VALIDATION_FAILED`,
        `admin POST /api/users 409 invalid CONFLICT`,
      ]),
    );
    expect((await audit('result=refused')).every((row) => row.result === 'refused')).toBe(true);
  });

  it('records logins, failed logins and logouts', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    secrets.push(wrong);
    expect(
      (await t.request('POST', '/login', { body: { username: `Aud-${tag}`, password: wrong } })).status,
    ).toBe(401);
    const session = await t.login(`aud-${tag}`, secrets[1] ?? '');
    expect((await session.request('POST', '/logout')).status).toBe(200);
    const rows = await audit(`actor=aud-${tag}`);
    const logins = rows.filter((row) => row.action === 'POST /login' || row.action === 'POST /logout');
    expect(logins.map((row) => `${row.action} ${row.result}`)).toEqual(
      expect.arrayContaining(['POST /logout succeeded', 'POST /login succeeded', 'POST /login refused']),
    );
    expect(JSON.stringify(logins)).not.toContain(wrong);
  });

  it('carries the task id and the Proxmox UPIDs the task produced', async () => {
    const vmPassword = `vm-${randomBytes(8).toString('hex')}`;
    secrets.push(vmPassword);
    const token = await admin.request('POST', '/api/tokens', { body: { name: `aud-${tag}` } });
    const secret = token.json<{ data: { secret: string; id: string } }>().data;
    secrets.push(secret.secret);
    const accepted = await t.request('POST', '/api/servers', {
      headers: { authorization: `Bearer ${secret.secret}` },
      body: { name: `aud-${tag}`, cpu: 1, memory: 1024, vm_password: vmPassword },
    });
    const taskId = acceptedTaskId(accepted);
    const task = await taskFinished<{ status: string; items: { pve_upids: string[] }[] }>(admin, taskId);
    const upids = task.items.flatMap((item) => item.pve_upids);
    expect(upids.length).toBeGreaterThan(0);
    const [row] = await audit(`task_id=${taskId}`);
    expect(row).toMatchObject({
      actor: 'admin',
      via: 'token',
      token_id: secret.id,
      action: 'POST /api/servers',
      target: `aud-${tag}`,
      status: 202,
      task_id: taskId,
      params: { body: { vm_password: '[redacted]' } },
    });
    expect(row?.upids).toEqual(upids);
    expect(upids.every((upid) => upid.startsWith('UPID:'))).toBe(true);

    const csv = await admin.request('GET', `/api/audit/export?task_id=${taskId}`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,at,actor,via,token_id,action,target,status,result,error_code,task_id,upids,ip,params',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(upids.join(' '));
  });

  it('holds no password or token secret in any row (the table queried)', async () => {
    const rows = await db.query<{ row: string }[]>('SELECT row_to_json(a)::text AS row FROM audit_log a');
    expect(rows.length).toBeGreaterThan(10);
    const everything = rows.map((row) => row.row).join('\n');
    for (const secret of [...secrets, ADMIN_PASSWORD]) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/pdk_[A-Za-z0-9_-]{20}/);
  });

  it('is append-only: the database refuses updates, deletes and truncation', async () => {
    // The application's own database role, on a plain connection (TypeORM would log the refusals).
    const client = new Client({ connectionString: t.config.values.DATABASE_URL });
    await client.connect();
    try {
      await expect(client.query("UPDATE audit_log SET action = 'nothing'")).rejects.toThrow(/append-only/);
      await expect(client.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      await expect(client.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
      const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM audit_log');
      expect(Number(rows[0]?.count)).toBeGreaterThan(10);
    } finally {
      await client.end();
    }
  });

  it('prunes only entries past the retention, and never any younger than 30 days', async () => {
    const client = new Client({ connectionString: t.config.values.DATABASE_URL });
    await client.connect();
    try {
      const insert = async (daysAgo: number): Promise<string> => {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO audit_log (at, action, status, result, ip, request_id)
           VALUES (now() - make_interval(days => $1), $2, 200, 'success', '127.0.0.1', 'prune-test')
           RETURNING id::text AS id`,
          [daysAgo, `POST /prune-test-${tag}-${String(daysAgo)}`],
        );
        return rows[0]?.id ?? '';
      };
      const [old, older, recent] = [await insert(40), await insert(400), await insert(10)];
      const left = async (): Promise<string[]> =>
        (
          await client.query<{ id: string }>(
            'SELECT id::text AS id FROM audit_log WHERE id = ANY($1::bigint[])',
            [[old, older, recent]],
          )
        ).rows.map((row) => row.id);
      // Outside a pruning transaction even an old entry stays.
      await expect(client.query('DELETE FROM audit_log WHERE id = $1', [older])).rejects.toThrow(
        /append-only/,
      );
      // A pruning transaction still cannot remove an entry younger than 30 days.
      await client.query('BEGIN');
      await client.query("SELECT set_config('proxdeck.audit_prune', 'on', true)");
      await expect(client.query('DELETE FROM audit_log WHERE id = $1', [recent])).rejects.toThrow(
        /append-only/,
      );
      await client.query('ROLLBACK');

      const trail = t.app.get(AuditTrail);
      // A retention of a year removes the 400-day-old entry only; a week (below the floor) stops at 30 days.
      expect(await trail.pruneBefore(new Date(Date.now() - 365 * 86_400_000))).toBeGreaterThanOrEqual(1);
      expect((await left()).sort()).toEqual([old, recent].sort());
      expect(await trail.pruneBefore(new Date(Date.now() - 7 * 86_400_000))).toBeGreaterThanOrEqual(1);
      expect(await left()).toEqual([recent]);
      // The scheduled job prunes by AUDIT_RETENTION_DAYS (365 by default): nothing recent goes.
      await expect(t.app.get(AuditJobs).prune()).resolves.toEqual({ deleted: expect.any(Number) as unknown });
      expect(await left()).toEqual([recent]);
    } finally {
      await client.end();
    }
  });

  it('validates its filters and pages', async () => {
    const bad = await admin.request('GET', '/api/audit?task_id=nope&result=maybe&from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({
      details: {
        fields: {
          task_id: expect.any(String) as unknown,
          result: expect.any(String) as unknown,
          from: expect.any(String) as unknown,
        },
      },
    });
    const page = await admin.request('GET', '/api/audit?per_page=2&page=2');
    expect(page.json()).toMatchObject({ pagination: { page: 2, per_page: 2 } });
    expect(page.json<{ data: unknown[] }>().data).toHaveLength(2);
  });
});
