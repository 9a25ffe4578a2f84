import { act, screen, within } from '@testing-library/react';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import { adminUser, makeSession, makeTask } from '../../../test/fixtures';
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

  describe('the tasks card', () => {
    const running = makeTask({
      task_id: '44444444-4444-4444-8444-444444444444',
      status: 'running',
      progress: 25,
      message: 'Step 1 of 4',
      result: null,
      finished_at: null,
    });
    const failed = makeTask({
      task_id: '55555555-5555-4555-8555-555555555555',
      type: 'test.error',
      status: 'failed',
      error: 'Deliberate failure',
    });
    const completed = makeTask({ task_id: '66666666-6666-4666-8666-666666666666' });

    function tasksApi(runningTasks: (typeof running)[], recentTasks: (typeof running)[]) {
      return mockApi({
        'GET /api/session/check': () => ok(makeSession(adminUser)),
        'GET /api/health/ready': () => ok({ status: 'ready', checks: {} }),
        'GET /api/tasks/status': ({ query }) => {
          const items = query.get('status') === 'running' ? runningTasks : recentTasks;
          return ok(items, { pagination: { page: 1, per_page: 10, total: items.length, pages: 1 } });
        },
      });
    }

    it('shows the running tasks with their progress, live, and the last finished ones, each linking to its page', async () => {
      installFakeEventSource();
      const api = tasksApi([running], [running, failed, completed]);
      renderApp('/');

      const card = within(await screen.findByRole('region', { name: 'Tasks' }));
      const runningList = within(await card.findByRole('list', { name: 'Running' }));
      expect(runningList.getByRole('link', { name: 'Test task' })).toHaveAttribute(
        'href',
        `/tasks/${running.task_id}`,
      );
      expect(runningList.getByRole('progressbar', { name: 'Progress of Test task' })).toHaveAttribute(
        'aria-valuenow',
        '25',
      );
      const finishedList = within(card.getByRole('list', { name: 'Recently finished' }));
      expect(finishedList.getAllByRole('listitem')).toHaveLength(2);
      expect(finishedList.getByRole('link', { name: 'Failing test task' })).toHaveAttribute(
        'href',
        `/tasks/${failed.task_id}`,
      );
      expect(
        within(screen.getByTestId(`dashboard-task-${failed.task_id}`)).getByText('Failed'),
      ).toBeInTheDocument();
      expect(card.getByRole('link', { name: 'All tasks' })).toHaveAttribute('href', '/tasks');
      expect(api.calls('GET /api/tasks/status').map((call) => call.query.toString())).toEqual([
        'status=running&per_page=5',
        'per_page=10',
      ]);

      act(() => {
        latestEventSource().open();
        latestEventSource().emit('task', {
          task_id: running.task_id,
          status: 'running',
          progress: 75,
          message: 'Step 3 of 4',
        });
      });

      expect(await runningList.findByText('Step 3 of 4')).toBeInTheDocument();
      expect(runningList.getByRole('progressbar', { name: 'Progress of Test task' })).toHaveAttribute(
        'aria-valuenow',
        '75',
      );
      expect(api.calls('GET /api/tasks/status')).toHaveLength(2);
    });

    it('says when there are no tasks', async () => {
      tasksApi([], []);
      renderApp('/');

      const card = within(await screen.findByRole('region', { name: 'Tasks' }));
      expect(
        await card.findByText('No tasks yet. Long jobs appear here with their progress.'),
      ).toBeInTheDocument();
    });

    it('says which part is empty when only finished tasks exist', async () => {
      tasksApi([], [completed]);
      renderApp('/');

      const card = within(await screen.findByRole('region', { name: 'Tasks' }));
      expect(await card.findByText('No task is running.')).toBeInTheDocument();
      expect(card.getByRole('list', { name: 'Recently finished' })).toBeInTheDocument();
    });
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
