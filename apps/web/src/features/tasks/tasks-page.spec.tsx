import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import { adminUser, makeSession, makeTask } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { Schemas } from '../../lib/api';
import { changeLanguage } from '../../lib/i18n';

type Task = Schemas['TaskDto'];

const running = makeTask({
  task_id: '11111111-1111-4111-8111-111111111111',
  status: 'running',
  progress: 25,
  message: 'Step 1 of 4',
  result: null,
  created_by: adminUser.id,
  created_at: '2026-11-26T10:00:00.000Z',
  started_at: '2026-11-26T10:00:01.000Z',
  finished_at: null,
});
const failed = makeTask({
  task_id: '22222222-2222-4222-8222-222222222222',
  type: 'test.error',
  status: 'failed',
  progress: 100,
  message: null,
  error: 'Deliberate failure',
  result: null,
  created_by: 7,
  created_at: '2026-11-26T09:00:00.000Z',
  started_at: '2026-11-26T09:00:00.000Z',
  finished_at: '2026-11-26T09:03:05.000Z',
});

function page(items: Task[], total = items.length, pages = 1) {
  return { page: 1, per_page: 20, total, pages };
}

function tasksApi(items: Task[] = [running, failed], pagination = page(items)) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(adminUser)),
    'GET /api/tasks/status': () => ok(items, { pagination }),
  });
}

function row(task: Task) {
  return within(screen.getByTestId(`task-${task.task_id}`));
}

