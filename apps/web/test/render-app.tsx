/** Renders the whole SPA (providers, routes, layout) on a memory router for unit tests. */
import type { ReactNode } from 'react';
import { render, type RenderResult } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import type { QueryClient } from '@tanstack/react-query';
import { AppProviders } from '../src/app/providers';
import { createQueryClient } from '../src/app/query-client';
import { createRoutes } from '../src/app/router';
import { installSessionExpiry, sessionQueryOptions, type Session } from '../src/features/auth/auth.queries';
import { setCsrfToken } from '../src/lib/api';
import { initI18n } from '../src/lib/i18n';
import { installLiveEvents } from '../src/lib/sse';

let uninstall: (() => void)[] = [];

afterEach(() => {
  for (const undo of uninstall) undo();
  uninstall = [];
  setCsrfToken(null);
});

export function testQueryClient(): QueryClient {
  initI18n('en');
  return createQueryClient();
}

export function renderApp(path: string) {
  const queryClient = testQueryClient();
  // As main.tsx does. The stream opens only where a test installed a fake EventSource (jsdom has none).
  uninstall = [installSessionExpiry(queryClient), installLiveEvents(queryClient)];
  const router = createMemoryRouter(createRoutes(queryClient), { initialEntries: [path] });
  const view = render(
    <AppProviders queryClient={queryClient} env="test">
      <RouterProvider router={router} />
    </AppProviders>,
  );
  const location = () => `${router.state.location.pathname}${router.state.location.search}`;
  return { ...view, router, queryClient, location };
}

/**
 * Renders a component inside the providers and a router, with `session` already known (no fetch),
 * for tests of one component.
 */
export function renderWithSession(ui: ReactNode, session: Session | null): RenderResult {
  const queryClient = testQueryClient();
  queryClient.setQueryData(
    sessionQueryOptions.queryKey,
    session ? { status: 'authenticated', session } : { status: 'anonymous' },
  );
  const router = createMemoryRouter([{ path: '*', element: ui }], { initialEntries: ['/'] });
  return render(
    <AppProviders queryClient={queryClient} env="test">
      <RouterProvider router={router} />
    </AppProviders>,
  );
}
