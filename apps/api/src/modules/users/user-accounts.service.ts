import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Permission, RoleName } from '@proxdeck/contracts';
import { Brackets, type EntityManager, type Repository } from 'typeorm';
import type { AuthUser } from '../../platform/access/principal';
import { ConflictError, NotFoundError } from '../../platform/errors/app-error';
import { PasswordHashing } from './password-hasher';
import { User } from './user.entity';
import { UsersService, toAuthUser } from './users.service';

/** Serialises changes that could leave no administrator (one advisory lock for the whole installation). */
const ADMINS_LOCK = 0x70647561; // "pdua"

export interface UserListQuery {
  q?: string;
  role?: RoleName;
  active?: boolean;
  page: number;
  per_page: number;
}

export interface NewUser {
  username: string;
  password: string;
  name: string;
  email: string | null;
  role: RoleName;
  permissions: Permission[];
}

/**
 * The accounts as administrators manage them (docs/api.md §11): listing, creating, deleting, activation,
 * passwords, role and permissions. Every change that could remove the last administrator (an active user
 * with role admin and admin_access) runs under one lock and is refused when it would. Each change tells every
 * instance (UsersService.changed), so that sessions and tokens follow it at once.
 */
@Injectable()
export class UserAccounts {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly cache: UsersService,
    private readonly hashing: PasswordHashing,
  ) {}

  async list(query: UserListQuery): Promise<{ items: AuthUser[]; total: number }> {
    const builder = this.users.createQueryBuilder('user');
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      builder.andWhere(
        new Brackets((where) => {
          where
            .where('user.username ILIKE :like', { like })
            .orWhere('user.name ILIKE :like', { like })
            .orWhere('user.email ILIKE :like', { like });
        }),
      );
    }
    if (query.role) builder.andWhere('user.role = :role', { role: query.role });
    if (query.active !== undefined) builder.andWhere('user.is_active = :active', { active: query.active });
    const [rows, total] = await builder
      .orderBy('user.username', 'ASC')
      .skip((query.page - 1) * query.per_page)
      .take(query.per_page)
      .getManyAndCount();
    return { items: rows.map(toAuthUser), total };
  }

  async all(): Promise<AuthUser[]> {
    return (await this.users.find({ order: { username: 'ASC' } })).map(toAuthUser);
  }

  async get(username: string): Promise<AuthUser> {
    return toAuthUser(await this.find(this.users.manager, username));
  }

  async counts(): Promise<{ users: number; admins: number }> {
    const users = await this.users.count();
    const admins = await this.countAdmins(this.users.manager);
    return { users, admins };
  }

  async create(input: NewUser): Promise<AuthUser> {
    const username = input.username.toLowerCase();
    if (await this.users.exists({ where: { username } }))
      throw new ConflictError(`User ${username} already exists`, { field: 'username' });
    const passwordHash = await this.hashing.hash(input.password);
    const inserted = await this.users
      .createQueryBuilder()
      .insert()
      .into(User)
      .values({
        username,
        name: input.name,
        email: input.email,
        passwordHash,
        role: input.role,
        permissions: [...new Set(input.permissions)],
        isActive: true,
      })
      .orIgnore()
      .returning('id')
      .execute();
    if ((inserted.raw as unknown[]).length === 0)
      throw new ConflictError(`User ${username} already exists`, { field: 'username' });
    return this.get(username);
  }

  /** Deletes a user (their API tokens go with them); refused when they are the last administrator. */
  async delete(username: string): Promise<AuthUser> {
    const deleted = await this.guarded(username, () => null, 'delete');
    return deleted;
  }

  async setActive(username: string, active: boolean): Promise<AuthUser> {
    return this.guarded(
      username,
      (user) => Object.assign(new User(), user, { isActive: active }),
      active ? 'activate' : 'deactivate',
    );
  }

  async setAccess(username: string, role: RoleName, permissions: Permission[]): Promise<AuthUser> {
    return this.guarded(
      username,
      (user) => Object.assign(new User(), user, { role, permissions: [...new Set(permissions)] }),
      'change the role or permissions of',
    );
  }

  async setPassword(username: string, password: string): Promise<AuthUser> {
    const user = await this.find(this.users.manager, username);
    await this.cache.setPassword(user.id, password);
    return this.get(username);
  }

  /**
   * Applies `change` to a user (null deletes them) under the administrators' lock, refusing when no active
   * administrator would remain. Tells every instance about the change once committed.
   */
  private async guarded(
    username: string,
    change: (user: User) => User | null,
    verb: string,
  ): Promise<AuthUser> {
    const before = await this.users.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [ADMINS_LOCK]);
      const user = await this.find(manager, username);
      const after = change(user);
      if (isAdministrator(user) && (after === null || !isAdministrator(after))) {
        const admins = await this.countAdmins(manager);
        if (admins <= 1)
          throw new ConflictError(`Cannot ${verb} ${user.username}: the last administrator`, {
            reason: 'last_admin',
          });
      }
      if (after === null) await manager.delete(User, { id: user.id });
      else
        await manager.update(
          User,
          { id: user.id },
          { isActive: after.isActive, role: after.role, permissions: after.permissions },
        );
      return user;
    });
    await this.cache.changed(before.id);
    const after = await this.users.findOne({ where: { id: before.id } });
    return toAuthUser(after ?? before);
  }

  private async find(manager: EntityManager, username: string): Promise<User> {
    const user = await manager.findOne(User, { where: { username: username.toLowerCase() } });
    if (!user) throw new NotFoundError(`User ${username}`);
    return user;
  }

  private countAdmins(manager: EntityManager): Promise<number> {
    return manager
      .createQueryBuilder(User, 'user')
      .where("user.role = 'admin' AND user.is_active AND 'admin_access' = ANY(user.permissions)")
      .getCount();
  }
}

function isAdministrator(user: Pick<User, 'role' | 'isActive' | 'permissions'>): boolean {
  return user.role === 'admin' && user.isActive && user.permissions.includes('admin_access');
}
