import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok } from '../../test/api-mock';
import { makeProfile, makeSession, viewerUser } from '../../test/fixtures';
import { renderApp } from '../../test/render-app';
import type { Readiness } from '../features/dashboard/dashboard.queries';
import { api, setUnauthorizedHandler } from './api';
import { isSafeNext, loginPath, nextFromSearch } from './navigation';
import { queryKeys } from './query-keys';

const READY: Readiness = {
  status: 'ready',
  checks: {
    postgres: { status: 'up', latency_ms: 1 },
    redis: { status: 'up', latency_ms: 1 },
    proxmox: { status: 'up', latency_ms: 1 },
  },
};
const unauthenticated = () => fail(401, 'UNAUTHENTICATED', 'Authentication required');

describe('login redirect paths', () => {
  it('remembers where the user was, path, query and hash', () => {
    expect(loginPath({ pathname: '/profile' })).toBe('/login?next=%2Fprofile');
    expect(loginPath({ pathname: '/servers', search: '?q=web', hash: '#top' })).toBe(
      '/login?next=%2Fservers%3Fq%3Dweb%23top',
    );
  });

  it('needs no next for the start page or the login page itself', () => {
    expect(loginPath({ pathname: '/' })).toBe('/login');
    expect(loginPath({ pathname: '/login', search: '?next=%2Fprofile' })).toBe('/login');
    expect(loginPath(null)).toBe('/login');
  });

  it('follows only paths inside the application', () => {
    expect(nextFromSearch('?next=%2Fprofile%3Ftab%3Dsessions')).toBe('/profile?tab=sessions');
    expect(nextFromSearch('?next=%2F%2Fevil.example')).toBe('/');
    expect(nextFromSearch('?next=https%3A%2F%2Fevil.example')).toBe('/');
    expect(nextFromSearch('?next=%2F%5Cevil.example')).toBe('/');
    expect(nextFromSearch('')).toBe('/');
    expect(isSafeNext('/login')).toBe(false);
  });
});

describe('session expiry', () => {
  it('sends a signed-out visitor of a page to /login?next=<that page>', async () => {
    mockApi({ 'GET /api/session/check': unauthenticated });
    const app = renderApp('/profile');

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(app.location()).toBe('/login?next=%2Fprofile');
  });

  it('on a 401 from a query goes to /login?next=, then back there after signing in', async () => {
    const mock = mockApi({
      'GET /api/session/check': () => ok(makeSession(viewerUser)),
      'GET /api/health/ready': () => ok(READY),
      'GET /api/profile': unauthenticated,
    });
    const app = renderApp('/profile');

    expect(await screen.findByText('Your session has ended. Sign in again to continue.')).toBeInTheDocument();
    expect(app.location()).toBe('/login?next=%2Fprofile');

    mock.on('GET /api/profile', () => ok(makeProfile(viewerUser)));
    mock.on('POST /login', () =>
      ok({ user: viewerUser, csrf_token: 'new-token', expires_at: makeSession().expires_at }),
    );
    const user = userEvent.setup();
    await user.type(screen.getByRole('textbox', { name: /username/i }), 'kim');
    await user.type(screen.getByLabelText(/^password/i), 'correct-horse-battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('Firefox')).toBeInTheDocument();
    expect(app.location()).toBe('/profile');
  });

  it('when a fresh session check finds the session gone, goes to /login?next= and says why', async () => {
    const mock = mockApi({
      'GET /api/session/check': () => ok(makeSession(viewerUser)),
      'GET /api/health/ready': () => ok(READY),
      'GET /api/profile': () => ok(makeProfile(viewerUser)),
    });
    const app = renderApp('/profile');
    expect(await screen.findByText('Firefox')).toBeInTheDocument();

    mock.on('GET /api/session/check', () =>
      fail(401, 'UNAUTHENTICATED', 'Not logged in', { authenticated: false }),
    );
    await act(() => app.queryClient.invalidateQueries({ queryKey: queryKeys.session.all }));

    expect(await screen.findByText('Your session has ended. Sign in again to continue.')).toBeInTheDocument();
    expect(app.location()).toBe('/login?next=%2Fprofile');
  });

  it('after an explicit logout goes to /login without next', async () => {
    const mock = mockApi({
      'GET /api/session/check': () => ok(makeSession(viewerUser, 'csrf-xyz')),
      'GET /api/health/ready': () => ok(READY),
      'GET /api/profile': () => ok(makeProfile(viewerUser)),
      'POST /logout': () => ok({}),
    });
    const app = renderApp('/profile');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Account' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Sign out' }));

    expect(await screen.findByText('You have signed out.')).toBeInTheDocument();
    expect(app.location()).toBe('/login');
    expect(mock.calls('POST /logout')[0]?.headers.get('X-CSRF-Token')).toBe('csrf-xyz');
  });
});

describe('the API client', () => {
  afterEach(() => {
    setUnauthorizedHandler(() => undefined)();
  });

  it('reports a 401 from an ordinary endpoint as an ended session', async () => {
    mockApi({ 'GET /api/profile': unauthenticated });
    const onUnauthorized = jest.fn();
    setUnauthorizedHandler(onUnauthorized);

    await api.GET('/api/profile');

    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('treats a 401 from the login and session-check endpoints as an answer, not an expiry', async () => {
    mockApi({
      'POST /login': () => fail(401, 'INVALID_CREDENTIALS', 'Invalid username or password'),
      'GET /api/session/check': unauthenticated,
    });
    const onUnauthorized = jest.fn();
    setUnauthorizedHandler(onUnauthorized);

    await api.POST('/login', { body: { username: 'kim', password: 'nope' } });
    await api.GET('/api/session/check');

    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});
