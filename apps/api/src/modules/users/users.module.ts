import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiToken } from './api-token.entity';
import { ApiTokensService } from './api-tokens.service';
import { PasswordHashing } from './password-hasher';
import { User } from './user.entity';
import { UsersIdentityDirectory } from './users-identity.directory';
import { UsersService } from './users.service';
import { UserAccounts } from './user-accounts.service';

/** People: users and their API tokens. Provides the access layer's IdentityDirectory. */
@Module({
  imports: [TypeOrmModule.forFeature([User, ApiToken])],
  providers: [UsersService, ApiTokensService, UsersIdentityDirectory, PasswordHashing, UserAccounts],
  exports: [UsersService, UsersIdentityDirectory, PasswordHashing, UserAccounts, ApiTokensService],
})
export class UsersModule {}
