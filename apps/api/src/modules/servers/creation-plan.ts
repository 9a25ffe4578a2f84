export type { PlannedDisk, PlannedNic, PlannedServer } from '@proxdeck/contracts';

/** The owner of a server's IP allocations (ip-pools module). */
export function ipOwner(name: string): string {
  return `server:${name}`;
}
