import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { UserDto } from '../users';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  current_password!: string;

  @ApiProperty({ format: 'password', minLength: 10, description: 'At least 10 characters, not the username' })
  @IsString()
  @MaxLength(256)
  new_password!: string;
}

export class LoginResultDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ description: 'Send as X-CSRF-Token on every write' }) csrf_token!: string;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
}

export class SessionCheckDto {
  @ApiProperty() authenticated!: boolean;
  @ApiProperty({ type: UserDto, required: false }) user?: UserDto;
  @ApiProperty({ required: false }) csrf_token?: string;
  @ApiProperty({ format: 'date-time', required: false }) expires_at?: string;
}

export class SessionRefreshDto {
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
}

export class SessionSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() current!: boolean;
  @ApiProperty() ip!: string;
  @ApiProperty() user_agent!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) last_seen_at!: string;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
}

export class ProfileDto extends UserDto {
  @ApiProperty({ type: [SessionSummaryDto] }) sessions!: SessionSummaryDto[];
}

export class UserInfoDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ type: [String] }) effective_permissions!: string[];
  @ApiProperty({ enum: ['session', 'token'] }) authenticated_via!: 'session' | 'token';
  @ApiProperty({ type: Object, nullable: true, description: 'Session times, for cookie sessions' })
  session!: {
    created_at: string;
    last_seen_at: string;
    expires_at: string;
    absolute_expires_at: string;
  } | null;
}
