import { Controller, Get, Headers, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOperation,
  ApiProperty,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../access/access.decorators';
import { AppConfig } from '../config/app-config';
import { UnauthenticatedError } from '../errors/app-error';
import { ApiEnvelope } from '../openapi/api-envelope.decorator';
import { HealthService, type ReadinessReport } from './health.service';
import { MetricsService } from '../metrics/metrics.service';

class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty() uptime_s!: number;
  @ApiProperty() version!: string;
}

class DependencyCheckDto {
  @ApiProperty({ enum: ['up', 'down', 'not_configured'] }) status!: string;
  @ApiProperty({ type: Number, nullable: true }) latency_ms!: number | null;
  @ApiProperty({ required: false }) mode?: string;
  @ApiProperty({ required: false }) version?: string;
  @ApiProperty({
    required: false,
    type: [String],
    description: "Proxmox: privileges Proxdeck needs that its credentials lack, e.g. 'VM.PowerMgmt on /vms'",
  })
  missing_privileges?: string[];
  @ApiProperty({ required: false }) error?: string;
}

class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'degraded', 'unavailable'] }) status!: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/DependencyCheckDto' } })
  checks!: Record<string, DependencyCheckDto>;
}

@ApiTags('operations')
@ApiExtraModels(DependencyCheckDto)
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get('api/health')
  @Public()
  @ApiOperation({ summary: 'Liveness' })
  @ApiEnvelope(LivenessDto)
  liveness(): LivenessDto {
    return { status: 'ok', uptime_s: Math.round(process.uptime()), version: HealthService.version };
  }

  @Get('api/health/ready')
  @Public()
  @ApiOperation({
    summary: 'Readiness: Postgres, Redis and Proxmox (or the simulator), with latency; 503 when not ready',
  })
  @ApiEnvelope(ReadinessDto)
  @ApiResponse({
    status: 503,
    description: 'Postgres or Redis is down: the same report, with success false',
    schema: {
      type: 'object',
      required: ['success', 'data'],
      properties: {
        success: { type: 'boolean', enum: [false] },
        data: { $ref: getSchemaPath(ReadinessDto) },
      },
    },
  })
  async readiness(@Res() reply: FastifyReply): Promise<void> {
    const report: ReadinessReport = await this.health.readiness();
    await reply
      .status(report.status === 'unavailable' ? 503 : 200)
      .send({ success: report.status !== 'unavailable', data: report });
  }

  @Get('metrics')
  @Public()
  @ApiOperation({
    summary: 'Prometheus metrics; needs `Authorization: Bearer <METRICS_TOKEN>` when that is set',
  })
  async prometheus(
    @Headers('authorization') authorization: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const token = this.config.values.METRICS_TOKEN;
    if (token !== undefined) {
      const given = Buffer.from(authorization?.replace(/^Bearer\s+/i, '') ?? '');
      const expected = Buffer.from(token);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new UnauthenticatedError('A valid metrics token is required');
      }
    }
    await this.health.refreshQueueGauges();
    await reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
