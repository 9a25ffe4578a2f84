import { Module } from '@nestjs/common';
import { ProxmoxModule } from '../proxmox/proxmox.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

/** Liveness, readiness and the Prometheus endpoint (docs/api.md §14). */
@Module({
  imports: [ProxmoxModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
