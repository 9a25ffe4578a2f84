import { createServer, type IncomingMessage, type Server } from 'node:http';
import { instantQuery, PrometheusQueryError, promString, rangeQuery } from './prometheus-client';

/** A stand-in for Prometheus's HTTP API that records what it was sent and answers as told. */
describe('the Prometheus client', () => {
  let server: Server;
  let url: string;
  let seen: { path: string; authorization: string | undefined; body: URLSearchParams }[] = [];
  let answer: { status: number; body: string } = { status: 200, body: '' };

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({
          path: request.url ?? '',
          authorization: request.headers.authorization,
          body: new URLSearchParams(body),
        });
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${String((server.address() as { port: number }).port)}/prom/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen = [];
  });

  it('posts the query under the URL’s path, with basic authentication or a bearer token', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: { instance: 'a:9100' }, value: [1700000000.5, '42.5'] }],
        },
      }),
    };
    const samples = await instantQuery(
      { url, username: 'prom', password: 'pw', timeoutMs: 1000 },
      'up',
      1700000000,
    );
    expect(samples).toEqual([{ metric: { instance: 'a:9100' }, value: [1700000000.5, 42.5] }]);
    expect(seen[0]?.path).toBe('/prom/api/v1/query');
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('prom:pw').toString('base64')}`);
    expect(Object.fromEntries(seen[0]?.body ?? [])).toEqual({ query: 'up', time: '1700000000' });

    answer = {
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: {},
              values: [
                [1, '1'],
                [2, 'NaN'],
              ],
            },
          ],
        },
      }),
    };
    const series = await rangeQuery({ url, bearerToken: 'tok', username: 'ignored', timeoutMs: 1000 }, 'up', {
      start: 1,
      end: 2,
      step: 1,
    });
    expect(series[0]?.values[0]).toEqual([1, 1]);
    expect(series[0]?.values[1]?.[1]).toBeNaN();
    expect(seen[1]?.path).toBe('/prom/api/v1/query_range');
    expect(seen[1]?.authorization).toBe('Bearer tok');
    expect(Object.fromEntries(seen[1]?.body ?? [])).toEqual({ query: 'up', start: '1', end: '2', step: '1' });
  });

  it('carries Prometheus’s errors, and refuses answers that are not its API’s', async () => {
    answer = {
      status: 422,
      body: JSON.stringify({
        status: 'error',
        errorType: 'execution',
        error: 'query timed out in expression evaluation',
      }),
    };
    const failed = await instantQuery({ url, timeoutMs: 1000 }, 'up').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PrometheusQueryError);
    expect(failed).toMatchObject({
      status: 422,
      errorType: 'execution',
      message: 'Prometheus answered 422 (execution): query timed out in expression evaluation',
    });
    answer = { status: 401, body: 'Unauthorized\n' };
    await expect(instantQuery({ url, timeoutMs: 1000 }, 'up')).rejects.toMatchObject({
      message: 'Prometheus answered 401 (http): Unauthorized',
    });
    answer = { status: 200, body: '<html>proxy</html>' };
    await expect(instantQuery({ url, timeoutMs: 1000 }, 'up')).rejects.toMatchObject({
      errorType: 'bad_response',
    });
    answer = {
      status: 200,
      body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
    };
    await expect(instantQuery({ url, timeoutMs: 1000 }, 'up')).rejects.toMatchObject({
      message: 'Expected an instant vector, Prometheus gave a matrix',
    });
  });

  it('writes PromQL string literals safely', () => {
    expect(promString('10.0.0.1:9100')).toBe('"10.0.0.1:9100"');
    expect(promString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });
});
