/** The API's readiness (api.md §14): Postgres, Redis and Proxmox (or the simulator). */
import { queryOptions } from '@tanstack/react-query';
import type { MethodResponse } from 'openapi-fetch';
import { api, toApiError } from '../../lib/api';

export type Readiness = MethodResponse<typeof api, 'get', '/api/health/ready'>['data'];

function isReadiness(value: unknown): value is Readiness {
  return typeof value === 'object' && value !== null && 'checks' in value && 'status' in value;
}

/** Not ready is an answer too: a 503 that still reports the checks is shown, not treated as a failure. */
export async function fetchReadiness(): Promise<Readiness> {
  const { data, error, response } = await api.GET('/api/health/ready');
  if (data !== undefined) return data.data;
  const reported: unknown =
    typeof error === 'object' && 'data' in error ? (error as { data: unknown }).data : undefined;
  if (isReadiness(reported)) return reported;
  throw toApiError(error, response);
}

export const readinessQueryOptions = queryOptions({
  queryKey: ['health', 'ready'],
  queryFn: fetchReadiness,
  refetchInterval: 30_000,
});
