import { QueryClient, type QueryKey } from '@tanstack/react-query';
import { queryKeys } from './query-keys';

/** One key of every kind the factory makes, by domain. */
const SAMPLES: Record<keyof typeof queryKeys, QueryKey[]> = {
  session: [queryKeys.session.all],
  profile: [queryKeys.profile.all],
  health: [queryKeys.health.ready()],
  backups: [
    queryKeys.backups.overview(),
    queryKeys.backups.overview('pve1'),
    queryKeys.backups.server('web-01'),
    queryKeys.backups.jobs(),
    queryKeys.backups.preview('sat 02:00'),
    queryKeys.backups.notCovered(),
  ],
  tasks: [
    queryKeys.tasks.lists(),
    queryKeys.tasks.list(),
    queryKeys.tasks.list({ status: 'failed', type: 'test.simple' }),
    queryKeys.tasks.details(),
    queryKeys.tasks.detail('t-1'),
    queryKeys.tasks.config(),
  ],
  notifications: [
    queryKeys.notifications.lists(),
    queryKeys.notifications.list(),
    queryKeys.notifications.list({ page: 2, per_page: 20, unread: true, severity: 'error' }),
    queryKeys.notifications.latests(),
    queryKeys.notifications.latest(8),
    queryKeys.notifications.unreadCount(),
  ],
  servers: [
    queryKeys.servers.lists(),
    queryKeys.servers.list(),
    queryKeys.servers.list({
      page: 2,
      per_page: 25,
      status: 'running',
      node: 'pve1',
      q: '10.10',
      sort: '-name',
    }),
    queryKeys.servers.details(),
    queryKeys.servers.detail('web-01'),
    queryKeys.servers.liveStatus('web-01'),
    queryKeys.servers.cluster(),
    queryKeys.servers.config('web-01'),
    queryKeys.servers.logsOf('web-01'),
    queryKeys.servers.logs('web-01', { type: 'guest', path: '/var/log/syslog' }),
  ],
  cleanup: [queryKeys.cleanup.candidates()],
  datastores: [queryKeys.datastores.list()],
  ipPools: [queryKeys.ipPools.list(), queryKeys.ipPools.detail(3)],
  firewall: [
    queryKeys.firewall.groups(),
    queryKeys.firewall.group('web'),
    queryKeys.firewall.ipsets(),
    queryKeys.firewall.aliases(),
    queryKeys.firewall.drift(),
    queryKeys.firewall.server('web-01'),
  ],
  admin: [
    queryKeys.admin.userLists(),
    queryKeys.admin.users({ q: 'ali', page: 2, per_page: 20 }),
    queryKeys.admin.iam(),
    queryKeys.admin.audit({ actor: 'admin', result: 'refused', page: 1 }),
  ],
  tokens: [queryKeys.tokens.own(), queryKeys.tokens.everyone()],
  alerts: [
    queryKeys.alerts.lists(),
    queryKeys.alerts.list(),
    queryKeys.alerts.list({ status: 'active', page: 1, per_page: 100 }),
  ],
  monitoring: [
    queryKeys.monitoring.summary(),
    queryKeys.monitoring.healthSummary(),
    queryKeys.monitoring.health('web-01'),
    queryKeys.monitoring.metrics('web-01', 'day'),
  ],
  roles: [
    queryKeys.roles.available(),
    queryKeys.roles.validation('web'),
    queryKeys.roles.runLists(),
    queryKeys.roles.runs(),
    queryKeys.roles.runs({ server: 'web-01', status: 'failed', page: 2 }),
    queryKeys.roles.run(7),
  ],
};

function invalidated(client: QueryClient, key: QueryKey): boolean {
  return client.getQueryState(key)?.isInvalidated ?? false;
}

describe('query keys', () => {
  it("start with their domain's root, and no root starts another's", () => {
    for (const [domain, keys] of Object.entries(SAMPLES)) {
      const root = queryKeys[domain as keyof typeof queryKeys].all;
      for (const key of keys) expect(key.slice(0, root.length)).toEqual(root);
    }
    const roots = Object.values(queryKeys).map((domain) => domain.all[0]);
    expect(new Set(roots).size).toBe(roots.length);
  });

  it('invalidate by level: one task, every list, or the whole domain', async () => {
    const client = new QueryClient();
    const failed = queryKeys.tasks.list({ status: 'failed' });
    const all = queryKeys.tasks.list();
    const one = queryKeys.tasks.detail('t-1');
    const other = queryKeys.tasks.detail('t-2');
    for (const key of [failed, all, one, other, queryKeys.profile.all]) client.setQueryData(key, {});

    await client.invalidateQueries({ queryKey: queryKeys.tasks.detail('t-1') });
    expect([failed, all, one, other].map((key) => invalidated(client, key))).toEqual([
      false,
      false,
      true,
      false,
    ]);

    await client.invalidateQueries({ queryKey: queryKeys.tasks.lists() });
    expect([failed, all, other].map((key) => invalidated(client, key))).toEqual([true, true, false]);

    await client.invalidateQueries({ queryKey: queryKeys.tasks.all });
    expect(invalidated(client, other)).toBe(true);
    expect(invalidated(client, queryKeys.profile.all)).toBe(false);
  });

  it('keeps alerts and monitoring under the roots the live `alert` event invalidates', () => {
    expect(queryKeys.alerts.all).toEqual(['alerts']);
    expect(queryKeys.monitoring.all).toEqual(['monitoring']);
  });
});
