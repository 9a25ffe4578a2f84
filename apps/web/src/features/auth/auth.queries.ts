/**
 * Session state and the auth calls (docs/api.md §2). The session query is the SPA's single source of "who is
 * signed in"; every other query relies on it for the CSRF token and the redirect to /login on expiry.
 */
import { queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, setCsrfToken, setUnauthorizedHandler, toApiError, unwrap, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type User = Schemas['UserDto'];
/** A cookie session: the user, the CSRF token for writes, and when the session ends if left idle. */
export type Session = Schemas['LoginResultDto'];
export type LoginInput = Schemas['LoginDto'];

/**
 * Signed in, or not: `anonymous` when the server knows no session, `expired` when a request found the
 * session gone (after signing in the user goes back to where they were), `signed-out` after a logout.
 */
export type SessionState =
  { status: 'authenticated'; session: Session } | { status: 'anonymous' | 'expired' | 'signed-out' };

/** Asks the API who is signed in; a session that was known and is now gone counts as expired. */
export async function fetchSession({ client }: { client: QueryClient }): Promise<SessionState> {
  const { data, error, response } = await api.GET('/api/session/check');
  if (response.status === 401) {
    setCsrfToken(null);
    const previous = client.getQueryData<SessionState>(queryKeys.session.all);
    return { status: previous?.status === 'authenticated' ? 'expired' : 'anonymous' };
  }
  if (data === undefined) throw toApiError(error, response);
  const { authenticated, user, csrf_token = '', expires_at = '' } = data.data;
  if (!authenticated || !user) {
    setCsrfToken(null);
    return { status: 'anonymous' };
  }
  setCsrfToken(csrf_token || null);
  return { status: 'authenticated', session: { user, csrf_token, expires_at } };
}

export const sessionQueryOptions = queryOptions({
  queryKey: queryKeys.session.all,
  queryFn: fetchSession,
  staleTime: 60_000,
  retry: false,
});

/** Drops every cached answer but the session's own: they were made with a session that is gone. */
function forgetSessionData(queryClient: QueryClient): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.session.all[0] });
}

/** The session is gone (a 401 from some request): forget it and every cached answer made with it. */
export function markSessionExpired(queryClient: QueryClient): void {
  setCsrfToken(null);
  queryClient.setQueryData(sessionQueryOptions.queryKey, { status: 'expired' });
  forgetSessionData(queryClient);
}

export function useSessionState(): SessionState | undefined {
  return useQuery(sessionQueryOptions).data;
}

/** The signed-in user, or null while signed out. */
export function useCurrentUser(): User | null {
  const state = useSessionState();
  return state?.status === 'authenticated' ? state.session.user : null;
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: LoginInput) => unwrap(api.POST('/login', { body: input })),
    onSuccess: (session: Session) => {
      setCsrfToken(session.csrf_token);
      const signedIn: SessionState = { status: 'authenticated', session };
      queryClient.setQueryData(sessionQueryOptions.queryKey, signedIn);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/logout')),
    onSettled: () => {
      // Whether or not the server still knew the session, this browser is signed out now.
      setCsrfToken(null);
      forgetSessionData(queryClient);
      queryClient.setQueryData(sessionQueryOptions.queryKey, { status: 'signed-out' });
    },
  });
}

/** From now on, a 401 from any request marks the session expired (the layout then goes to /login). */
export function installSessionExpiry(queryClient: QueryClient): () => void {
  return setUnauthorizedHandler(() => {
    markSessionExpired(queryClient);
  });
}
