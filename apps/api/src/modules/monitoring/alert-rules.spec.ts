import {
  conditionsOf,
  evaluate,
  unreachableCondition,
  type AlertCondition,
  type OpenAlert,
} from './alert-rules';
import type { HealthThresholds } from './health';

const thresholds: HealthThresholds = {
  cpu: { warning: 80, critical: 95 },
  mem: { warning: 85, critical: 95 },
  disk: { warning: 85, critical: 95 },
};
const FOR = 300_000;

/** Runs cycles as the checker does: the open alerts and the pending times carried from one to the next. */
function cycles() {
  let open: OpenAlert[] = [];
  let pending: Record<string, number> = {};
  let nextId = 1;
  return (now: number, conditions: AlertCondition[], reachable = true) => {
    const result = evaluate({ reachable, conditions, open, pending, now, forMs: FOR });
    pending = result.pending;
    const resolved = new Set(result.resolve.map((alert) => alert.id));
    open = [
      ...open.filter((alert) => !resolved.has(alert.id)),
      ...result.raise.map((condition) => ({ id: nextId++, key: condition.key })),
    ];
    return { raised: result.raise.map((c) => c.key), resolved: result.resolve.map((a) => a.key), open };
  };
}

const cpu = (server: string, cpuShare: number) =>
  conditionsOf(
    [{ name: server, vmid: 1, status: 'running' }],
    new Map([[1, { status: 'running', cpu: cpuShare, mem: 1, maxmem: 100 }]]),
    thresholds,
    new Set(),
  );

describe('alert rules', () => {
  it('a threshold raises only once it has held for the duration, once, and resolves when it clears', () => {
    const cycle = cycles();
    expect(cpu('web-01', 0.92)).toEqual([
      expect.objectContaining({
        key: 'cpu_high:web-01',
        type: 'cpu_high',
        level: 'warning',
        value: 92,
        threshold: 80,
      }),
    ]);
    expect(cycle(0, cpu('web-01', 0.92)).raised).toEqual([]);
    expect(cycle(150_000, cpu('web-01', 0.97)).raised).toEqual([]);
    expect(cycle(300_000, cpu('web-01', 0.93)).raised).toEqual(['cpu_high:web-01']);
    expect(cycle(330_000, cpu('web-01', 0.99)).raised).toEqual([]);
    expect(cycle(360_000, cpu('web-01', 0.99)).raised).toEqual([]);
    const cleared = cycle(390_000, cpu('web-01', 0.1));
    expect(cleared).toMatchObject({ raised: [], resolved: ['cpu_high:web-01'], open: [] });
  });

  it('one spike raises nothing: a cycle below forgets when the figure was first seen above', () => {
    const cycle = cycles();
    cycle(0, cpu('web-01', 0.99));
    cycle(200_000, cpu('web-01', 0.1));
    expect(cycle(250_000, cpu('web-01', 0.99)).raised).toEqual([]);
    expect(cycle(500_000, cpu('web-01', 0.99)).raised).toEqual([]);
    expect(cycle(550_000, cpu('web-01', 0.99)).raised).toEqual(['cpu_high:web-01']);
  });

  it('server_down is raised at once for a VM stopped that the inventory says runs, and stays until it runs', () => {
    const down = (inventory: string, pve: string, open: string[] = []) =>
      conditionsOf(
        [{ name: 'db-01', vmid: 7, status: inventory }],
        new Map([[7, { status: pve, cpu: 0, mem: 0, maxmem: 100 }]]),
        thresholds,
        new Set(open),
      );
    expect(down('stopped', 'stopped')).toEqual([]);
    const cycle = cycles();
    expect(cycle(0, down('running', 'stopped')).raised).toEqual(['server_down:db-01']);
    // The sync has taken Proxmox's stopped status into the inventory: the open alert stays.
    expect(cycle(30_000, down('stopped', 'stopped', ['server_down:db-01']))).toMatchObject({
      raised: [],
      resolved: [],
    });
    expect(cycle(60_000, down('running', 'running', ['server_down:db-01'])).resolved).toEqual([
      'server_down:db-01',
    ]);
  });

  it('server_down follows what Proxdeck last made of the server, not the inventory the sync rewrote', () => {
    const down = (expected: 'running' | 'stopped' | null, inventory = 'stopped') =>
      conditionsOf(
        [{ name: 'db-01', vmid: 7, status: inventory, expected }],
        new Map([[7, { status: 'stopped', cpu: 0, mem: 0, maxmem: 100 }]]),
        thresholds,
        new Set(),
      ).map((condition) => condition.key);
    // Started (or created) by Proxdeck, stopped behind its back, the sync already wrote "stopped".
    expect(down('running')).toEqual(['server_down:db-01']);
    // Stopped through Proxdeck.
    expect(down('stopped')).toEqual([]);
    // Imported, never touched: the inventory decides.
    expect(down(null, 'running')).toEqual(['server_down:db-01']);
    expect(down(null, 'stopped')).toEqual([]);
  });

  it('Proxmox unreachable is one cluster alert; per-server alerts and times are left as they are', () => {
    const cycle = cycles();
    cycle(0, cpu('web-01', 0.99));
    expect(cycle(300_000, cpu('web-01', 0.99)).raised).toEqual(['cpu_high:web-01']);
    cycle(310_000, [...cpu('web-01', 0.99), ...cpu('web-02', 0.99)]); // web-02 pending from 310 s
    const down = cycle(320_000, [unreachableCondition('connect ECONNREFUSED')], false);
    expect(down.raised).toEqual(['pve_unreachable']);
    expect(down.resolved).toEqual([]);
    expect(down.open.map((a) => a.key).sort()).toEqual(['cpu_high:web-01', 'pve_unreachable']);
    expect(cycle(330_000, [unreachableCondition('again')], false).raised).toEqual([]);
    const back = cycle(340_000, [...cpu('web-01', 0.99), ...cpu('web-02', 0.99)]);
    expect(back.resolved).toEqual(['pve_unreachable']);
    expect(back.raised).toEqual([]);
    expect(cycle(610_000, [...cpu('web-01', 0.99), ...cpu('web-02', 0.99)]).raised).toEqual([
      'cpu_high:web-02',
    ]);
  });
});
