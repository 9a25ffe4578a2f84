import { createApiClient, isApiErrorBody } from './index';

function recordingFetch(status = 200) {
  const requests: Request[] = [];
  const fetchImpl = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    requests.push(new Request(input, init));
    return Promise.resolve(
      new Response(JSON.stringify({ success: status < 400, data: null }), {
        status,
        headers: { 'content-type': 'application/json' },
      }),
    );
  };
  return { requests, fetchImpl: fetchImpl };
}

describe('createApiClient', () => {
  it('sends the CSRF token on writes only', async () => {
    const { requests, fetchImpl } = recordingFetch();
    const client = createApiClient({
      baseUrl: 'http://api.test',
      fetch: fetchImpl,
      csrfToken: () => 'tok-1',
    });
    await client.GET('/api/current-user');
    await client.POST('/api/session/refresh');
    expect(requests[0]?.headers.get('x-csrf-token')).toBeNull();
    expect(requests[1]?.headers.get('x-csrf-token')).toBe('tok-1');
    expect(requests[1]?.url).toBe('http://api.test/api/session/refresh');
  });

  it('sends a bearer token when given one', async () => {
    const { requests, fetchImpl } = recordingFetch();
    const client = createApiClient({ baseUrl: 'http://api.test', fetch: fetchImpl, bearerToken: 'pdk_abc' });
    await client.GET('/api/tasks/config');
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer pdk_abc');
  });

  it('reports every 401 to onUnauthorized', async () => {
    const { fetchImpl } = recordingFetch(401);
    const seen: number[] = [];
    const client = createApiClient({
      baseUrl: 'http://api.test',
      fetch: fetchImpl,
      onUnauthorized: (response) => seen.push(response.status),
    });
    await client.GET('/api/profile');
    expect(seen).toEqual([401]);
  });

  it('recognises the error envelope', () => {
    expect(isApiErrorBody({ success: false, error: 'x', code: 'NOT_FOUND' })).toBe(true);
    expect(isApiErrorBody({ success: true, data: 1 })).toBe(false);
  });
});
