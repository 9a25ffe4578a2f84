/** The users module's public surface: other modules and the application import only from here. */
export { UsersModule } from './users.module';
export { UsersService } from './users.service';
export { UsersIdentityDirectory } from './users-identity.directory';
export { UserDto } from './user.dto';
export { PasswordHashing, passwordPolicyProblem } from './password-hasher';
export { announceInitialAdmin, seedInitialAdmin } from './initial-admin';
export type { InitialAdminOutcome } from './initial-admin';
