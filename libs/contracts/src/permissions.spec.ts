import { ALL_PERMISSIONS, ROLE_PERMISSIONS, isPermission, isRoleName } from './permissions';

describe('permission catalogue', () => {
  it('has the seven permissions of the contract', () => {
    expect([...ALL_PERMISSIONS].sort()).toEqual([
      'admin_access',
      'assign_roles',
      'create_server',
      'manage_backups',
      'manage_firewall',
      'manage_servers',
      'view_all',
    ]);
  });

  it('gives admin everything, operator all but admin_access, viewer only view_all', () => {
    expect(ROLE_PERMISSIONS.admin).toEqual(ALL_PERMISSIONS);
    expect(ROLE_PERMISSIONS.operator).not.toContain('admin_access');
    expect(ROLE_PERMISSIONS.operator).toHaveLength(ALL_PERMISSIONS.length - 1);
    expect(ROLE_PERMISSIONS.viewer).toEqual(['view_all']);
  });

  it('recognises only known names', () => {
    expect(isPermission('manage_firewall')).toBe(true);
    expect(isPermission('toString')).toBe(false);
    expect(isRoleName('operator')).toBe(true);
    expect(isRoleName('root')).toBe(false);
  });
});
