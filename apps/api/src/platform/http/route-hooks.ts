import type { RouteOptions } from 'fastify';

type HookOf<Name extends 'onRequest' | 'preSerialization' | 'onResponse'> =
  NonNullable<RouteOptions[Name]> extends infer Hooks
    ? Hooks extends readonly (infer Hook)[]
      ? Hook
      : Hooks
    : never;

/**
 * Appends a hook to one route as it is registered (Fastify's onRoute). Per-route hooks let a hook close over
 * what it needs of its route: reading `request.routeOptions` on every request builds a fresh object each time.
 */
export function appendRouteHook<Name extends 'onRequest' | 'preSerialization' | 'onResponse'>(
  route: RouteOptions,
  name: Name,
  hook: HookOf<Name>,
): void {
  const existing: unknown = route[name];
  const hooks: unknown[] = Array.isArray(existing) ? [...(existing as unknown[])] : [];
  if (existing !== undefined && !Array.isArray(existing)) hooks.push(existing);
  hooks.push(hook);
  (route as unknown as Record<string, unknown>)[name] = hooks;
}
