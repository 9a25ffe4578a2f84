import { Anchor, AppShell, Burger, Center, Group, Loader, Text, ThemeIcon } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconServer2 } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { useSessionState } from '../../features/auth/auth.queries';
import { LiveIndicator } from '../../features/notifications/live-indicator';
import { NotificationBell } from '../../features/notifications/notification-bell';
import { NotificationToasts } from '../../features/notifications/notification-toasts';
import { LOGIN_PATH, loginPath } from '../../lib/navigation';
import { AppNavigation } from './app-navigation';
import { ColorSchemeToggle } from './color-scheme-toggle';
import { LanguageSwitcher } from './language-switcher';
import { UserMenu } from './user-menu';

export function FullPageLoader() {
  return (
    <Center h="100vh">
      <Loader />
    </Center>
  );
}

/**
 * The signed-in application: header (live indicator, notifications, settings, account), navigation, page, and
 * toasts for notifications arriving live. When the session ends (logout, or a 401 from any request) it sends
 * the user to the login page, remembering where they were unless they signed out.
 */
export function AppLayout() {
  const { t } = useTranslation();
  const state = useSessionState();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);

  if (state === undefined) return <FullPageLoader />;
  if (state.status === 'signed-out') return <Navigate to={LOGIN_PATH} replace />;
  if (state.status !== 'authenticated') return <Navigate to={loginPath(location)} replace />;
  const { user } = state.session;

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
            <Anchor component={Link} to="/" underline="never" c="inherit" aria-label={t('app.name')}>
              <Group gap={8} wrap="nowrap">
                <ThemeIcon size="md" radius="md" variant="filled">
                  <IconServer2 size={16} />
                </ThemeIcon>
                {/* On a phone the header needs the room for its controls: the logo alone stands for the name. */}
                <Text fw={700} size="lg" visibleFrom="xs">
                  {t('app.name')}
                </Text>
              </Group>
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LiveIndicator />
            <NotificationBell />
            <ColorSchemeToggle />
            <LanguageSwitcher />
            <UserMenu user={user} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <AppNavigation onNavigate={close} />
      </AppShell.Navbar>
      <AppShell.Main bg="var(--mantine-color-body)">
        <Outlet />
      </AppShell.Main>
      <NotificationToasts />
    </AppShell>
  );
}
