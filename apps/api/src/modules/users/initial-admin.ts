import { ROLE_PERMISSIONS } from '@proxdeck/contracts';
import type { DataSource, Repository } from 'typeorm';
import { passwordHasher } from './password-hasher';
import { User } from './user.entity';

export interface InitialAdminOutcome {
  action: 'created' | 'password-set-from-settings' | 'unchanged';
  username: string;
  /** Only when Proxdeck generated the password: to be shown once, never stored in clear. */
  generatedPassword?: string;
}

/**
 * Makes sure a first administrator exists. No known default password: it comes from ADMIN_PASSWORD or is
 * generated at random. While the administrator has never changed the password, ADMIN_PASSWORD stays in force.
 */
export async function ensureInitialAdmin(
  users: Repository<User>,
  username: string,
  configuredPassword: string | undefined,
): Promise<InitialAdminOutcome> {
  const existing = await users.findOne({ where: { username } });
  if (existing) {
    if (
      configuredPassword !== undefined &&
      existing.passwordChangedAt === null &&
      !(await passwordHasher.verify(existing.passwordHash, configuredPassword))
    ) {
      existing.passwordHash = await passwordHasher.hash(configuredPassword);
      await users.save(existing);
      return { action: 'password-set-from-settings', username };
    }
    return { action: 'unchanged', username };
  }
  const adminCount = await users.count({ where: { role: 'admin' } });
  if (adminCount > 0 && configuredPassword === undefined) return { action: 'unchanged', username };

  const password = configuredPassword ?? passwordHasher.generate();
  await users
    .createQueryBuilder()
    .insert()
    .into(User)
    .values({
      username,
      name: 'Administrator',
      email: null,
      passwordHash: await passwordHasher.hash(password),
      role: 'admin',
      permissions: [...ROLE_PERMISSIONS.admin],
      isActive: true,
    })
    .orIgnore()
    .execute();
  return {
    action: 'created',
    username,
    ...(configuredPassword === undefined ? { generatedPassword: password } : {}),
  };
}

/** The seed's entry point: the first administrator in `dataSource`'s database. */
export function seedInitialAdmin(
  dataSource: DataSource,
  username: string,
  configuredPassword: string | undefined,
): Promise<InitialAdminOutcome> {
  return ensureInitialAdmin(dataSource.getRepository(User), username, configuredPassword);
}

export function announceInitialAdmin(outcome: InitialAdminOutcome, print: (line: string) => void): void {
  if (outcome.generatedPassword === undefined) return;
  print(
    [
      '',
      '================================================================',
      ` Proxdeck created the administrator "${outcome.username}".`,
      ` Its password, shown this once:  ${outcome.generatedPassword}`,
      ' Log in and change it (Profile → Change password).',
      '================================================================',
      '',
    ].join('\n'),
  );
}
