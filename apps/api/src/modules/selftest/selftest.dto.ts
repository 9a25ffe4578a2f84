import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class SimpleTestDto {
  @ApiPropertyOptional({ description: 'Returned as result.echo', maxLength: 200, default: 'hello' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  echo?: string;

  @ApiPropertyOptional({ description: 'How long the job runs', minimum: 0, maximum: 60000, default: 1000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  duration_ms?: number;
}

export class ErrorTestDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  message?: string;
}
