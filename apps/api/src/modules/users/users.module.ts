import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiToken } from './api-token.entity';
import { ApiTokensService } from './api-tokens.service';
import { User } from './user.entity';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User, ApiToken])],
  providers: [UsersService, ApiTokensService],
  exports: [UsersService, ApiTokensService],
})
export class UsersModule {}
