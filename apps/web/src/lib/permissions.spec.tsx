import { screen } from '@testing-library/react';
import { adminUser, makeSession, viewerUser } from '../../test/fixtures';
import { renderWithSession } from '../../test/render-app';
import { Can, hasPermission, usePermission } from './permissions';

function AdminFlag() {
  return <span>{usePermission('admin_access') ? 'is admin' : 'not admin'}</span>;
}

describe('<Can>', () => {
  it('hides its content from a user without the permission', () => {
    renderWithSession(
      <Can permission="admin_access">
        <button type="button">Delete user</button>
      </Can>,
      makeSession(viewerUser),
    );
    expect(screen.queryByRole('button', { name: 'Delete user' })).not.toBeInTheDocument();
  });

  it('shows its content to a user holding the permission', () => {
    renderWithSession(
      <Can permission="admin_access">
        <button type="button">Delete user</button>
      </Can>,
      makeSession(adminUser),
    );
    expect(screen.getByRole('button', { name: 'Delete user' })).toBeInTheDocument();
  });

  it('renders the fallback instead when the permission is missing', () => {
    renderWithSession(
      <Can permission="manage_servers" fallback={<span>read only</span>}>
        <button type="button">Stop server</button>
      </Can>,
      makeSession(viewerUser),
    );
    expect(screen.getByText('read only')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Stop server' })).not.toBeInTheDocument();
  });

  it('grants nothing when nobody is signed in', () => {
    renderWithSession(<AdminFlag />, null);
    expect(screen.getByText('not admin')).toBeInTheDocument();
  });
});

describe('hasPermission', () => {
  it('needs the exact permission, and nothing for pages without one', () => {
    expect(hasPermission(['view_all'], 'view_all')).toBe(true);
    expect(hasPermission(['view_all'], 'manage_servers')).toBe(false);
    expect(hasPermission(undefined, 'view_all')).toBe(false);
    expect(hasPermission(undefined, null)).toBe(true);
  });
});
