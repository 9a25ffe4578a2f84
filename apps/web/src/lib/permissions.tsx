/**
 * Permission checks in the interface (docs/api.md §1.4). They only hide what the user cannot do; the API is
 * what enforces permissions.
 */
import type { ReactNode } from 'react';
import type { Permission } from '@proxdeck/contracts';
import { useCurrentUser } from '../features/auth/auth.queries';

export function hasPermission(
  permissions: readonly string[] | undefined,
  required: Permission | null | undefined,
): boolean {
  if (required === null || required === undefined) return true;
  return permissions?.includes(required) ?? false;
}

/** True when the signed-in user holds `permission`. */
export function usePermission(permission: Permission): boolean {
  const user = useCurrentUser();
  return hasPermission(user?.permissions, permission);
}

export interface CanProps {
  permission: Permission;
  children: ReactNode;
  /** Rendered instead of the children when the permission is missing. */
  fallback?: ReactNode;
}

/** Renders its children only for a user holding `permission`. */
export function Can({ permission, children, fallback = null }: CanProps) {
  return <>{usePermission(permission) ? children : fallback}</>;
}
