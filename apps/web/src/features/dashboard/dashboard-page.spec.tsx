import { act, screen, within } from '@testing-library/react';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import { adminUser, makeSession } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';

describe('dashboard', () => {
  it("greets the user by name and shows each dependency's readiness", async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/health/ready': () =>
        ok({
          status: 'degraded',
          checks: {
            postgres: { status: 'up', latency_ms: 3.2 },
            redis: { status: 'up', latency_ms: 0.4 },
            proxmox: { status: 'down', latency_ms: null, error: 'connect ECONNREFUSED 10.0.0.9:8006' },
          },
        }),
    });
    renderApp('/');

    expect(await screen.findByRole('heading', { name: 'Welcome, Park Admin' })).toBeInTheDocument();
    expect(screen.getByText('You are signed in as admin with the role Administrator.')).toBeInTheDocument();
    expect(within(await screen.findByTestId('check-postgres')).getByText('Healthy')).toBeInTheDocument();
    expect(within(screen.getByTestId('check-postgres')).getByText('3 ms')).toBeInTheDocument();
    expect(within(screen.getByTestId('check-redis')).getByText('Healthy')).toBeInTheDocument();
    expect(within(screen.getByTestId('check-proxmox')).getByText('Down')).toBeInTheDocument();
    expect(
      within(screen.getByTestId('check-proxmox')).getByText('connect ECONNREFUSED 10.0.0.9:8006'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('overall-status')).toHaveTextContent('Degraded');
  });

  it('shows the report of an unavailable platform (503) and the simulator', async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/health/ready': ({ reply }) =>
        reply(503, {
          success: false,
          data: {
            status: 'unavailable',
            checks: {
              postgres: { status: 'up', latency_ms: 1 },
              redis: { status: 'down', latency_ms: null, error: 'no answer within 3000 ms' },
              proxmox: { status: 'not_configured', latency_ms: null, mode: 'simulator' },
            },
          },
        }),
    });
    renderApp('/');

    expect(await screen.findByTestId('overall-status')).toHaveTextContent('Unavailable');
    expect(
      within(screen.getByTestId('check-redis')).getByText('no answer within 3000 ms'),
    ).toBeInTheDocument();
    expect(within(screen.getByTestId('check-proxmox')).getByText('Simulator')).toBeInTheDocument();
    expect(within(screen.getByTestId('check-proxmox')).getByText('Not configured')).toBeInTheDocument();
  });

  it('asks for the status without the session cookie, so polling does not keep the session alive', async () => {
    const api = mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/health/ready': () => ok({ status: 'ready', checks: {} }),
    });
    renderApp('/');

    expect(await screen.findByTestId('overall-status')).toHaveTextContent('Ready');
    expect(api.calls('GET /api/health/ready').map((call) => call.credentials)).toEqual(['omit']);
    expect(api.calls('GET /api/session/check').map((call) => call.credentials)).toEqual(['include']);
  });

  it('says so when the status cannot be loaded', async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/health/ready': () => fail(404, 'NOT_FOUND', 'No such route'),
    });
    renderApp('/');

    expect(await screen.findByText(/The status could not be loaded\./)).toBeInTheDocument();
  });

  describe('polling', () => {
    beforeEach(() => {
      // Only the clock: promises, and the fetch mock's streams, run as usual.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('asks for the status every 30 s only while the live stream is not open', async () => {
      installFakeEventSource();
      const api = mockApi({
        'GET /api/session/check': () => ok(makeSession(adminUser)),
        'GET /api/health/ready': () => ok({ status: 'ready', checks: {} }),
      });
      renderApp('/');
      const asked = () => api.calls('GET /api/health/ready').length;
      const wait = (ms: number) => act(() => jest.advanceTimersByTimeAsync(ms));

      expect(await screen.findByTestId('overall-status')).toHaveTextContent('Ready');
      expect(asked()).toBe(1);
      await wait(30_000);
      expect(asked()).toBe(2);

      act(() => {
        latestEventSource().open();
      });
      await wait(120_000);
      expect(asked()).toBe(2);

      // The connection dropped: polling again until the stream is back.
      act(() => {
        latestEventSource().drop();
      });
      await wait(30_000);
      expect(asked()).toBe(3);
    });
  });
});
