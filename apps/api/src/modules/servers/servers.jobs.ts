import { Injectable } from '@nestjs/common';
import type { JobContext, JobResult } from '../../platform/queue/job-context';
import { JobHandler } from '../../platform/queue/job-handler.decorator';
import { ScheduledJob, type ScheduledResult } from '../../platform/queue/scheduled-job.decorator';
import { AppConfig } from '../../platform/config/app-config';
import { CreationPipeline } from './creation-pipeline';
import { ServerSync, type SyncOutcome } from './server-sync';

/** Creating servers, and the sync, on its schedule and on demand (POST /api/sync_servers). */
@Injectable()
export class ServersJobs {
  constructor(
    private readonly sync: ServerSync,
    private readonly pipeline: CreationPipeline,
    private readonly config: AppConfig,
  ) {}

  /** One item per server, SERVER_CREATE_CONCURRENCY at a time (the governor limits each node and storage). */
  @JobHandler('servers.create')
  async create(context: JobContext<'servers.create'>): Promise<JobResult> {
    const plans = new Map(context.payload.servers.map((plan) => [plan.name, plan]));
    await context.forEachItem(
      async (item) => {
        const plan = plans.get(item.name);
        if (!plan) throw new Error(`no plan for ${item.name} in the task`);
        await this.pipeline.run(item, plan);
      },
      {
        concurrency: this.config.values.SERVER_CREATE_CONCURRENCY,
        // Never started: the server has nothing in Proxmox; it is failed, for a retry or for cleanup.
        onCancelled: (item) => this.pipeline.cancelled(item.name),
      },
    );
    return { servers: [...plans.keys()] };
  }

  @ScheduledJob('servers.sync')
  async scheduledSync(): Promise<ScheduledResult> {
    const outcome = await this.sync.run();
    return summary(outcome);
  }

  @JobHandler('servers.sync')
  async requestedSync(context: JobContext<'servers.sync'>): Promise<JobResult> {
    await context.progress(10, 'Reading Proxmox’s resource list');
    const outcome = await this.sync.run({
      importUnmanaged: context.payload.import_unmanaged,
      importedBy: context.createdBy,
    });
    return {
      ...summary(outcome),
      unmanaged: outcome.unmanaged.map((vm) => ({ ...vm, tags: [...vm.tags] })),
      imported: outcome.imported.map((entry) => ({ ...entry })),
    };
  }
}

function summary(outcome: SyncOutcome): Record<string, number> {
  return {
    vms: outcome.vms,
    changed: outcome.changed,
    missing: outcome.missing,
    unmanaged: outcome.unmanaged.length,
    imported: outcome.imported.filter((entry) => entry.imported).length,
    pve_requests: outcome.pve_requests,
    duration_ms: outcome.duration_ms,
  };
}
