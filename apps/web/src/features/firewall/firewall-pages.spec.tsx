import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok } from '../../../test/api-mock';
import { adminUser, makeServer, makeSession, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { Group } from './firewall.queries';

const WEB: Group = {
  name: 'web',
  comment: 'web tier',
  digest: 'abc123',
  rules: [
    { pos: 0, type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '443', enable: true },
    { pos: 1, type: 'in', action: 'DROP', source: '10.0.0.0/8', enable: false, comment: 'no lan' },
  ],
  servers: ['web-01'],
};

function firewallApi(user = adminUser) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(user, 'csrf-fw')),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/firewall/groups': () =>
      ok([{ name: 'web', comment: 'web tier', rules_count: 2, servers: ['web-01'] }]),
    'GET /api/firewall/groups/{group_name}': ({ params }) =>
      params.group_name === 'web' ? ok(WEB) : fail(404, 'NOT_FOUND', 'Security group not found'),
    'POST /api/firewall/groups/{group_name}/rules': () => ok({ digest: 'def456', rules: WEB.rules }),
  });
}

describe('firewall pages', () => {
  it('lists the groups with their rule counts and servers', async () => {
    firewallApi();
    renderApp('/firewall');
    const table = await screen.findByRole('table', { name: 'Security groups' });
    const row = within(table).getByRole('rowheader', { name: 'web' }).closest('tr');
    expect(row).toHaveTextContent('web tier');
    expect(row).toHaveTextContent('2');
    expect(row).toHaveTextContent('web-01');
  });

  it("shows a group's rules in order, and moves one down with Proxmox's moveto and the digest", async () => {
    const api = firewallApi();
    renderApp('/firewall/groups/web');
    expect(await screen.findByTestId('rule-0')).toHaveTextContent('tcp/443');
    expect(screen.getByTestId('rule-1')).toHaveTextContent('from 10.0.0.0/8');
    expect(screen.getByRole('link', { name: 'web-01' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Move rule 0 down' }));
    await waitFor(() => {
      expect(api.calls('POST /api/firewall/groups/{group_name}/rules').map((c) => c.body)).toEqual([
        { pos: 0, moveto: 2, digest: 'abc123' },
      ]);
    });
  });

  it("puts the server's validation messages on the rule form's fields", async () => {
    const api = mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser, 'csrf-fw')),
      'GET /api/notifications/unread-count': () => ok({ count: 0 }),
      'GET /api/firewall/groups/{group_name}': () => ok(WEB),
      'POST /api/firewall/groups/{group_name}/rules': () =>
        fail(400, 'VALIDATION_FAILED', 'Invalid input: dport', {
          fields: {
            dport: "invalid port '99999'",
            proto: "missing property - 'dport' requires this property",
          },
        }),
    });
    renderApp('/firewall/groups/web');
    await userEvent.click(await screen.findByRole('button', { name: 'Add a rule' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Destination ports'), '99999');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save rule' }));
    expect(await within(dialog).findByText("invalid port '99999'")).toBeInTheDocument();
    expect(within(dialog).getByText("missing property - 'dport' requires this property")).toBeInTheDocument();
    expect(api.calls('POST /api/firewall/groups/{group_name}/rules')[0]?.body).toMatchObject({
      type: 'in',
      action: 'ACCEPT',
      dport: '99999',
      enable: true,
      digest: 'abc123',
    });
  });

  it('asks before deleting a group, naming it and the servers it is removed from', async () => {
    firewallApi();
    renderApp('/firewall/groups/web');
    await userEvent.click(await screen.findByRole('button', { name: 'Delete group' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Delete the security group web?');
    expect(dialog).toHaveTextContent('web-01');
    expect(within(dialog).getByRole('button', { name: 'Delete web' })).toBeInTheDocument();
  });

  it('offers viewers no changes', async () => {
    firewallApi(viewerUser);
    renderApp('/firewall/groups/web');
    expect(await screen.findByTestId('rule-0')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add a rule' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Move rule 0 down' })).not.toBeInTheDocument();
  });

  it('says when the group does not exist', async () => {
    firewallApi();
    renderApp('/firewall/groups/gone');
    expect(await screen.findByRole('alert')).toHaveTextContent('There is no security group gone in Proxmox.');
  });
});

describe("a server's security group", () => {
  const SERVER = makeServer({ name: 'web-01', firewall_group: 'web' });

  function serverApi() {
    return mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser, 'csrf-fw')),
      'GET /api/notifications/unread-count': () => ok({ count: 0 }),
      'GET /api/servers/{name}': () => ok(SERVER),
      'GET /api/server_status/{name}': () => fail(503, 'DEPENDENCY_UNAVAILABLE', 'Proxmox is unreachable'),
      'GET /api/firewall/groups': () =>
        ok([{ name: 'web', comment: null, rules_count: 2, servers: ['web-01'] }]),
      'GET /api/firewall/servers/{server_name}': ({ params }) =>
        ok({ server_name: params.server_name, firewall_group: 'web', drift: 'group_missing' }),
      'POST /api/firewall/reapply/{server_name}': ({ params }) =>
        ok({ server_name: params.server_name, firewall_group: 'web', drift: null }),
      'POST /api/remove_firewall_group/{server_name}': ({ params }) =>
        ok({ server_name: params.server_name, firewall_group: null, drift: null }),
    });
  }

  it('shows the drift the sync found and re-applies the group', async () => {
    const api = serverApi();
    renderApp('/servers/web-01');
    const card = await screen.findByTestId('server-firewall');
    expect(
      await within(card).findByText('Drift: the group rule is gone from the VM firewall in Proxmox'),
    ).toBeInTheDocument();
    await userEvent.click(within(card).getByRole('button', { name: 'Re-apply' }));
    await waitFor(() => {
      expect(api.calls('POST /api/firewall/reapply/{server_name}').map((c) => c.params)).toEqual([
        { server_name: 'web-01' },
      ]);
    });
  });

  it('asks before removing the group, naming it and the server', async () => {
    const api = serverApi();
    renderApp('/servers/web-01');
    const card = await screen.findByTestId('server-firewall');
    await userEvent.click(await within(card).findByRole('button', { name: 'Remove' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Remove web from web-01?');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove web' }));
    await waitFor(() => {
      expect(api.calls('POST /api/remove_firewall_group/{server_name}')).toHaveLength(1);
    });
  });
});
