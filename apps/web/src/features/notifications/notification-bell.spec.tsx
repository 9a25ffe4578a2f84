import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { notifications as toasts } from '@mantine/notifications';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { installFakeEventSource, latestEventSource } from '../../../test/fake-event-source';
import { adminUser, makeNotification, makeSession, makeTask } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';

afterEach(() => {
  act(() => {
    toasts.clean();
  });
});

const backupFailed = makeNotification({
  id: 11,
  severity: 'error',
  title: 'Backup failed',
  message: 'vzdump of web-1 ended with an error',
  server: 'web-1',
});
const taskDone = makeNotification({
  id: 10,
  severity: 'success',
  title: 'Task finished',
  message: 'Created 3 servers',
  read: true,
});

/** The signed-in admin on the dashboard, with `unread` unread notifications and the two above as the latest. */
function bellApi(unread = 1) {
  let count = unread;
  const api = mockApi({
    'GET /api/session/check': () => ok(makeSession(adminUser, 'csrf-bell')),
    'GET /api/health/ready': () => ok({ status: 'ready', checks: {} }),
    'GET /api/notifications/unread-count': () => ok({ count }),
    'GET /api/notifications/latest': () => ok([backupFailed, taskDone]),
  });
  return {
    api,
    setCount: (next: number) => {
      count = next;
    },
  };
}

async function openBell(name: string | RegExp) {
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name }));
  const dialog = await screen.findByRole('dialog');
  await within(dialog).findByText('Backup failed');
  return { user, dialog };
}

describe('the notification bell', () => {
  it('shows the unread count and, opened, the latest notifications', async () => {
    const { api } = bellApi(3);
    renderApp('/');

    const bell = await screen.findByRole('button', { name: 'Notifications, 3 unread' });
    expect(within(bell).getByText('3')).toBeInTheDocument();

    const { dialog } = await openBell('Notifications, 3 unread');
    const items = within(dialog).getAllByRole('listitem');
    expect(items.map((item) => within(item).getByText(/Backup failed|Task finished/).textContent)).toEqual([
      'Backup failed',
      'Task finished',
    ]);
    expect(within(items[0]!).getByText('Unread')).toBeInTheDocument();
    expect(within(items[0]!).getByText('Server web-1')).toBeInTheDocument();
    expect(within(items[1]!).queryByText('Unread')).not.toBeInTheDocument();
    // A read notification offers no "mark as read".
    expect(within(items[1]!).queryByRole('button', { name: /as read/ })).not.toBeInTheDocument();
    expect(api.calls('GET /api/notifications/latest').map((call) => call.query.get('limit'))).toEqual(['8']);
    expect(within(dialog).getByRole('link', { name: 'View all notifications' })).toHaveAttribute(
      'href',
      '/notifications',
    );
  });

  it('shows no count when everything is read', async () => {
    bellApi(0);
    renderApp('/');

    const bell = await screen.findByRole('button', { name: 'Notifications' });
    expect(within(bell).queryByText('0')).not.toBeInTheDocument();
  });

  it('marks one read and hides another, with the CSRF token, and counts again', async () => {
    const { api, setCount } = bellApi(1);
    api.on('POST /api/notifications/{notification_id}/read', ({ params }) => {
      setCount(0);
      return ok({ ...backupFailed, id: Number(params.notification_id), read: true });
    });
    api.on('DELETE /api/notifications/{notification_id}', () => ok(null, { message: 'Notification hidden' }));
    renderApp('/');
    const { user, dialog } = await openBell('Notifications, 1 unread');

    await user.click(within(dialog).getByRole('button', { name: 'Mark “Backup failed” as read' }));

    expect(await screen.findByRole('button', { name: 'Notifications' })).toBeInTheDocument();
    const [read] = api.calls('POST /api/notifications/{notification_id}/read');
    expect(read?.params).toEqual({ notification_id: '11' });
    expect(read?.headers.get('X-CSRF-Token')).toBe('csrf-bell');

    await user.click(within(dialog).getByRole('button', { name: 'Hide “Task finished”' }));
    await waitFor(() => {
      expect(api.calls('DELETE /api/notifications/{notification_id}').map((call) => call.params)).toEqual([
        { notification_id: '10' },
      ]);
    });
    await waitFor(() => {
      expect(api.calls('GET /api/notifications/latest').length).toBeGreaterThanOrEqual(3);
    });
  });

  it('says so when an action fails', async () => {
    const { api } = bellApi(1);
    api.on('POST /api/notifications/{notification_id}/read', () =>
      fail(404, 'NOT_FOUND', 'Notification 11 not found'),
    );
    renderApp('/');
    const { user, dialog } = await openBell('Notifications, 1 unread');

    await user.click(within(dialog).getByRole('button', { name: 'Mark “Backup failed” as read' }));

    expect(await screen.findByText('The notification could not be changed')).toBeInTheDocument();
    expect(screen.getByText('Notification 11 not found')).toBeInTheDocument();
  });

  it('clears all only after a confirmation that names what it hides', async () => {
    const { api, setCount } = bellApi(1);
    api.on('POST /api/notifications/clear-all', () => {
      setCount(0);
      return ok({ hidden: 2 });
    });
    renderApp('/');
    const { user, dialog } = await openBell('Notifications, 1 unread');

    await user.click(within(dialog).getByRole('button', { name: 'Clear all' }));
    let confirm = await screen.findByRole('dialog', { name: 'Hide all your notifications?' });
    expect(confirm).toHaveTextContent(
      'This hides all of your notifications, read and unread, from your account. Other users keep theirs.',
    );
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog', { name: 'Hide all your notifications?' })).not.toBeInTheDocument();
    });
    expect(api.calls('POST /api/notifications/clear-all')).toHaveLength(0);

    await user.click(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Clear all' }));
    confirm = await screen.findByRole('dialog', { name: 'Hide all your notifications?' });
    await user.click(within(confirm).getByRole('button', { name: 'Hide all' }));

    expect(await screen.findByText('Notifications hidden: 2.')).toBeInTheDocument();
    expect(api.calls('POST /api/notifications/clear-all')).toHaveLength(1);
    expect(await screen.findByRole('button', { name: 'Notifications' })).toBeInTheDocument();
  });

  it('opens from the keyboard, and Escape gives the focus back to the bell', async () => {
    bellApi(1);
    renderApp('/');
    const bell = await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    const user = userEvent.setup();

    bell.focus();
    await user.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('Backup failed');
    await user.tab();
    expect(dialog).toContainElement(document.activeElement as HTMLElement);

    await user.keyboard('{Escape}');
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(bell).toHaveFocus();
  });
});

