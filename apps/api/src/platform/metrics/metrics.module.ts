import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** This process's Prometheus registry. Global: HTTP, queues and the Proxmox client all record into it. */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
