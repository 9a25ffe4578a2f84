/** Layering fixture: a platform service. */
export function now(): number {
  return Date.now();
}
