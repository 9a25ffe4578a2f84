import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok, type ReplyFor } from '../../../test/api-mock';
import { makeNotification, makeSession, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { Notification } from './notifications.queries';

const SEVERITIES = ['info', 'success', 'warning', 'error'] as const;

/** 45 notifications, newest first: every third unread, severities in turn. */
const ALL: Notification[] = Array.from({ length: 45 }, (_, index) => {
  const id = 45 - index;
  return makeNotification({
    id,
    title: `Notification ${id}`,
    message: `Message ${id}`,
    severity: SEVERITIES[id % 4],
    read: id % 3 !== 0,
    task_id: id === 45 ? '6f1c0b0e-8a57-4d0c-9a53-2f3c1d7e9b10' : null,
  });
});

/** GET /api/notifications as the API answers it: filtered by unread and severity, a page at a time. */
function answerList(
  notifications: Notification[],
  query: URLSearchParams,
): ReplyFor<'GET /api/notifications'> {
  const page = Number(query.get('page') ?? '1');
  const perPage = Number(query.get('per_page') ?? '20');
  const unread = query.get('unread');
  const severity = query.get('severity');
  const matching = notifications.filter(
    (n) =>
      (unread === null || n.read === (unread === 'false')) && (severity === null || n.severity === severity),
  );
  return ok(matching.slice((page - 1) * perPage, page * perPage), {
    pagination: {
      page,
      per_page: perPage,
      total: matching.length,
      pages: Math.ceil(matching.length / perPage),
    },
  });
}

function pageApi(notifications: Notification[] = ALL) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(viewerUser, 'csrf-page')),
    'GET /api/notifications/unread-count': () => ok({ count: notifications.filter((n) => !n.read).length }),
    'GET /api/notifications': ({ query }) => answerList(notifications, query),
  });
}

function listQueries(api: ReturnType<typeof mockApi>): string[] {
  return api.calls('GET /api/notifications').map((call) => call.query.toString());
}

function titles(): string[] {
  const list = screen.getByRole('list', { name: 'Notifications' });
  return within(list)
    .getAllByRole('listitem')
    .map((item) => within(item).getByText(/^Notification \d+$/).textContent);
}