describe('live notifications', () => {
  it('counts a notification arriving on the stream and shows it as a toast, once', async () => {
    installFakeEventSource();
    const { setCount } = bellApi(0);
    renderApp('/');
    await screen.findByRole('button', { name: 'Notifications' });
    const indicator = screen.getByTestId('live-indicator');
    expect(indicator).toHaveAttribute('data-state', 'connecting');

    act(() => {
      latestEventSource().open();
    });
    expect(indicator).toHaveAttribute('data-state', 'open');
    expect(indicator).toHaveTextContent('Live');

    setCount(1);
    const arrived = makeNotification({
      id: 12,
      severity: 'warning',
      title: 'Disk almost full',
      message: '91 %',
    });
    act(() => {
      latestEventSource().emit('notification', arrived);
    });

    expect(await screen.findByRole('button', { name: 'Notifications, 1 unread' })).toBeInTheDocument();
    expect(screen.getByText('Disk almost full')).toBeInTheDocument();
    expect(screen.getByText('91 %')).toBeInTheDocument();

    // Replayed after a reconnection: no second toast.
    act(() => {
      latestEventSource().emit('notification', arrived);
    });
    expect(screen.getAllByText('Disk almost full')).toHaveLength(1);

    // Opening the bell, where the notifications are listed, puts their toasts away.
    await userEvent.setup().click(screen.getByRole('button', { name: 'Notifications, 1 unread' }));
    await screen.findByRole('dialog');
    // (Well before the toast would close by itself.)
    await waitFor(
      () => {
        expect(screen.queryByText('Disk almost full')).not.toBeInTheDocument();
      },
      { timeout: 2_000 },
    );
  });

  it("links a task's notification, in the dropdown and in its toast, to the task's page", async () => {
    installFakeEventSource();
    const taskId = '6f1c0b0e-8a57-4d0c-9a53-2f3c1d7e9b10';
    const taskFailed = makeNotification({
      id: 13,
      type: 'task.failed',
      severity: 'error',
      title: 'Task test.error failed',
      message: 'Deliberate failure',
      task_id: taskId,
    });
    const api = mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/health/ready': () => ok({ status: 'ready', checks: {} }),
      'GET /api/notifications/unread-count': () => ok({ count: 1 }),
      'GET /api/notifications/latest': () => ok([taskFailed, backupFailed]),
      'GET /api/tasks/{task_id}/status': ({ params }) =>
        ok(makeTask({ task_id: params.task_id, type: 'test.error', status: 'failed' })),
    });
    const { location, router } = renderApp('/');
    const user = userEvent.setup();
    await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    act(() => {
      latestEventSource().open();
      latestEventSource().emit('notification', taskFailed);
    });

    const toast = (await screen.findByText('Deliberate failure')).closest<HTMLElement>('[role="alert"]');
    if (!toast) throw new Error('no toast');
    await user.click(within(toast).getByRole('link', { name: 'View the task' }));
    await waitFor(() => {
      expect(location()).toBe(`/tasks/${taskId}`);
    });
    expect(await screen.findByRole('heading', { name: 'Failing test task' })).toBeInTheDocument();

    await act(() => router.navigate('/'));
    await screen.findByRole('heading', { name: 'Welcome, Park Admin' });
    await user.click(screen.getByRole('button', { name: 'Notifications, 1 unread' }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('Task test.error failed');
    // Only the notification about a task links to one.
    expect(within(dialog).getAllByRole('link', { name: 'View the task' })).toHaveLength(1);
    await user.click(within(dialog).getByRole('link', { name: 'View the task' }));
    await waitFor(() => {
      expect(location()).toBe(`/tasks/${taskId}`);
    });
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(api.calls('GET /api/tasks/{task_id}/status').map((call) => call.params.task_id)).toContain(taskId);
  });

  it('says when the stream is reconnecting', async () => {
    installFakeEventSource();
    bellApi(0);
    renderApp('/');
    await screen.findByRole('button', { name: 'Notifications' });

    act(() => {
      latestEventSource().open();
      latestEventSource().drop();
    });

    const indicator = screen.getByTestId('live-indicator');
    expect(indicator).toHaveAttribute('data-state', 'reconnecting');
    expect(indicator).toHaveTextContent('Reconnecting…');
  });
});
