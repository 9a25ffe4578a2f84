import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { makeProfile, makeSession, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';

function signedOutApi() {
  return mockApi({
    'GET /api/session/check': () => fail(401, 'UNAUTHENTICATED', 'Not logged in', { authenticated: false }),
    'GET /api/health/ready': () =>
      ok({
        status: 'ready',
        checks: {
          postgres: { status: 'up', latency_ms: 1 },
          redis: { status: 'up', latency_ms: 1 },
          proxmox: { status: 'up', latency_ms: 1 },
        },
      }),
    'GET /api/profile': () => ok(makeProfile()),
  });
}

async function signIn(username: string, password: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByRole('textbox', { name: /username/i }), username);
  await user.type(screen.getByLabelText(/^password/i), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('login page', () => {
  it('submits the credentials and shows the message for bad credentials', async () => {
    const api = signedOutApi();
    api.on('POST /login', () => fail(401, 'INVALID_CREDENTIALS', 'Invalid username or password'));
    const app = renderApp('/login');

    await signIn('kim', 'wrong-password');

    expect(await screen.findByRole('alert')).toHaveTextContent('The username or password is incorrect.');
    expect(api.calls('POST /login').map((call) => call.body)).toEqual([
      { username: 'kim', password: 'wrong-password' },
    ]);
    expect(app.location()).toBe('/login');
  });

  it("shows the server's own message for other failures", async () => {
    const api = signedOutApi();
    api.on('POST /login', () => fail(503, 'DEPENDENCY_UNAVAILABLE', 'The session store is unreachable'));
    renderApp('/login');

    await signIn('kim', 'whatever-password');

    expect(await screen.findByRole('alert')).toHaveTextContent('The session store is unreachable');
  });

  it('asks for both fields before sending anything', async () => {
    const api = signedOutApi();
    renderApp('/login');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Sign in' }));

    expect(screen.getByText('Enter your username')).toBeInTheDocument();
    expect(screen.getByText('Enter your password')).toBeInTheDocument();
    expect(api.calls('POST /login')).toHaveLength(0);
  });

  it('signs in and goes to the page in ?next=', async () => {
    const api = signedOutApi();
    api.on('POST /login', () =>
      ok({ user: viewerUser, csrf_token: 'fresh-token', expires_at: makeSession().expires_at }),
    );
    const app = renderApp('/login?next=%2Fprofile');

    await signIn('kim', 'correct-horse-battery');

    expect(await screen.findByRole('heading', { name: 'Profile', level: 1 })).toBeInTheDocument();
    expect(app.location()).toBe('/profile');
  });

  it('does not follow a ?next= that leaves the application', async () => {
    const api = signedOutApi();
    api.on('POST /login', () =>
      ok({ user: viewerUser, csrf_token: 'fresh-token', expires_at: makeSession().expires_at }),
    );
    const app = renderApp('/login?next=%2F%2Fevil.example%2F');

    await signIn('kim', 'correct-horse-battery');

    await waitFor(() => {
      expect(app.location()).toBe('/');
    });
    expect(await screen.findByRole('heading', { name: 'Welcome, Kim Minji' })).toBeInTheDocument();
  });
});
