import { createServer, type Server as NetServer } from 'node:net';
import { classify, percentOf, worst, type HealthObservation, type HealthThresholds } from './health';
import { mapBounded, tcpCheck } from './tcp-check';

const thresholds: HealthThresholds = {
  cpu: { warning: 80, critical: 95 },
  mem: { warning: 85, critical: 95 },
  disk: { warning: 85, critical: 95 },
};
const running = (overrides: Partial<HealthObservation> = {}): HealthObservation => ({
  pve: 'running',
  tcp: 'ok',
  agent: 'ok',
  metrics: { cpu_percent: 10, mem_percent: 40, disk_percent: null, netin_bps: 100, netout_bps: 50 },
  ...overrides,
});

describe('health classification', () => {
  it('is healthy without issues when everything answers below the thresholds', () => {
    expect(classify(running(), thresholds)).toEqual({ status: 'healthy', issues: [] });
    expect(classify(running({ agent: 'disabled', tcp: 'skipped' }), thresholds).status).toBe('healthy');
  });

  it('calls a stopped or paused VM critical (server_down, server_paused), and ignores checks it skipped', () => {
    const stopped = classify({ ...running(), pve: 'stopped', tcp: 'skipped', agent: 'skipped' }, thresholds);
    expect(stopped.status).toBe('critical');
    expect(stopped.issues).toEqual([expect.objectContaining({ type: 'server_down', level: 'critical' })]);
    expect(classify({ ...running(), pve: 'paused' }, thresholds).issues[0]?.type).toBe('server_paused');
  });

  it('is unknown, explained, when the VM is missing, not made yet, or Proxmox cannot be asked', () => {
    for (const [pve, type] of [
      ['missing', 'vm_missing'],
      ['no_vm', 'no_vm'],
      ['unreachable', 'pve_unreachable'],
      ['unknown', 'pve_status_unknown'],
    ] as const) {
      const result = classify({ ...running(), pve, pveError: 'connect ECONNREFUSED' }, thresholds);
      expect(result.status).toBe('unknown');
      expect(result.issues.map((issue) => issue.type)).toEqual([type]);
    }
    expect(
      classify({ ...running(), pve: 'unreachable', pveError: 'boom' }, thresholds).issues[0]?.message,
    ).toMatch(/boom/);
  });

  it('warns when the TCP check fails or the agent is down, naming the target and the error', () => {
    const result = classify(
      running({ tcp: 'failed', tcpTarget: '10.0.0.5:22', tcpError: 'ECONNREFUSED', agent: 'down' }),
      thresholds,
    );
    expect(result.status).toBe('warning');
    expect(result.issues.map((issue) => issue.type)).toEqual(['tcp_unreachable', 'agent_down']);
    expect(result.issues[0]?.message).toBe('No TCP connection to 10.0.0.5:22: ECONNREFUSED');
  });

  it('applies warning and critical thresholds at their values, with value and threshold in the issue', () => {
    const at = (cpu: number, mem: number, disk: number | null) =>
      classify(
        running({
          metrics: { cpu_percent: cpu, mem_percent: mem, disk_percent: disk, netin_bps: 0, netout_bps: 0 },
        }),
        thresholds,
      );
    expect(at(79.9, 84.9, 84.9).status).toBe('healthy');
    expect(at(80, 10, null).issues).toEqual([
      expect.objectContaining({ type: 'cpu_high', level: 'warning', value: 80, threshold: 80 }),
    ]);
    expect(at(96, 10, null).issues).toEqual([
      expect.objectContaining({ type: 'cpu_high', level: 'critical', value: 96, threshold: 95 }),
    ]);
    const many = at(85, 95, 90);
    expect(many.status).toBe('critical');
    expect(many.issues.map((issue) => `${issue.type}:${issue.level}`)).toEqual([
      'cpu_high:warning',
      'memory_high:critical',
      'disk_high:warning',
    ]);
  });

  it('takes the worst level: critical over warning over unknown', () => {
    const issue = (level: 'warning' | 'critical' | 'unknown') => ({
      type: 't',
      level,
      message: '',
      value: null,
      threshold: null,
    });
    expect(worst([])).toBe('healthy');
    expect(worst([issue('unknown'), issue('warning')])).toBe('warning');
    expect(worst([issue('warning'), issue('critical'), issue('unknown')])).toBe('critical');
  });

  it('computes percentages only of a known, non-zero whole', () => {
    expect(percentOf(1, 3)).toBe(33.3);
    expect(percentOf(1, 0)).toBeNull();
    expect(percentOf(undefined, 10)).toBeNull();
  });
});

describe('TCP check', () => {
  let server: NetServer;
  let port: number;
  beforeAll(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('connects to a listening port, and fails on a closed one with the reason', async () => {
    expect(await tcpCheck('127.0.0.1', port, 1000)).toMatchObject({ ok: true });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await tcpCheck('127.0.0.1', closedPort, 1000)).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
  });

  it('gives up after its timeout on an address that never answers', async () => {
    // 192.0.2.0/24 is TEST-NET-1: nothing answers there (or the route is refused at once).
    const result = await tcpCheck('192.0.2.1', 22, 200);
    expect(result.ok).toBe(false);
    expect(result.ms).toBeLessThan(2000);
  });

  it('runs at most `limit` calls at once, keeping the order', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 10));
      active--;
      return n * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(peak).toBe(3);
  });
});
