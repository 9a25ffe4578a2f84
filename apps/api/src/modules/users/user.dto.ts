import { ApiProperty } from '@nestjs/swagger';
import { ALL_PERMISSIONS, ROLE_NAMES, type Permission, type RoleName } from '@proxdeck/contracts';
import type { AuthUser } from '../../platform/access/principal';

const built = new WeakMap<AuthUser, UserDto>();

/** `user` of docs/api.md §2. */
export class UserDto {
  @ApiProperty() id!: number;
  @ApiProperty() username!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ enum: ROLE_NAMES }) role!: RoleName;
  @ApiProperty({ enum: ALL_PERMISSIONS, isArray: true }) permissions!: Permission[];
  @ApiProperty() is_active!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_login_at!: string | null;

  /**
   * The DTO of a user. Cached per AuthUser object: the users cache hands out the same object until the user
   * changes, and building the DTO (two dates to text, a copy of the permissions) is a measurable share of
   * GET /api/current-user.
   */
  static from(user: AuthUser): UserDto {
    let dto = built.get(user);
    if (!dto) {
      // Frozen: it is shared by every answer about this user until the user changes.
      dto = Object.freeze(UserDto.build(user));
      built.set(user, dto);
    }
    return dto;
  }

  private static build(user: AuthUser): UserDto {
    return {
      id: user.id,
      username: user.username,
      name: user.name,
      email: user.email,
      role: user.role,
      permissions: [...user.permissions],
      is_active: user.isActive,
      created_at: user.createdAt.toISOString(),
      last_login_at: user.lastLoginAt?.toISOString() ?? null,
    };
  }
}
