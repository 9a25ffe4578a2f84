import type { EntityManager } from 'typeorm';

/**
 * The transaction-scoped advisory lock every write of pool definitions takes (create, change, delete, seed), so
 * that two writers cannot both find "no overlap" and both insert. Allocation takes the pool rows' locks instead.
 */
export async function lockPoolDefinitions(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('proxdeck.ip_pools'))`);
}
