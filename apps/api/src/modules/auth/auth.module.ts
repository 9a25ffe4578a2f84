import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { WebModule } from '../../platform/web/web.module';
import { UsersModule } from '../users';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LocalStrategy } from './local.strategy';
import { LoginThrottle } from './login-throttle';
import { LoginShedder } from './login.shedder';

/** Login, logout, password changes, the session and profile routes (docs/api.md §2). */
@Module({
  imports: [PassportModule, UsersModule, WebModule],
  controllers: [AuthController],
  providers: [AuthService, LoginThrottle, LocalStrategy, LoginShedder],
})
export class AuthModule {}
