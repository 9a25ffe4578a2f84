/** The users module's public surface: other modules and the application import only from here. */
export { UsersModule } from './users.module';
export { UsersService } from './users.service';
export { UserAccounts, type UserListQuery, type NewUser } from './user-accounts.service';
export { ApiTokensService, MAX_TOKENS_PER_USER, type TokenView } from './api-tokens.service';
export type { ApiToken } from './api-token.entity';
export { User } from './user.entity';
export { UsersIdentityDirectory } from './users-identity.directory';
export { UserDto } from './user.dto';
export { PasswordHashing, passwordPolicyProblem } from './password-hasher';
export { announceInitialAdmin, seedInitialAdmin } from './initial-admin';
export type { InitialAdminOutcome } from './initial-admin';
