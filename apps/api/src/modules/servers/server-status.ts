/** A server's status (docs/api.md §3.1). */
export const SERVER_STATUSES = [
  'creating',
  'running',
  'stopped',
  'paused',
  'deleting',
  'failed',
  'missing',
  'unknown',
] as const;
export type ServerStatus = (typeof SERVER_STATUSES)[number];

/**
 * Statuses Proxdeck's own jobs own: the sync reports live figures for such a server but never changes its
 * status (a clone being made is not in Proxmox yet, or is `unknown` there; a failed one keeps its error).
 */
export const JOB_OWNED_STATUSES: ReadonlySet<ServerStatus> = new Set(['creating', 'deleting', 'failed']);

/** Server names (docs/api.md §1.5): DNS labels. */
export const SERVER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