describe('the notifications page', () => {
  it('is in the navigation of every signed-in user and lists the first page, newest first', async () => {
    const api = pageApi();
    renderApp('/notifications');

    expect(await screen.findByRole('heading', { name: 'Notifications', level: 1 })).toBeInTheDocument();
    await screen.findByText('Notification 45');
    expect(
      within(screen.getByRole('navigation', { name: 'Main navigation' })).getByRole('link', {
        name: 'Notifications',
      }),
    ).toBeInTheDocument();
    expect(titles()).toHaveLength(20);
    expect(titles()[0]).toBe('Notification 45');
    expect(screen.getByText('45 in all')).toBeInTheDocument();
    expect(listQueries(api)).toEqual(['page=1&per_page=20']);

    const first = screen.getByTestId('notification-45');
    expect(within(first).getByText('Unread')).toBeInTheDocument();
    expect(within(first).getByText('Success')).toBeInTheDocument();
    expect(
      within(first).getByRole('link', { name: 'Task 6f1c0b0e-8a57-4d0c-9a53-2f3c1d7e9b10' }),
    ).toHaveAttribute('href', '/tasks/6f1c0b0e-8a57-4d0c-9a53-2f3c1d7e9b10');
    expect(within(screen.getByTestId('notification-44')).queryByRole('link')).not.toBeInTheDocument();
    expect(within(screen.getByTestId('notification-44')).queryByText('Unread')).not.toBeInTheDocument();
  });

  it('filters by read state and severity, in the address, back to the first page', async () => {
    const api = pageApi();
    const app = renderApp('/notifications?page=2');
    await screen.findByText('Notification 25');
    const user = userEvent.setup();

    await user.click(screen.getByRole('radio', { name: 'Unread' }));
    await screen.findByText('15 in all');
    expect(titles().slice(0, 3)).toEqual(['Notification 45', 'Notification 42', 'Notification 39']);
    expect(app.location()).toBe('/notifications?show=unread');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Severity' }), 'Warning');
    await screen.findByText('4 in all');
    expect(titles()).toEqual(['Notification 42', 'Notification 30', 'Notification 18', 'Notification 6']);
    expect(app.location()).toBe('/notifications?show=unread&severity=warning');

    await user.click(screen.getByRole('radio', { name: 'Read' }));
    await screen.findByText('7 in all');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Severity' }), 'Any severity');
    await screen.findByText('30 in all');

    expect(listQueries(api)).toEqual([
      'page=2&per_page=20',
      'page=1&per_page=20&unread=true',
      'page=1&per_page=20&unread=true&severity=warning',
      'page=1&per_page=20&unread=false&severity=warning',
      'page=1&per_page=20&unread=false',
    ]);
  });

  it('goes through the pages', async () => {
    const api = pageApi();
    const app = renderApp('/notifications');
    await screen.findByText('Notification 45');
    const user = userEvent.setup();
    const pages = screen.getByRole('navigation', { name: 'Pages of notifications' });

    await user.click(within(pages).getByRole('button', { name: '3' }));
    await screen.findByText('Notification 5');
    expect(titles()).toEqual([
      'Notification 5',
      'Notification 4',
      'Notification 3',
      'Notification 2',
      'Notification 1',
    ]);
    expect(app.location()).toBe('/notifications?page=3');

    await user.click(within(pages).getByRole('button', { name: 'Previous page' }));
    await screen.findByText('Notification 25');
    expect(app.location()).toBe('/notifications?page=2');
    expect(listQueries(api)).toEqual(['page=1&per_page=20', 'page=3&per_page=20', 'page=2&per_page=20']);
  });

  it('shows that it is loading', async () => {
    let answer: (() => void) | undefined;
    const api = pageApi();
    api.on(
      'GET /api/notifications',
      ({ query }) =>
        new Promise((resolve) => {
          answer = () => {
            resolve(answerList(ALL, query));
          };
        }),
    );
    renderApp('/notifications');

    expect(await screen.findByText('Loading…')).toBeInTheDocument();
    await waitFor(() => {
      expect(answer).toBeDefined();
    });
    answer?.();
    expect(await screen.findByText('Notification 45')).toBeInTheDocument();
    expect(screen.queryByText('Loading…')).not.toBeInTheDocument();
  });

  it('says when there are no notifications, or none that match', async () => {
    pageApi([]);
    renderApp('/notifications');
    expect(await screen.findByText('You have no notifications.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Clear all' })).toBeDisabled();

    await userEvent.setup().click(screen.getByRole('radio', { name: 'Unread' }));
    expect(await screen.findByText('No notifications match these filters.')).toBeInTheDocument();
  });

  it('says when the list cannot be loaded, and tries again on request', async () => {
    const api = pageApi();
    api.on('GET /api/notifications', () =>
      fail(400, 'VALIDATION_FAILED', 'Validation failed', {
        fields: { page: 'must not be greater than 100000' },
      }),
    );
    renderApp('/notifications?page=100001');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The notifications could not be loaded.');
    expect(alert).toHaveTextContent('Validation failed');

    api.on('GET /api/notifications', ({ query }) => answerList(ALL, query));
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));
    // The page was past the end: the last page is shown instead.
    expect(await screen.findByText('Notification 5')).toBeInTheDocument();
  });

  it('marks a notification read and hides one from the list', async () => {
    let notifications = ALL.slice(0, 3);
    const api = pageApi();
    api.on('GET /api/notifications', ({ query }) => answerList(notifications, query));
    api.on('POST /api/notifications/{notification_id}/read', ({ params }) => {
      notifications = notifications.map((n) =>
        String(n.id) === params.notification_id ? { ...n, read: true } : n,
      );
      return ok({ ...ALL[0]!, read: true });
    });
    api.on('DELETE /api/notifications/{notification_id}', ({ params }) => {
      notifications = notifications.filter((n) => String(n.id) !== params.notification_id);
      return ok(null);
    });
    renderApp('/notifications');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Mark “Notification 45” as read' }));
    await waitFor(() => {
      expect(within(screen.getByTestId('notification-45')).queryByText('Unread')).not.toBeInTheDocument();
    });

    await user.click(screen.getByRole('button', { name: 'Hide “Notification 44”' }));
    await waitFor(() => {
      expect(titles()).toEqual(['Notification 45', 'Notification 43']);
    });
    expect(api.calls('DELETE /api/notifications/{notification_id}')[0]?.headers.get('X-CSRF-Token')).toBe(
      'csrf-page',
    );
  });
});
