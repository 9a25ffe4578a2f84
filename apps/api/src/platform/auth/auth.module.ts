import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { UsersModule } from '../../modules/users/users.module';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LocalStrategy } from './local.strategy';
import { LoginThrottle } from './login-throttle';
import { SessionStore } from './session.store';

@Global()
@Module({
  imports: [PassportModule, UsersModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    SessionStore,
    LoginThrottle,
    LocalStrategy,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [SessionStore, UsersModule],
})
export class AuthModule {}
