/**
 * Proxmox's own delays at timeScale 1 (docs/pve-semantics.md §2.1, §6): every 401 answers after 3 s, and an
 * operation waiting for a VM's flock gives up after 10 s with `can't lock file … - got timeout` (one held by a
 * running clone, one that never comes). The measurements run at once, so the suite takes about 10 s.
 */
import type { RunningPveSimulator } from '../src';
import { ROOT_PASSWORD, raw, startTestSim } from './helpers';

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

describe('real timing (timeScale 1)', () => {
  let sim: RunningPveSimulator;
  beforeAll(async () => {
    sim = await startTestSim({ timeScale: 1, faults: { lockTimeoutVmids: [101] } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('answers failed logins and bad tokens after 3 s, and waits 10 s for a flock that never comes', async () => {
    // A full clone of running VM 100 holds its exclusive flock for tens of seconds: a config change waits for it.
    const clone = await raw(sim, 'POST', '/api2/json/nodes/pve1/qemu/100/clone', {
      body: 'newid=800&full=1',
    });
    expect(clone.status).toBe(200);
    const [login, token, flock, held, fine] = await Promise.all([
      timed(() =>
        raw(sim, 'POST', '/api2/json/access/ticket', {
          token: false,
          body: `username=root@pam&password=not-${ROOT_PASSWORD}`,
        }),
      ),
      timed(() =>
        raw(sim, 'GET', '/api2/json/version', { headers: { authorization: 'PVEAPIToken=root@pam!x=wrong' } }),
      ),
      timed(() => raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', { body: 'cores=2' })),
      timed(() => raw(sim, 'PUT', '/api2/json/nodes/pve1/qemu/100/config', { body: 'cores=2' })),
      timed(() => raw(sim, 'GET', '/api2/json/version')),
    ]);
    expect([login.result.status, login.result.statusText]).toEqual([401, 'authentication failure']);
    expect([token.result.status, token.result.statusText]).toEqual([401, 'Authentication failed!']);
    for (const { ms } of [login, token]) {
      expect(ms).toBeGreaterThanOrEqual(2990);
      expect(ms).toBeLessThan(4000);
    }
    expect([flock.result.status, flock.result.statusText]).toEqual([
      500,
      "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout",
    ]);
    expect([held.result.status, held.result.statusText]).toEqual([
      500,
      "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout",
    ]);
    for (const { ms } of [flock, held]) {
      expect(ms).toBeGreaterThanOrEqual(9990);
      expect(ms).toBeLessThan(11_000);
    }
    expect(fine.result.status).toBe(200);
    expect(fine.ms).toBeLessThan(1000);
  }, 20_000);
});
