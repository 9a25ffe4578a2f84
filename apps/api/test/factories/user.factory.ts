import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { getRepositoryToken } from '@nestjs/typeorm';
import { ROLE_PERMISSIONS, type Permission, type RoleName } from '@proxdeck/contracts';
import type { Repository } from 'typeorm';
import { passwordHasher } from '../../src/modules/users/password-hasher';
import { User } from '../../src/modules/users/user.entity';

export interface UserOverrides {
  role?: RoleName;
  /** Default: the role's permissions. */
  permissions?: Permission[];
  username?: string;
  password?: string;
  name?: string;
  email?: string | null;
  isActive?: boolean;
}

export interface CreatedUser {
  id: number;
  username: string;
  /** The password in clear, to log in with. */
  password: string;
  role: RoleName;
}

/** Users straight into the database of a running app: unique names, the role's permissions by default. */
export const UserFactory = {
  async create(app: INestApplicationContext, overrides: UserOverrides = {}): Promise<CreatedUser> {
    const role = overrides.role ?? 'viewer';
    const password = overrides.password ?? `pw-${randomBytes(8).toString('hex')}`;
    const username = overrides.username ?? `${role}-${randomBytes(4).toString('hex')}`;
    const users = app.get<Repository<User>>(getRepositoryToken(User));
    const saved = await users.save(
      users.create({
        username,
        name: overrides.name ?? `Test ${role}`,
        email: overrides.email ?? null,
        passwordHash: await passwordHasher.hash(password),
        role,
        permissions: overrides.permissions ?? [...ROLE_PERMISSIONS[role]],
        isActive: overrides.isActive ?? true,
      }),
    );
    return { id: saved.id, username, password, role };
  },
};
