import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accepted, fail, mockApi, ok } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import { adminUser, makeSession, makeTask } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { Schemas } from '../../lib/api';
import { changeLanguage } from '../../lib/i18n';

type Task = Schemas['TaskDto'];

const TASK_ID = '33333333-3333-4333-8333-333333333333';
const UPID = 'UPID:pve1:0000ABCD:0001E240:6745A1B2:qmclone:101:root@pam:';

const bulk = makeTask({
  task_id: TASK_ID,
  status: 'partial',
  progress: 100,
  message: '1 of 2 failed',
  error: null,
  result: { created: ['web-1'], failed: ['web-2'] },
  attempts: 2,
  created_by: adminUser.id,
  started_at: '2026-11-26T09:00:00.000Z',
  finished_at: '2026-11-26T09:00:42.000Z',
  items: [
    {
      name: 'web-1',
      status: 'completed',
      step: 'start',
      progress: 100,
      error: null,
      pve_upids: [UPID],
      steps_done: ['clone', 'start'],
    },
    {
      name: 'web-2',
      status: 'failed',
      step: 'clone',
      progress: 30,
      error: 'storage local-lvm is full',
      pve_upids: [],
      steps_done: [],
    },
  ],
});

const running = makeTask({
  task_id: TASK_ID,
  status: 'running',
  progress: 25,
  message: 'Step 1 of 4',
  result: null,
  started_at: '2026-11-26T09:00:00.000Z',
  finished_at: null,
});

function taskApi(answer: () => Task) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(adminUser)),
    'GET /api/tasks/{task_id}/status': () => ok(answer()),
  });
}

function item(name: string) {
  return within(screen.getByTestId(`item-${name}`));
}

