/** Where to send a user who must sign in, and where to go back to afterwards. */
export interface LocationLike {
  pathname: string;
  search?: string;
  hash?: string;
}

export const LOGIN_PATH = '/login';

/** `/login?next=<where the user was>`; plain `/login` when they were on the start page or the login page. */
export function loginPath(from?: LocationLike | null): string {
  if (!from) return LOGIN_PATH;
  const target = `${from.pathname}${from.search ?? ''}${from.hash ?? ''}`;
  if (target === '/' || from.pathname === LOGIN_PATH || !isSafeNext(target)) return LOGIN_PATH;
  return `${LOGIN_PATH}?${new URLSearchParams({ next: target }).toString()}`;
}

/** Only paths of this application: no other origins (`//host`, `https:`), no backslash tricks, not /login. */
export function isSafeNext(next: string): boolean {
  return (
    next.startsWith('/') &&
    !next.startsWith('//') &&
    !next.includes('\\') &&
    !/\p{Cc}/u.test(next) &&
    next !== LOGIN_PATH &&
    !next.startsWith(`${LOGIN_PATH}?`)
  );
}

/** The `next` parameter of the login page, if it is safe to follow; else the start page. */
export function nextFromSearch(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next !== null && isSafeNext(next) ? next : '/';
}
