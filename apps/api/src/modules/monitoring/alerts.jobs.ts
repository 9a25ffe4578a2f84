import { Injectable } from '@nestjs/common';
import { ScheduledJob, type ScheduledResult } from '../../platform/queue/scheduled-job.decorator';
import { AlertsService } from './alerts.service';
import { TcpProbeService } from './tcp-probe.service';

/** The alert checker (SCHEDULE_ALERTS_CHECK) and the TCP probe (SCHEDULE_TCP_PROBE), once per period across the installation. */
@Injectable()
export class AlertsJobs {
  constructor(
    private readonly alerts: AlertsService,
    private readonly probe: TcpProbeService,
  ) {}

  @ScheduledJob('monitoring.alerts_check')
  async check(): Promise<ScheduledResult> {
    const outcome = await this.alerts.check();
    return { ...outcome };
  }

  /** The TCP check of every running server's SSH port, from the worker that runs it (tcp-probe.service.ts). */
  @ScheduledJob('monitoring.tcp_probe')
  async tcpProbe(): Promise<ScheduledResult> {
    return { ...(await this.probe.probe()) };
  }
}
