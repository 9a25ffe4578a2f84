import { screen, within } from '@testing-library/react';
import { fail, mockApi, ok } from '../../../test/api-mock';
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
            postgres: { status: 'ok', latency_ms: 3.2 },
            redis: { status: 'down', message: 'connection refused' },
            proxmox: { status: 'not_configured' },
          },
        }),
    });
    renderApp('/');

    expect(await screen.findByRole('heading', { name: 'Welcome, Park Admin' })).toBeInTheDocument();
    expect(screen.getByText('You are signed in as admin with the role Administrator.')).toBeInTheDocument();
    expect(within(await screen.findByTestId('check-postgres')).getByText('Healthy')).toBeInTheDocument();
    expect(within(screen.getByTestId('check-postgres')).getByText('3 ms')).toBeInTheDocument();
    expect(within(screen.getByTestId('check-redis')).getByText('Down')).toBeInTheDocument();
    expect(within(screen.getByTestId('check-redis')).getByText('connection refused')).toBeInTheDocument();
    expect(within(screen.getByTestId('check-proxmox')).getByText('Not configured')).toBeInTheDocument();
    expect(screen.getByTestId('overall-status')).toHaveTextContent('Degraded');
  });

  it('says so when the status cannot be loaded', async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/health/ready': () => fail(404, 'NOT_FOUND', 'No such route'),
    });
    renderApp('/');

    expect(await screen.findByText(/The status could not be loaded\./)).toBeInTheDocument();
  });
});
