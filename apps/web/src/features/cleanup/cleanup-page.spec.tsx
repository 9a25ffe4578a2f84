import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { accepted, mockApi, ok } from '../../../test/api-mock';
import { adminUser, makeSession, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { CleanupCandidate } from './cleanup.queries';

const candidates: CleanupCandidate[] = [
  {
    server_name: 'web-03',
    kind: 'failed',
    vmid: 10_003,
    node: 'pve2',
    error: 'clone failed: storage full',
    since: '2026-11-30T10:00:00.000Z',
  },
  { server_name: 'orphan-1', kind: 'orphan_vm', vmid: 10_050, node: 'pve1', error: null, since: null },
];

describe('the cleanup page', () => {
  it('lists what can be cleaned, and cleans the selected servers after a confirmation naming them', async () => {
    const api = mockApi({
      'GET /api/session/check': () => ok(makeSession(adminUser)),
      'GET /api/cleanup/failed-servers': () => ok(candidates),
      'POST /api/cleanup/bulk-clean': () =>
        accepted(
          { task_id: '11111111-1111-4111-8111-111111111111', status: 'queued' },
          { message: 'queued' },
        ),
    });
    renderApp('/cleanup');
    const user = userEvent.setup();

    const row = within(await screen.findByTestId('candidate-web-03'));
    expect(row.getByText('Creation failed')).toBeInTheDocument();
    expect(row.getByText('clone failed: storage full')).toBeInTheDocument();
    expect(
      within(screen.getByTestId('candidate-orphan-1')).getByText('VM without a record'),
    ).toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: 'Select all' }));
    await user.click(screen.getByRole('button', { name: 'Clean up 2 servers' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText(/For web-03, orphan-1: their VMs in Proxmox are stopped and destroyed/),
    ).toBeInTheDocument();
    expect(api.calls('POST /api/cleanup/bulk-clean')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Destroy and clean up' }));

    await waitFor(() => {
      expect(api.calls('POST /api/cleanup/bulk-clean').map((call) => call.body)).toEqual([
        { server_names: ['web-03', 'orphan-1'] },
      ]);
    });
    expect(await screen.findByRole('link', { name: 'Follow the task' })).toHaveAttribute(
      'href',
      '/tasks/11111111-1111-4111-8111-111111111111',
    );
  });

  it('shows viewers the list without cleaning actions, and says when there is nothing to clean', async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(viewerUser)),
      'GET /api/cleanup/failed-servers': () => ok(candidates),
    });
    const { unmount } = renderApp('/cleanup');
    expect(await screen.findByTestId('candidate-web-03')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Clean up' })).not.toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
    unmount();
    mockApi({
      'GET /api/session/check': () => ok(makeSession(viewerUser)),
      'GET /api/cleanup/failed-servers': () => ok([]),
    });
    renderApp('/cleanup');
    expect(await screen.findByText('Nothing to clean up.')).toBeInTheDocument();
  });
});
