import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HttpLatencyMetric } from './http-latency.metric';

/** Prometheus metrics of this process (docs/api.md §14). One registry per application instance. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new HttpLatencyMetric();

  readonly jobDuration = new Histogram({
    name: 'proxdeck_job_duration_seconds',
    help: 'Duration of one try of a job',
    labelNames: ['type', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'proxdeck_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly pveRequests = new Counter({
    name: 'proxdeck_pve_requests_total',
    help: 'Requests sent to the Proxmox VE API',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });

  constructor() {
    this.registry.registerMetric(this.httpDuration.asPromMetric());
    collectDefaultMetrics({ register: this.registry, prefix: 'proxdeck_' });
  }
}
