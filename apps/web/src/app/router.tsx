/**
 * The data router: the login page, and the signed-in layout holding one route per feature page (from the
 * page table in routes.ts), each loaded lazily and guarded by its permission.
 */
import type { ComponentType } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import type { Permission } from '@proxdeck/contracts';
import { createBrowserRouter, redirect, type LoaderFunctionArgs, type RouteObject } from 'react-router';
import { sessionQueryOptions, type SessionState } from '../features/auth/auth.queries';
import { loginPath } from '../lib/navigation';
import { usePermission } from '../lib/permissions';
import { AppLayout, FullPageLoader } from './layout/app-layout';
import { ForbiddenPage, NotFoundPage, RouteError } from './layout/route-error';
import { APP_PAGES } from './routes';

/** A page that needs a permission: users without it get the "no access" page instead. */
function guarded(permission: Permission, Page: ComponentType): ComponentType {
  function GuardedPage() {
    return usePermission(permission) ? <Page /> : <ForbiddenPage />;
  }
  GuardedPage.displayName = `Guarded(${permission})`;
  return GuardedPage;
}

export function createRoutes(queryClient: QueryClient): RouteObject[] {
  const requireSession = async ({ request }: LoaderFunctionArgs) => {
    // Uses the cached answer while fresh; a stale one (older than the staleTime) is asked again.
    const state: SessionState = await queryClient.query(sessionQueryOptions);
    return state.status === 'authenticated' ? null : redirect(loginPath(new URL(request.url)));
  };

  return [
    {
      id: 'root',
      HydrateFallback: FullPageLoader,
      ErrorBoundary: RouteError,
      children: [
        {
          path: '/login',
          loader: async () => {
            await queryClient.query({ ...sessionQueryOptions, staleTime: 'static' });
            return null;
          },
          lazy: () => import('../features/auth/login-page').then((m) => ({ Component: m.LoginPage })),
        },
        {
          id: 'app',
          loader: requireSession,
          Component: AppLayout,
          children: [
            ...APP_PAGES.map((page): RouteObject => ({
              path: page.path,
              ErrorBoundary: RouteError,
              lazy: async () => {
                const { Component } = await page.load();
                return { Component: page.permission ? guarded(page.permission, Component) : Component };
              },
            })),
            { path: '*', Component: NotFoundPage },
          ],
        },
      ],
    },
  ];
}

export function createAppRouter(queryClient: QueryClient) {
  return createBrowserRouter(createRoutes(queryClient));
}
