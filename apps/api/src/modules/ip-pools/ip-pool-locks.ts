import { QueryFailedError, type EntityManager } from 'typeorm';

/**
 * The transaction-scoped advisory lock every write of pool definitions takes (create, change, delete, seed), so
 * that two writers cannot both find "no overlap" and both insert. Allocation takes the pool rows' locks instead.
 */
export async function lockPoolDefinitions(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('proxdeck.ip_pools'))`);
}

/** The name of the unique constraint a failed INSERT broke, or null when it failed otherwise. */
export function violatedUniqueConstraint(error: unknown): string | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' ? (driverError.constraint ?? '') : null;
}
