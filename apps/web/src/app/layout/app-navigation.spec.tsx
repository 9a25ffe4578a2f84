import { screen, within } from '@testing-library/react';
import { IconServer, IconSettings, IconLayoutDashboard } from '@tabler/icons-react';
import { adminUser, makeSession, makeUser, viewerUser } from '../../../test/fixtures';
import { renderWithSession } from '../../../test/render-app';
import { APP_PAGES, navigationFor, type AppPage } from '../routes';
import { AppNavigation } from './app-navigation';

const noPage = () => Promise.resolve({ Component: () => null });

/** A page table as it will look once more features exist. */
const PAGES: AppPage[] = [
  {
    path: '/',
    label: 'dashboard',
    icon: IconLayoutDashboard,
    permission: null,
    inNavigation: true,
    load: noPage,
  },
  {
    path: '/servers',
    label: 'servers',
    icon: IconServer,
    permission: 'view_all',
    inNavigation: true,
    load: noPage,
  },
  {
    path: '/admin',
    label: 'administration',
    icon: IconSettings,
    permission: 'admin_access',
    inNavigation: true,
    load: noPage,
  },
  { path: '/hidden', label: 'tasks', icon: IconServer, permission: null, inNavigation: false, load: noPage },
];

function linkNames(): string[] {
  const nav = screen.getByRole('navigation', { name: 'Main navigation' });
  return within(nav)
    .getAllByRole('link')
    .map((link) => link.textContent);
}

describe('navigation', () => {
  it('lists only the pages a permission set may open, in table order', () => {
    expect(navigationFor(PAGES, []).map((p) => p.path)).toEqual(['/']);
    expect(navigationFor(PAGES, ['view_all']).map((p) => p.path)).toEqual(['/', '/servers']);
    expect(navigationFor(PAGES, ['admin_access', 'view_all']).map((p) => p.path)).toEqual([
      '/',
      '/servers',
      '/admin',
    ]);
  });

  it('hides the entries a viewer lacks the permission for', () => {
    renderWithSession(<AppNavigation pages={PAGES} />, makeSession(viewerUser));
    expect(linkNames()).toEqual(['Dashboard', 'Servers']);
  });

  it('shows every entry to an administrator', () => {
    renderWithSession(<AppNavigation pages={PAGES} />, makeSession(adminUser));
    expect(linkNames()).toEqual(['Dashboard', 'Servers', 'Administration']);
  });

  it('shows only the dashboard to a user without permissions', () => {
    renderWithSession(<AppNavigation pages={PAGES} />, makeSession(makeUser({ permissions: [] })));
    expect(linkNames()).toEqual(['Dashboard']);
  });

  it("lists the application's existing pages, each to those holding its permission", () => {
    renderWithSession(<AppNavigation />, makeSession(makeUser({ permissions: [] })));
    expect(linkNames()).toEqual(['Dashboard', 'Tasks', 'Notifications', 'API tokens', 'Profile']);
    expect(APP_PAGES.map((page) => page.path)).toEqual([
      '/',
      '/servers',
      '/servers/new',
      '/servers/:name',
      '/tasks',
      '/tasks/:taskId',
      '/firewall',
      '/firewall/ipsets',
      '/firewall/aliases',
      '/firewall/groups/:name',
      '/backups',
      '/backups/schedules',
      '/monitoring',
      '/roles',
      '/monitoring/settings',
      '/notifications',
      '/datastores',
      '/ip-pools',
      '/cleanup',
      '/admin/users',
      '/admin/iam',
      '/admin/audit',
      '/tokens',
      '/profile',
    ]);
  });

  it('offers servers and datastores to viewers, and IP pools and administration only to administrators', () => {
    const { unmount } = renderWithSession(<AppNavigation />, makeSession(viewerUser));
    expect(linkNames()).toEqual([
      'Dashboard',
      'Servers',
      'Tasks',
      'Firewall',
      'Backups',
      'Monitoring',
      'Roles',
      'Notifications',
      'Datastores',
      'Cleanup',
      'API tokens',
      'Profile',
    ]);
    unmount();
    renderWithSession(<AppNavigation />, makeSession(adminUser));
    expect(linkNames()).toEqual([
      'Dashboard',
      'Servers',
      'Tasks',
      'Firewall',
      'Backups',
      'Monitoring',
      'Roles',
      'Notifications',
      'Datastores',
      'IP pools',
      'Cleanup',
      'Users',
      'Permissions',
      'Audit log',
      'API tokens',
      'Profile',
    ]);
  });
});
