/** Layering fixture: a module's internal service. */
export function alphaName(): string {
  return 'alpha';
}
