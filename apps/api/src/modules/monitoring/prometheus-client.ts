/**
 * PromQL over Prometheus's HTTP API (`/api/v1/query`, `/api/v1/query_range`), with basic authentication or a
 * bearer token and a timeout. Every failure is a PrometheusQueryError carrying Prometheus's own words (its
 * `errorType` and `error`), or saying that it could not be reached or did not answer in time.
 */

export interface PrometheusEndpoint {
  /** `http://prometheus:9090` (a path prefix such as `/prometheus` is kept). */
  url: string;
  username?: string | null;
  password?: string | null;
  bearerToken?: string | null;
  timeoutMs: number;
}

/** One series of an instant query: its labels and its value at the query's time. */
export interface PromSample {
  metric: Record<string, string>;
  /** Unix seconds, and the value (NaN when Prometheus says so). */
  value: [number, number];
}

/** One series of a range query. */
export interface PromSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

export class PrometheusQueryError extends Error {
  constructor(
    message: string,
    /** Prometheus's HTTP status; null when it did not answer. */
    readonly status: number | null,
    /** Prometheus's `errorType` (`bad_data`, `timeout`, `execution`, ...), `unreachable` or `timeout`. */
    readonly errorType: string,
  ) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

interface ApiAnswer {
  status?: string;
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
}

function headersOf(endpoint: PrometheusEndpoint): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (endpoint.bearerToken) headers.authorization = `Bearer ${endpoint.bearerToken}`;
  else if (endpoint.username)
    headers.authorization = `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password ?? ''}`).toString('base64')}`;
  return headers;
}

const number = (text: unknown): number => (typeof text === 'string' ? Number(text) : NaN);

async function call(
  endpoint: PrometheusEndpoint,
  path: string,
  form: Record<string, string>,
): Promise<{ resultType: string; result: unknown }> {
  const url = `${endpoint.url.replace(/\/+$/, '')}${path}`;
  const signal = AbortSignal.timeout(endpoint.timeoutMs);
  const timedOut = () =>
    new PrometheusQueryError(
      `Prometheus did not answer within ${String(endpoint.timeoutMs)} ms`,
      null,
      'timeout',
    );
  let response: Response;
  try {
    // POST with a form: long expressions do not hit URL limits (Prometheus accepts both).
    response = await fetch(url, {
      method: 'POST',
      headers: headersOf(endpoint),
      body: new URLSearchParams(form).toString(),
      signal,
      redirect: 'error',
    });
  } catch (error) {
    if (signal.aborted) throw timedOut();
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why =
      typeof cause?.code === 'string'
        ? cause.code
        : typeof cause?.message === 'string'
          ? cause.message
          : error instanceof Error
            ? error.message
            : String(error);
    throw new PrometheusQueryError(`Prometheus could not be reached: ${why}`, null, 'unreachable');
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw timedOut();
    throw new PrometheusQueryError(
      `Prometheus's answer could not be read: ${error instanceof Error ? error.message : String(error)}`,
      response.status,
      'unreadable',
    );
  }
  let answer: ApiAnswer | undefined;
  try {
    answer = JSON.parse(text) as ApiAnswer;
  } catch {
    answer = undefined;
  }
  if (answer?.status === 'error' || !response.ok) {
    const detail = answer?.error ?? (text.trim().slice(0, 300) || response.statusText);
    const type = answer?.errorType ?? 'http';
    throw new PrometheusQueryError(
      `Prometheus answered ${String(response.status)} (${type}): ${detail}`,
      response.status,
      type,
    );
  }
  if (answer?.status !== 'success' || typeof answer.data?.resultType !== 'string')
    throw new PrometheusQueryError(
      `Prometheus's answer is not an API answer: ${text.trim().slice(0, 200)}`,
      response.status,
      'bad_response',
    );
  return { resultType: answer.data.resultType, result: answer.data.result };
}

/** An instant query at `time` (Unix seconds; now by default): its series as samples. */
export async function instantQuery(
  endpoint: PrometheusEndpoint,
  expr: string,
  time?: number,
): Promise<PromSample[]> {
  const form: Record<string, string> = { query: expr };
  if (time !== undefined) form.time = String(time);
  const { resultType, result } = await call(endpoint, '/api/v1/query', form);
  if (resultType === 'scalar') {
    const [t, v] = result as [number, string];
    return [{ metric: {}, value: [t, number(v)] }];
  }
  if (resultType !== 'vector')
    throw new PrometheusQueryError(
      `Expected an instant vector, Prometheus gave a ${resultType}`,
      200,
      'bad_response',
    );
  return (result as { metric: Record<string, string>; value: [number, string] }[]).map((sample) => ({
    metric: sample.metric,
    value: [sample.value[0], number(sample.value[1])],
  }));
}

/** A range query from `start` to `end` (Unix seconds) every `step` seconds: its series. */
export async function rangeQuery(
  endpoint: PrometheusEndpoint,
  expr: string,
  range: { start: number; end: number; step: number },
): Promise<PromSeries[]> {
  const { resultType, result } = await call(endpoint, '/api/v1/query_range', {
    query: expr,
    start: String(range.start),
    end: String(range.end),
    step: String(range.step),
  });
  if (resultType !== 'matrix')
    throw new PrometheusQueryError(
      `Expected a range vector, Prometheus gave a ${resultType}`,
      200,
      'bad_response',
    );
  return (result as { metric: Record<string, string>; values: [number, string][] }[]).map((series) => ({
    metric: series.metric,
    values: series.values.map(([t, v]) => [t, number(v)] as [number, number]),
  }));
}

/** A PromQL string literal: `"..."` with backslashes and quotes escaped. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
