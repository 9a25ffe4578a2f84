import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { DependencyCheck } from '../health/health.service';

/**
 * Proxdeck's connection to Proxmox VE: a real cluster (PVE_URL) or the built-in simulator.
 * The typed client is wired in by the Proxmox issue; until then readiness says "not configured".
 */
@Injectable()
export class ProxmoxConnection {
  constructor(private readonly config: AppConfig) {}

  get mode(): 'cluster' | 'simulator' {
    return this.config.usesSimulator ? 'simulator' : 'cluster';
  }

  check(): Promise<DependencyCheck> {
    return Promise.resolve({
      status: 'not_configured',
      latency_ms: null,
      mode: this.mode,
      error: 'the Proxmox client is not wired in yet',
    });
  }
}
