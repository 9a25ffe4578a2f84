/** The API's readiness (docs/api.md §14): Postgres, Redis and Proxmox (or the simulator). */
import { queryOptions } from '@tanstack/react-query';
import { api, toApiError, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type Readiness = Schemas['ReadinessDto'];
export type DependencyCheck = Schemas['DependencyCheckDto'];

function reportedReadiness(body: unknown): Readiness | null {
  if (typeof body !== 'object' || body === null || !('data' in body)) return null;
  const report: unknown = body.data;
  if (typeof report !== 'object' || report === null) return null;
  return 'status' in report && 'checks' in report ? (report as Readiness) : null;
}

/**
 * "Unavailable" is an answer too: the API's 503 still carries the report, which is shown, not an error.
 * Sent without the cookie: the dashboard polls it, and polling must not keep an idle session alive.
 */
export async function fetchReadiness(): Promise<Readiness> {
  const { data, error, response } = await api.GET('/api/health/ready', { credentials: 'omit' });
  if (data !== undefined) return data.data;
  const reported = reportedReadiness(error);
  if (reported) return reported;
  throw toApiError(error, response);
}

/** How often the dashboard asks again while the live stream is not open (lib/sse.ts usePollInterval). */
export const READINESS_POLL_MS = 30_000;

export const readinessQueryOptions = queryOptions({
  queryKey: queryKeys.health.ready(),
  queryFn: fetchReadiness,
});