describe('the tasks page', () => {
  it('lists the tasks with their type, status, progress, message, creator, time and duration', async () => {
    const api = tasksApi();
    renderApp('/tasks');

    expect(await screen.findByRole('heading', { name: 'Tasks' })).toBeInTheDocument();
    await screen.findByTestId(`task-${running.task_id}`);
    const rows = within(screen.getByRole('table', { name: 'Tasks' })).getAllByRole('row');
    expect(rows).toHaveLength(3);

    expect(row(running).getByRole('link', { name: 'Test task' })).toHaveAttribute(
      'href',
      `/tasks/${running.task_id}`,
    );
    expect(row(running).getByText('Running')).toBeInTheDocument();
    expect(row(running).getByRole('progressbar', { name: 'Progress of Test task' })).toHaveAttribute(
      'aria-valuenow',
      '25',
    );
    expect(row(running).getByText('25 %')).toBeInTheDocument();
    expect(row(running).getByText('Step 1 of 4')).toBeInTheDocument();
    expect(row(running).getByText('You')).toBeInTheDocument();

    expect(row(failed).getByRole('link', { name: 'Failing test task' })).toBeInTheDocument();
    expect(row(failed).getByText('Failed')).toBeInTheDocument();
    expect(row(failed).getByText('Deliberate failure')).toBeInTheDocument();
    expect(row(failed).getByText('User #7')).toBeInTheDocument();
    expect(row(failed).getByText('3 min 5 s')).toBeInTheDocument();
    expect(screen.getByText('2 in all')).toBeInTheDocument();
    // On a narrow screen the table scrolls sideways, also from the keyboard.
    expect(screen.getByRole('region', { name: 'Table of tasks' })).toHaveAttribute('tabindex', '0');

    expect(api.calls('GET /api/tasks/status').map((call) => call.query.toString())).toEqual([
      'page=1&per_page=20',
    ]);
  });

  it('shows one card per task on a phone', async () => {
    const matchMedia = window.matchMedia;
    window.matchMedia = (query) => {
      const list = matchMedia(query);
      Object.defineProperty(list, 'matches', { value: query === '(max-width: 48em)' });
      return list;
    };
    try {
      tasksApi();
      renderApp('/tasks');

      const cards = await screen.findByRole('list', { name: 'Tasks' });
      expect(screen.queryByRole('table')).not.toBeInTheDocument();
      expect(within(cards).getAllByRole('listitem')).toHaveLength(2);
      expect(row(running).getByRole('link', { name: 'Test task' })).toHaveAttribute(
        'href',
        `/tasks/${running.task_id}`,
      );
      expect(row(running).getByRole('progressbar', { name: 'Progress of Test task' })).toHaveAttribute(
        'aria-valuenow',
        '25',
      );
      expect(row(running).getByText('Step 1 of 4')).toBeInTheDocument();
      expect(row(failed).getByText('Failed')).toBeInTheDocument();
      expect(screen.getByTestId(`task-${failed.task_id}`)).toHaveTextContent(/User #7 · .+ · 3 min 5 s/);
    } finally {
      window.matchMedia = matchMedia;
    }
  });

  it('filters by status and type from the address, and keeps a change of filter in the address', async () => {
    const api = tasksApi([failed]);
    const { location } = renderApp('/tasks?status=failed');
    const user = userEvent.setup();

    await screen.findByTestId(`task-${failed.task_id}`);
    expect(screen.getByRole('combobox', { name: 'Status' })).toHaveValue('failed');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Type' }), 'Failing test task');
    await waitFor(() => {
      expect(location()).toBe('/tasks?status=failed&type=test.error');
    });
    await waitFor(() => {
      expect(screen.getByRole('combobox', { name: 'Type' })).toHaveValue('test.error');
    });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'Any status');
    await waitFor(() => {
      expect(location()).toBe('/tasks?type=test.error');
    });
    await waitFor(() => {
      expect(api.calls('GET /api/tasks/status').map((call) => call.query.toString())).toEqual([
        'page=1&per_page=20&status=failed',
        'page=1&per_page=20&status=failed&type=test.error',
        'page=1&per_page=20&type=test.error',
      ]);
    });
  });

  it('goes to another page and keeps the filters', async () => {
    const api = tasksApi([failed], page([failed], 45, 3));
    const { location } = renderApp('/tasks?status=failed');
    const user = userEvent.setup();

    await screen.findByTestId(`task-${failed.task_id}`);
    await user.click(screen.getByRole('button', { name: 'Next page' }));

    await waitFor(() => {
      expect(location()).toBe('/tasks?status=failed&page=2');
    });
    await waitFor(() => {
      expect(api.calls('GET /api/tasks/status').at(-1)?.query.toString()).toBe(
        'page=2&per_page=20&status=failed',
      );
    });
  });

  it('says when there are no tasks, and when none match the filters', async () => {
    tasksApi([]);
    const { router } = renderApp('/tasks');
    expect(await screen.findByText('There are no tasks yet.')).toBeInTheDocument();

    await act(() => router.navigate('/tasks?type=test.simple'));
    expect(await screen.findByText('No tasks match these filters.')).toBeInTheDocument();
  });

  it('says when the tasks cannot be loaded, and tries again', async () => {
    let answer = 0;
    mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/tasks/status': () =>
        (answer += 1) === 1
          ? fail(400, 'VALIDATION_ERROR', 'per_page must not be greater than 200')
          : ok([running], { pagination: page([running]) }),
    });
    renderApp('/tasks');

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('The tasks could not be loaded.')).toBeInTheDocument();
    expect(within(alert).getByText('per_page must not be greater than 200')).toBeInTheDocument();

    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId(`task-${running.task_id}`)).toBeInTheDocument();
  });

  it('moves a running task forward from the live stream without asking the API again', async () => {
    installFakeEventSource();
    const api = tasksApi();
    renderApp('/tasks');
    await screen.findByTestId(`task-${running.task_id}`);
    act(() => {
      latestEventSource().open();
    });

    act(() => {
      latestEventSource().emit('task', {
        task_id: running.task_id,
        status: 'running',
        progress: 75,
        message: 'Step 3 of 4',
      });
    });

    expect(await row(running).findByText('Step 3 of 4')).toBeInTheDocument();
    expect(row(running).getByRole('progressbar', { name: 'Progress of Test task' })).toHaveAttribute(
      'aria-valuenow',
      '75',
    );
    expect(api.calls('GET /api/tasks/status')).toHaveLength(1);
  });

  it('speaks Korean', async () => {
    tasksApi();
    renderApp('/tasks');
    await screen.findByTestId(`task-${running.task_id}`);

    await act(() => changeLanguage('ko'));

    expect(screen.getByRole('heading', { name: '작업' })).toBeInTheDocument();
    expect(row(running).getByRole('link', { name: '테스트 작업' })).toBeInTheDocument();
    expect(row(running).getByText('실행 중')).toBeInTheDocument();
    expect(row(running).getByText('25%')).toBeInTheDocument();
    expect(row(failed).getByText('실패')).toBeInTheDocument();
    expect(row(failed).getByText('3분 5초')).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: '상태' })).toBeInTheDocument();
  });

  describe('polling', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('asks for the list every 5 s only while the live stream is not open', async () => {
      installFakeEventSource();
      const api = tasksApi();
      renderApp('/tasks');
      const asked = () => api.calls('GET /api/tasks/status').length;
      const wait = (ms: number) => act(() => jest.advanceTimersByTimeAsync(ms));

      await screen.findByTestId(`task-${running.task_id}`);
      expect(asked()).toBe(1);
      await wait(5_000);
      expect(asked()).toBe(2);

      act(() => {
        latestEventSource().open();
      });
      await wait(30_000);
      expect(asked()).toBe(2);
    });
  });
});
