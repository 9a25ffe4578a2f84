import {
  PveApiError,
  PveClient,
  PveTaskFailedError,
  PveTimeoutError,
  PveTransportError,
  isSafeToRetry,
} from '../src';
import { eventually, startStub, type Stub, type StubRequest } from './stub-server';

const UPID = (n: number, node = 'pve1') =>
  `UPID:${node}:${n.toString(16).toUpperCase().padStart(8, '0')}:00000001:6745F0A1:qmclone:9000:root@pam:`;

describe('PveClient against a stub', () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub(() => ({ body: { data: null } }));
  });
  afterAll(() => stub.close());
  beforeEach(() => {
    stub.requests.length = 0;
  });

  const tokenClient = (extra: Partial<ConstructorParameters<typeof PveClient>[0]> = {}) =>
    new PveClient({
      baseUrl: stub.url,
      auth: { type: 'token', tokenId: 'root@pam!proxdeck', secret: 'abc-123' },
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
      ...extra,
    });

  describe('encoding and token auth', () => {
    it('sends the token header, form-encodes bodies with 0/1 booleans, and no CSRF header', async () => {
      stub.setHandler(() => ({
        body: { data: 'UPID:pve1:00000001:00000001:6745F0A1:qmclone:9000:root@pam!proxdeck:' },
      }));
      const client = tokenClient();
      await client.cloneVm('pve1', 9000, { newid: 101, full: true, name: 'web-1' });
      const req = stub.requests[0]!;
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/nodes/pve1/qemu/9000/clone');
      expect(req.headers.authorization).toBe('PVEAPIToken=root@pam!proxdeck=abc-123');
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(new URLSearchParams(req.body).get('full')).toBe('1');
      expect(new URLSearchParams(req.body).get('newid')).toBe('101');
      expect(req.headers.csrfpreventiontoken).toBeUndefined();
      await client.close();
    });

    it('puts GET parameters in the query string and URL-encodes UPIDs in paths', async () => {
      stub.setHandler(() => ({ body: { data: [{ n: 1, t: 'TASK OK' }], total: 1 } }));
      const client = tokenClient();
      const log = await client.taskLog(UPID(7), { start: 0, limit: 10 });
      expect(log).toEqual({ lines: [{ n: 1, t: 'TASK OK' }], total: 1 });
      const req = stub.requests[0]!;
      expect(req.path).toBe(`/nodes/pve1/tasks/${encodeURIComponent(UPID(7))}/log`);
      expect(req.query.get('limit')).toBe('10');
      await client.close();
    });

    it('normalises /cluster/nextid, which PVE returns as a string when vmid is given', async () => {
      stub.setHandler((req) => ({ body: { data: req.query.get('vmid') ?? 100 } }));
      const client = tokenClient();
      await expect(client.nextId(105)).resolves.toBe(105);
      await expect(client.nextId()).resolves.toBe(100);
      await client.close();
    });
  });

  describe('ticket auth', () => {
    let now = 1_800_000_000_000;
    let logins = 0;
    const ticketHandler = (req: StubRequest) => {
      if (req.path === '/access/ticket') {
        logins++;
        const params = new URLSearchParams(req.body);
        const password = params.get('password') ?? '';
        if (password !== 'secret' && !password.startsWith('PVE:root@pam:')) {
          return {
            status: 401,
            reason: 'authentication failure',
            body: { data: null, message: 'authentication failure\n' },
          };
        }
        return {
          body: {
            data: {
              username: 'root@pam',
              ticket: `PVE:root@pam:${logins}::sig`,
              CSRFPreventionToken: `CSRF${logins}`,
            },
          },
        };
      }
      return { body: { data: null } };
    };

    beforeEach(() => {
      logins = 0;
      stub.setHandler(ticketHandler);
    });

    const ticketClient = () =>
      new PveClient({
        baseUrl: stub.url,
        auth: { type: 'ticket', username: 'root@pam', password: 'secret' },
        now: () => now,
      });

    it('logs in once, sends the cookie, and adds the CSRF token only on writes', async () => {
      const client = ticketClient();
      await client.version();
      await client.updateVmConfig('pve1', 100, { cores: 2 });
      expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /access/ticket',
        'GET /version',
        'PUT /nodes/pve1/qemu/100/config',
      ]);
      const [, get, put] = stub.requests;
      expect(get!.headers.cookie).toBe(`PVEAuthCookie=${encodeURIComponent('PVE:root@pam:1::sig')}`);
      expect(get!.headers.csrfpreventiontoken).toBeUndefined();
      expect(put!.headers.csrfpreventiontoken).toBe('CSRF1');
      await client.close();
    });

    it('renews the ticket before it expires, using the current ticket as password', async () => {
      const client = ticketClient();
      await client.version();
      now += 16 * 60 * 1000; // past the 15 min renewal age, well within the 2 h lifetime
      await client.version();
      const renew = stub.requests.filter((r) => r.path === '/access/ticket')[1]!;
      expect(new URLSearchParams(renew.body).get('password')).toBe('PVE:root@pam:1::sig');
      expect(stub.requests.at(-1)!.headers.cookie).toContain(encodeURIComponent('PVE:root@pam:2::sig'));
      await client.close();
    });

    it('logs in again once after a 401 from the auth stage', async () => {
      const client = ticketClient();
      await client.version();
      let rejected = false;
      stub.setHandler((req) => {
        if (req.path === '/version' && !rejected) {
          rejected = true;
          return { status: 401, reason: 'Authentication failed!', raw: '' };
        }
        return ticketHandler(req);
      });
      await expect(client.version()).resolves.toBeNull();
      expect(logins).toBe(2);
      await client.close();
    });

    it('logs in outside the per-node limit, so concurrent first requests cannot deadlock', async () => {
      const client = new PveClient({
        baseUrl: stub.url,
        auth: { type: 'ticket', username: 'root@pam', password: 'secret' },
        maxConcurrentPerNode: 1,
      });
      await expect(
        Promise.all([client.version(), client.version(), client.clusterTasks()]),
      ).resolves.toHaveLength(3);
      expect(logins).toBe(1);
      await client.close();
    });

    it('fails with a typed 401 when the password is wrong, after a single login attempt', async () => {
      const client = new PveClient({
        baseUrl: stub.url,
        auth: { type: 'ticket', username: 'root@pam', password: 'nope' },
      });
      const error = await client.version().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PveApiError);
      expect(error).toMatchObject({ status: 401, message: 'authentication failure' });
      expect(logins).toBe(1);
      await client.close();
    });
  });

  describe('errors', () => {
    it('carries status, message and the per-parameter errors', async () => {
      stub.setHandler(() => ({
        status: 400,
        reason: 'Parameter verification failed.',
        body: {
          data: null,
          errors: { vmid: "type check ('integer') failed - got 'abc'\n" },
          message: 'Parameter verification failed.\n',
        },
      }));
      const client = tokenClient();
      const error = (await client.vmStatus('pve1', 100).catch((e: unknown) => e)) as PveApiError;
      expect(error).toBeInstanceOf(PveApiError);
      expect(error.status).toBe(400);
      expect(error.message).toBe('Parameter verification failed.');
      expect(error.errors).toEqual({ vmid: "type check ('integer') failed - got 'abc'" });
      await client.close();
    });

    it('reads the reason phrase when the body has no message (PVE < 8.3)', async () => {
      stub.setHandler(() => ({ status: 500, reason: 'VM 100 not running', body: { data: null } }));
      const client = tokenClient();
      await expect(client.rebootVm('pve1', 100)).rejects.toMatchObject({
        status: 500,
        message: 'VM 100 not running',
      });
      await client.close();
    });
  });

  describe('retries', () => {
    it('retries idempotent reads on 5xx gateway errors', async () => {
      let calls = 0;
      stub.setHandler(() =>
        ++calls < 3
          ? { status: 503, reason: 'Service Unavailable', raw: '' }
          : { body: { data: { version: '9.2.11' } } },
      );
      const client = tokenClient();
      await expect(client.version()).resolves.toEqual({ version: '9.2.11' });
      expect(calls).toBe(3);
      await client.close();
    });

    it('never retries a POST that may have been applied', async () => {
      stub.setHandler(() => ({ status: 503, reason: 'Service Unavailable', raw: '' }));
      const client = tokenClient();
      await expect(client.startVm('pve1', 100)).rejects.toMatchObject({ status: 503 });
      expect(stub.requests).toHaveLength(1);
      await client.close();
    });

    it("retries PVE's lock timeout, even for writes, because nothing was applied", async () => {
      let calls = 0;
      stub.setHandler(() =>
        ++calls === 1
          ? {
              status: 500,
              reason: "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout",
              body: { data: null },
            }
          : { body: { data: null } },
      );
      const client = tokenClient();
      await expect(client.updateVmConfig('pve1', 100, { cores: 2 })).resolves.toBeNull();
      expect(calls).toBe(2);
      await client.close();
    });

    it('retries connection failures before anything was sent, for any method', async () => {
      const client = new PveClient({
        baseUrl: 'http://127.0.0.1:1',
        auth: { type: 'token', tokenId: 'a@pam!b', secret: 'c' },
        retry: { retries: 2, baseDelayMs: 1 },
      });
      const error = (await client.startVm('pve1', 100).catch((e: unknown) => e)) as PveTransportError;
      expect(error).toBeInstanceOf(PveTransportError);
      expect(error.beforeSend).toBe(true);
      await client.close();
    });

    it('decides safety from the method and the failure', () => {
      expect(isSafeToRetry(new PveTransportError('refused', true, 'ECONNREFUSED'), 'POST')).toBe(true);
      expect(isSafeToRetry(new PveTransportError('reset', false, 'ECONNRESET'), 'POST')).toBe(false);
      expect(isSafeToRetry(new PveTransportError('reset', false, 'ECONNRESET'), 'GET')).toBe(true);
      expect(isSafeToRetry(new PveTransportError('tls', true, 'DEPTH_ZERO_SELF_SIGNED_CERT'), 'GET')).toBe(
        false,
      );
      expect(isSafeToRetry(new PveTimeoutError(10, 'POST', '/x'), 'POST')).toBe(false);
      expect(isSafeToRetry(new PveApiError(500, 'VM 100 not running'), 'GET')).toBe(false);
      expect(isSafeToRetry(new PveApiError(596, 'Connection refused'), 'GET')).toBe(true);
    });
  });

  describe('timeouts', () => {
    it('aborts a slow request with PveTimeoutError and does not resend a POST', async () => {
      stub.setHandler(() => ({ delayMs: 1000, body: { data: null } }));
      const client = tokenClient({ timeoutMs: 150 });
      await expect(client.startVm('pve1', 100)).rejects.toBeInstanceOf(PveTimeoutError);
      expect(stub.requests).toHaveLength(1);
      await client.close();
    });

    it('retries a timed-out GET', async () => {
      stub.setHandler(() => ({ delayMs: 1000, body: { data: null } }));
      const client = tokenClient({ timeoutMs: 150 });
      await expect(client.version()).rejects.toBeInstanceOf(PveTimeoutError);
      await eventually(() => stub.requests.length >= 3); // the stub may lag behind a busy machine
      expect(stub.requests).toHaveLength(3);
      await client.close();
    });
  });

  describe('per-node concurrency', () => {
    it('never has more than maxConcurrentPerNode requests in flight for one node', async () => {
      const inFlight = new Map<string, number>();
      const peak = new Map<string, number>();
      stub.setHandler(async (req) => {
        const node = req.path.split('/')[2] ?? '';
        inFlight.set(node, (inFlight.get(node) ?? 0) + 1);
        peak.set(node, Math.max(peak.get(node) ?? 0, inFlight.get(node) ?? 0));
        await new Promise((r) => setTimeout(r, 20));
        inFlight.set(node, (inFlight.get(node) ?? 1) - 1);
        return { body: { data: {} } };
      });
      const client = tokenClient({ maxConcurrentPerNode: 2 });
      await Promise.all([
        ...Array.from({ length: 8 }, () => client.nodeStatus('pve1')),
        ...Array.from({ length: 4 }, () => client.nodeStatus('pve2')),
      ]);
      expect(peak.get('pve1')).toBe(2);
      expect(peak.get('pve2')).toBe(2);
      await client.close();
    });
  });

  describe('task watcher', () => {
    function taskStub(upids: string[], finishAtPoll: number, listed = true) {
      let polls = 0;
      stub.setHandler((req) => {
        if (req.path === '/cluster/tasks') {
          polls++;
          return {
            body: {
              data: listed
                ? upids.map((upid) => ({
                    upid,
                    node: 'pve1',
                    type: 'qmclone',
                    id: '9000',
                    user: 'root@pam',
                    starttime: 0x6745f0a1,
                    pid: 1,
                    pstart: 1,
                    ...(polls >= finishAtPoll ? { status: 'OK', endtime: 0x6745f0b0 } : {}),
                  }))
                : [],
            },
          };
        }
        if (req.path === '/nodes/pve1/tasks') {
          return {
            body: {
              data: upids.map((upid) => ({
                upid,
                node: 'pve1',
                type: 'qmclone',
                id: '9000',
                user: 'root@pam',
                starttime: 0x6745f0a1,
                pid: 1,
                pstart: 1,
                status: 'clone failed: boom',
                endtime: 0x6745f0b0,
              })),
            },
          };
        }
        if (req.path.endsWith('/log'))
          return {
            body: {
              data: [
                { n: 1, t: 'create full clone' },
                { n: 2, t: 'TASK OK' },
              ],
              total: 2,
            },
          };
        return { status: 501, reason: 'not implemented', raw: '' };
      });
    }

    it.each([1, 100])(
      'makes one /cluster/tasks request per interval while following %i task(s)',
      async (count) => {
        const upids = Array.from({ length: count }, (_, i) => UPID(i + 1));
        taskStub(upids, 3);
        const client = tokenClient({ taskWatcher: { intervalMs: 15 } });
        const results = await Promise.all(upids.map((u) => client.waitForTask(u, { timeoutMs: 5000 })));
        expect(results.every((r) => r.ok && r.exitstatus === 'OK')).toBe(true);
        expect(results[0]!.logTail).toEqual(['create full clone', 'TASK OK']);
        const listRequests = stub.requests.filter((r) => r.path === '/cluster/tasks');
        expect(listRequests).toHaveLength(3);
        expect(stub.requests.filter((r) => r.path.endsWith('/status'))).toHaveLength(0);
        expect(stub.requests.filter((r) => r.path.endsWith('/log'))).toHaveLength(count);
        await client.close();
      },
    );

    it('reads no logs when logTailLines is 0', async () => {
      const upids = [UPID(1), UPID(2), UPID(3)];
      taskStub(upids, 2);
      const client = tokenClient({ taskWatcher: { intervalMs: 10, logTailLines: 0 } });
      const results = await Promise.all(upids.map((u) => client.waitForTask(u, { timeoutMs: 5000 })));
      expect(results.map((r) => r.logTail)).toEqual([[], [], []]);
      expect(stub.requests.filter((r) => r.path.endsWith('/log'))).toHaveLength(0);
      expect(stub.requests).toHaveLength(2);
      await client.close();
    });

    it('falls back to the node task list for tasks /cluster/tasks does not show (tokens without Sys.Audit on /)', async () => {
      const upids = [UPID(1), UPID(2)];
      taskStub(upids, 99, false);
      const client = tokenClient({ taskWatcher: { intervalMs: 10, clusterMissesBeforeNodeFallback: 2 } });
      const results = await Promise.all(upids.map((u) => client.waitForTask(u, { timeoutMs: 5000 })));
      expect(results.map((r) => r.ok)).toEqual([false, false]);
      expect(results[0]!.exitstatus).toBe('clone failed: boom');
      expect(stub.requests.filter((r) => r.path === '/nodes/pve1/tasks')).toHaveLength(1);
      await client.close();
    });

    it('throws PveTaskFailedError with throwOnFailure, and honours an abort signal', async () => {
      taskStub([UPID(1)], 99, false);
      const client = tokenClient({ taskWatcher: { intervalMs: 10, mode: 'node' } });
      const failure = await client
        .waitForTask(UPID(1), { timeoutMs: 5000, throwOnFailure: true })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(PveTaskFailedError);
      expect(failure).toMatchObject({
        exitstatus: 'clone failed: boom',
        logTail: ['create full clone', 'TASK OK'],
      });
      expect(stub.requests.filter((r) => r.path === '/cluster/tasks')).toHaveLength(0);
      taskStub([UPID(2)], 1_000_000);
      const controller = new AbortController();
      const waiting = client.waitForTask(UPID(2), { signal: controller.signal });
      controller.abort();
      await expect(waiting).rejects.toThrow(/aborted/);
      await client.close();
    });

    it('rejects a waiter at its deadline and stops polling when nobody waits', async () => {
      taskStub([UPID(1)], 1_000_000);
      const client = tokenClient({ taskWatcher: { intervalMs: 10 } });
      await expect(client.waitForTask(UPID(1), { timeoutMs: 60 })).rejects.toThrow(/did not finish/);
      const before = stub.requests.length;
      expect(client.tasks.followedCount).toBe(0);
      await new Promise((r) => setTimeout(r, 50)); // five intervals with nobody waiting
      expect(stub.requests.length).toBeLessThanOrEqual(before + 1);
      await client.close();
    });
  });
});