describe('the task page', () => {
  it('shows the status, progress, timings, and each item with its step, error and Proxmox tasks', async () => {
    const api = taskApi(() => bulk);
    renderApp(`/tasks/${TASK_ID}`);

    expect(await screen.findByRole('heading', { name: 'Test task' })).toBeInTheDocument();
    expect(api.calls('GET /api/tasks/{task_id}/status').map((call) => call.params)).toEqual([
      { task_id: TASK_ID },
    ]);
    expect(screen.getAllByText('Partly failed')[0]).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Progress of Test task' })).toHaveAttribute(
      'aria-valuenow',
      '100',
    );
    expect(screen.getByTestId('task-message')).toHaveTextContent('1 of 2 failed');
    expect(screen.getByText(TASK_ID)).toBeInTheDocument();
    const timings = within(screen.getByRole('region', { name: 'Timings' }));
    expect(timings.getByText('42 s')).toBeInTheDocument();

    expect(item('web-1').getByText('Completed')).toBeInTheDocument();
    expect(item('web-1').getByText('start')).toBeInTheDocument();
    expect(item('web-1').getByText(UPID).tagName).toBe('CODE');
    expect(item('web-1').getByRole('button', { name: `Copy ${UPID}` })).toBeInTheDocument();
    expect(item('web-2').getByText('Failed')).toBeInTheDocument();
    expect(item('web-2').getByText('storage local-lvm is full')).toBeInTheDocument();
    expect(item('web-2').getByRole('progressbar', { name: 'Progress of web-2' })).toHaveAttribute(
      'aria-valuenow',
      '30',
    );
  });

  it('copies a Proxmox task id', async () => {
    taskApi(() => bulk);
    renderApp(`/tasks/${TASK_ID}`);
    const user = userEvent.setup();
    const writeText = jest.spyOn(navigator.clipboard, 'writeText');

    await user.click(await screen.findByRole('button', { name: `Copy ${UPID}` }));

    expect(writeText).toHaveBeenCalledWith(UPID);
  });

  it('keeps the result folded until asked for, and shows the error of a failed task', async () => {
    taskApi(() => ({ ...bulk, status: 'failed', error: 'Deliberate failure', items: [] }));
    renderApp(`/tasks/${TASK_ID}`);
    const user = userEvent.setup();

    const toggle = await screen.findByRole('button', { name: 'Show the result' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByText('Deliberate failure')).toBeInTheDocument();
    expect(screen.getByText('This task has no items.')).toBeInTheDocument();

    await user.click(toggle);

    expect(screen.getByRole('button', { name: 'Hide the result' })).toHaveAttribute('aria-expanded', 'true');
    expect(JSON.parse(screen.getByTestId('task-result').textContent)).toEqual(bulk.result);
  });

  it('moves forward from the live stream without asking the API again, and reads the finished task once', async () => {
    installFakeEventSource();
    let answer: Task = running;
    const api = taskApi(() => answer);
    renderApp(`/tasks/${TASK_ID}`);
    await screen.findByRole('heading', { name: 'Test task' });
    act(() => {
      latestEventSource().open();
    });
    const progress = () => screen.getByRole('progressbar', { name: 'Progress of Test task' });
    expect(progress()).toHaveAttribute('aria-valuenow', '25');

    act(() => {
      latestEventSource().emit('task', {
        task_id: TASK_ID,
        status: 'running',
        progress: 50,
        message: 'Step 2 of 4',
      });
    });

    expect(await screen.findByText('Step 2 of 4')).toBeInTheDocument();
    expect(progress()).toHaveAttribute('aria-valuenow', '50');
    expect(screen.getByText('50 %')).toBeInTheDocument();
    expect(api.calls('GET /api/tasks/{task_id}/status')).toHaveLength(1);

    // Finished: the event says so at once, and the task is read again for its result and end time.
    answer = {
      ...running,
      status: 'completed',
      progress: 100,
      message: 'Step 4 of 4',
      result: { echo: 'hello' },
      finished_at: '2026-11-26T09:00:04.000Z',
    };
    act(() => {
      latestEventSource().emit('task', {
        task_id: TASK_ID,
        status: 'completed',
        progress: 100,
        message: 'Step 4 of 4',
      });
    });

    expect(await screen.findByRole('button', { name: 'Show the result' })).toBeInTheDocument();
    expect(screen.getAllByText('Completed')[0]).toBeInTheDocument();
    expect(api.calls('GET /api/tasks/{task_id}/status')).toHaveLength(2);
  });

  it('says when there is no such task', async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/tasks/{task_id}/status': ({ params }) =>
        fail(404, 'NOT_FOUND', `Task ${params.task_id} not found`),
    });
    renderApp('/tasks/no-such-task');

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Task not found')).toBeInTheDocument();
    expect(
      within(alert).getByText('There is no task no-such-task, or it is not yours to see.'),
    ).toBeInTheDocument();
    expect(within(alert).queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'All tasks' })).toHaveAttribute('href', '/tasks');
  });

  it('says when the task cannot be loaded, and tries again', async () => {
    let answers = 0;
    mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/tasks/{task_id}/status': () =>
        (answers += 1) === 1 ? fail(403, 'FORBIDDEN', 'Not allowed') : ok(bulk),
    });
    renderApp(`/tasks/${TASK_ID}`);

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('The task could not be loaded.')).toBeInTheDocument();
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));

    expect(await screen.findByRole('heading', { name: 'Test task' })).toBeInTheDocument();
  });

  it('speaks Korean', async () => {
    taskApi(() => bulk);
    renderApp(`/tasks/${TASK_ID}`);
    await screen.findByRole('heading', { name: 'Test task' });

    await act(() => changeLanguage('ko'));

    await waitFor(() => {
      expect(screen.getByRole('heading', { name: '테스트 작업' })).toBeInTheDocument();
    });
    expect(screen.getAllByText('일부 실패')[0]).toBeInTheDocument();
    expect(item('web-2').getByText('실패')).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: '시간' })).getByText('42초')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '결과 보기' })).toBeInTheDocument();
    expect(item('web-1').getByRole('button', { name: `${UPID} 복사` })).toBeInTheDocument();
  });

  describe('polling', () => {
    beforeEach(() => {
      // Only the clock: promises, and the fetch mock's streams, run as usual.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('asks for an unfinished task every 5 s only while the live stream is not open, and not once it ended', async () => {
      installFakeEventSource();
      let answer: Task = running;
      const api = taskApi(() => answer);
      renderApp(`/tasks/${TASK_ID}`);
      const asked = () => api.calls('GET /api/tasks/{task_id}/status').length;
      const wait = (ms: number) => act(() => jest.advanceTimersByTimeAsync(ms));

      await screen.findByRole('heading', { name: 'Test task' });
      expect(asked()).toBe(1);
      await wait(5_000);
      expect(asked()).toBe(2);

      act(() => {
        latestEventSource().open();
      });
      await wait(30_000);
      expect(asked()).toBe(2);

      act(() => {
        latestEventSource().drop();
      });
      answer = { ...running, status: 'completed', progress: 100, finished_at: '2026-11-26T09:00:04.000Z' };
      await wait(5_000);
      expect(asked()).toBe(3);
      expect((await screen.findAllByText('Completed'))[0]).toBeInTheDocument();
      await wait(30_000);
      expect(asked()).toBe(3);
    });
  });

  describe('retry and cancel', () => {
    const creation = (fields: Partial<Task>): Task => ({ ...bulk, type: 'servers.create', ...fields });

    it('retries the failed items of an ended creation, for its creator', async () => {
      let current = creation({ status: 'partial' });
      const api = mockApi({
        'GET /api/session/check': () => ok(makeSession(adminUser)),
        'GET /api/tasks/{task_id}/status': () => ok(current),
        'POST /api/tasks/{task_id}/retry': () => {
          current = { ...current, status: 'queued' };
          return accepted({ task_id: TASK_ID, status: 'queued' }, { message: 'Retrying the failed items' });
        },
      });
      renderApp(`/tasks/${TASK_ID}`);
      const user = userEvent.setup();

      await user.click(await screen.findByRole('button', { name: 'Retry the failed item' }));

      expect(api.calls('POST /api/tasks/{task_id}/retry').map((call) => call.params)).toEqual([
        { task_id: TASK_ID },
      ]);
      await waitFor(() => {
        expect(screen.queryByRole('button', { name: 'Retry the failed item' })).not.toBeInTheDocument();
      });
    });

    it('offers no retry to others, nor for task types that cannot be retried', async () => {
      taskApi(() => ({ ...creation({ status: 'partial' }), created_by: adminUser.id + 1 }));
      const { unmount } = renderApp(`/tasks/${TASK_ID}`);
      expect(await screen.findByRole('heading', { name: 'Create servers' })).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: /Retry/ })).not.toBeInTheDocument();
      unmount();
      taskApi(() => bulk); // test.simple
      renderApp(`/tasks/${TASK_ID}`);
      expect(await screen.findByRole('heading', { name: 'Test task' })).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: /Retry/ })).not.toBeInTheDocument();
    });

    it('cancels the items not started after a confirmation naming them', async () => {
      const queued = (name: string) => ({
        ...bulk.items[0]!,
        name,
        status: 'queued' as const,
        progress: 0,
        pve_upids: [],
      });
      const api = mockApi({
        'GET /api/session/check': () => ok(makeSession(adminUser)),
        'GET /api/tasks/{task_id}/status': () =>
          ok(
            creation({
              status: 'running',
              finished_at: null,
              items: [bulk.items[0]!, queued('web-3'), queued('web-4')],
            }),
          ),
        'POST /api/tasks/{task_id}/cancel': () =>
          accepted(
            { task_id: TASK_ID, status: 'queued' },
            { message: 'Cancelling the items not started yet' },
          ),
      });
      renderApp(`/tasks/${TASK_ID}`);
      const user = userEvent.setup();

      await user.click(await screen.findByRole('button', { name: 'Cancel the 2 items not started' }));
      const dialog = await screen.findByRole('dialog');
      expect(
        within(dialog).getByText(/2 items have not started and will not be done: web-3, web-4/),
      ).toBeInTheDocument();
      expect(api.calls('POST /api/tasks/{task_id}/cancel')).toHaveLength(0);
      await user.click(within(dialog).getByRole('button', { name: 'Cancel 2 items' }));

      await waitFor(() => {
        expect(api.calls('POST /api/tasks/{task_id}/cancel')).toHaveLength(1);
      });
    });
  });
});
