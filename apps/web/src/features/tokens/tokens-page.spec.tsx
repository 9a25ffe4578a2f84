import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { adminUser, makeSession, makeUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { ApiToken } from './tokens.queries';

const me = makeUser({ role: 'operator', permissions: ['view_all', 'manage_servers'] });

const token = (overrides: Partial<ApiToken> = {}): ApiToken => ({
  id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  name: 'ci-pipeline',
  username: me.username,
  permissions: null,
  expires_at: null,
  last_used_at: '2026-11-30T09:00:00.000Z',
  last_used_ip: '203.0.113.7',
  created_at: '2026-11-29T09:00:00.000Z',
  expired: false,
  ...overrides,
});

function tokensApi(tokens: ApiToken[]) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(me, 'csrf-me')),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/tokens': () => ok(tokens),
  });
}

describe('my API tokens', () => {
  it('lists tokens with their last use, or says there are none', async () => {
    tokensApi([
      token(),
      token({ id: 'b', name: 'backup', permissions: ['view_all'], last_used_at: null, last_used_ip: null }),
    ]);
    renderApp('/tokens');
    await screen.findByRole('table', { name: 'API tokens' });
    expect(screen.getByText('All of mine')).toBeInTheDocument();
    expect(screen.getByText(/from 203\.0\.113\.7/)).toBeInTheDocument();
  });

  it('shows an empty state', async () => {
    tokensApi([]);
    renderApp('/tokens');
    expect(await screen.findByText('You have no API tokens.')).toBeInTheDocument();
  });

  it('creates a token and shows its secret once, with a copy button; server messages land on fields', async () => {
    const api = tokensApi([]);
    let tries = 0;
    api.on('POST /api/tokens', ({ reply }) => {
      tries += 1;
      return tries === 1
        ? fail(400, 'VALIDATION_FAILED', 'Invalid input: name', { fields: { name: 'must not be empty' } })
        : reply(201, {
            success: true,
            data: { ...token({ permissions: ['view_all'] }), secret: 'pdk_the-secret-shown-once' },
            message: 'created',
          });
    });
    const user = userEvent.setup();
    renderApp('/tokens');
    await user.click(await screen.findByRole('button', { name: 'Create token' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create an API token' });
    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), ' ');
    await user.click(within(dialog).getByRole('button', { name: 'Create token' }));
    expect(await within(dialog).findByText('must not be empty')).toBeInTheDocument();

    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), 'ci-pipeline');
    await user.click(within(dialog).getByRole('textbox', { name: /Permissions/ }));
    await user.click(await screen.findByRole('option', { name: 'View everything' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create token' }));

    const secret = await screen.findByRole('dialog', { name: 'Token ci-pipeline created' });
    expect(within(secret).getByTestId('token-secret')).toHaveTextContent('pdk_the-secret-shown-once');
    expect(within(secret).getByRole('button', { name: 'Copy' })).toBeInTheDocument();
    expect(api.calls('POST /api/tokens').at(-1)?.body).toEqual({
      name: 'ci-pipeline',
      permissions: ['view_all'],
    });
    await user.click(within(secret).getByRole('button', { name: 'I copied it' }));
    await waitFor(() => {
      expect(screen.queryByText('pdk_the-secret-shown-once')).toBeNull();
    });
  });

  it('revokes a token after a confirmation naming it', async () => {
    const api = tokensApi([token()]);
    api.on('DELETE /api/tokens/{id}', () => ok(null));
    const user = userEvent.setup();
    renderApp('/tokens');
    await user.click(await screen.findByRole('button', { name: 'Revoke ci-pipeline' }));
    const confirm = await screen.findByRole('dialog', { name: 'Revoke ci-pipeline?' });
    expect(confirm).toHaveTextContent('Every script using ci-pipeline (of kim) is refused');
    await user.click(within(confirm).getByRole('button', { name: 'Revoke ci-pipeline' }));
    await waitFor(() => {
      expect(api.calls('DELETE /api/tokens/{id}').map((call) => call.params)).toEqual([{ id: token().id }]);
    });
  });

  it("offers administrators everyone's tokens with their owners; others only their own", async () => {
    const api = mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/notifications/unread-count': () => ok({ count: 0 }),
      'GET /api/tokens': ({ query }) =>
        ok(query.get('all') === 'true' ? [token({ username: 'lee', name: 'lee-script' })] : []),
    });
    const user = userEvent.setup();
    renderApp('/tokens');
    expect(await screen.findByText('You have no API tokens.')).toBeInTheDocument();
    await user.click(screen.getByText("Everyone's"));
    const table = await screen.findByRole('table', { name: 'API tokens' });
    expect(within(table).getByRole('columnheader', { name: 'Owner' })).toBeInTheDocument();
    expect(within(table).getByRole('row', { name: /lee-script lee/ })).toBeInTheDocument();
    expect(api.calls('GET /api/tokens').at(-1)?.query.get('all')).toBe('true');
  });

  it('shows no scope switch to users without admin_access', async () => {
    tokensApi([token()]);
    renderApp('/tokens');
    await screen.findByRole('table', { name: 'API tokens' });
    expect(screen.queryByText("Everyone's")).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Owner' })).toBeNull();
  });
});
