import { createApiClient, type ApiClient } from '@proxdeck/api-client';

export interface SessionClient {
  api: ApiClient;
  login(username: string, password: string): Promise<void>;
  /** The session cookie (`name=value`), for requests made outside the client (streams). */
  cookie(): string;
}

/** The generated client with a cookie jar of one session, as a browser would hold it. */
export function sessionClient(baseUrl: string): SessionClient {
  let cookie: string | null = null;
  let csrf: string | null = null;
  const fetchWithCookies: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (cookie) request.headers.set('cookie', cookie);
    const response = await fetch(request);
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0] ?? null;
    return response;
  };
  const api = createApiClient({ baseUrl, fetch: fetchWithCookies, csrfToken: () => csrf });
  return {
    api,
    cookie: () => cookie ?? '',
    async login(username, password) {
      const { data, error } = await api.POST('/login', { body: { username, password } });
      if (!data) throw new Error(`login failed: ${JSON.stringify(error)}`);
      csrf = data.data.csrf_token;
    },
  };
}
