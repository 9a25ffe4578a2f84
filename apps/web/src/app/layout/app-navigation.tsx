import { NavLink, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { useCurrentUser } from '../../features/auth/auth.queries';
import { APP_PAGES, navigationFor, type AppPage } from '../routes';

function isActive(pagePath: string, pathname: string): boolean {
  return pagePath === '/' ? pathname === '/' : pathname === pagePath || pathname.startsWith(`${pagePath}/`);
}

export interface AppNavigationProps {
  /** The page table; the application's own unless a test passes another. */
  pages?: readonly AppPage[];
  onNavigate?: () => void;
}

/** The navigation bar: the pages the signed-in user may open. */
export function AppNavigation({ pages = APP_PAGES, onNavigate }: AppNavigationProps) {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const { pathname } = useLocation();
  return (
    <Stack component="nav" gap={4} aria-label={t('nav.label')}>
      {navigationFor(pages, user?.permissions).map((page) => {
        const PageIcon = page.icon;
        return (
          <NavLink
            key={page.path}
            component={Link}
            to={page.path}
            label={t(`nav.${page.label}`)}
            leftSection={<PageIcon size={18} stroke={1.6} />}
            active={isActive(page.path, pathname)}
            onClick={onNavigate}
            variant="light"
          />
        );
      })}
    </Stack>
  );
}
