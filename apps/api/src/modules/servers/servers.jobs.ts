import { Injectable } from '@nestjs/common';
import type { JobContext, JobResult } from '../../platform/queue/job-context';
import { JobHandler } from '../../platform/queue/job-handler.decorator';
import { ScheduledJob, type ScheduledResult } from '../../platform/queue/scheduled-job.decorator';
import { AppConfig } from '../../platform/config/app-config';
import { NotificationsService } from '../notifications';
import { CreationPipeline, failureText } from './creation-pipeline';
import { ServerDisks } from './server-disks';
import { ServerHistory } from './server-history';
import { ServerOperations } from './server-operations';
import { ServerSync, type SyncOutcome } from './server-sync';

/**
 * Creating servers; power actions, deletion and disks; the sync, on its schedule and on demand
 * (POST /api/sync_servers).
 */
@Injectable()
export class ServersJobs {
  constructor(
    private readonly sync: ServerSync,
    private readonly pipeline: CreationPipeline,
    private readonly config: AppConfig,
    private readonly operations: ServerOperations,
    private readonly disks: ServerDisks,
    private readonly history: ServerHistory,
    private readonly notifications: NotificationsService,
  ) {}

  /** One item per server, SERVER_CREATE_CONCURRENCY at a time (the governor limits each node and storage). */
  @JobHandler('servers.create')
  async create(context: JobContext<'servers.create'>): Promise<JobResult> {
    const plans = new Map(context.payload.servers.map((plan) => [plan.name, plan]));
    await context.forEachItem(
      async (item) => {
        const plan = plans.get(item.name);
        if (!plan) throw new Error(`no plan for ${item.name} in the task`);
        await this.pipeline.run(item, plan, { taskId: context.taskId, createdBy: context.createdBy });
      },
      {
        concurrency: this.config.values.SERVER_CREATE_CONCURRENCY,
        // Never started: the server has nothing in Proxmox; it is failed, for a retry or for cleanup.
        onCancelled: (item) => this.pipeline.cancelled(item.name),
      },
    );
    return { servers: [...plans.keys()] };
  }

  /**
   * Start, stop, reboot or delete: one item per server, SERVER_ACTION_CONCURRENCY at a time (the governor
   * limits each node); the outcome of each, in words, is the task's result.
   */
  @JobHandler('servers.action')
  async action(context: JobContext<'servers.action'>): Promise<JobResult> {
    const { action } = context.payload;
    const outcomes: Record<string, string> = {};
    await context.forEachItem(
      async (item) => {
        try {
          outcomes[item.name] = await this.operations.run(item, context.payload);
        } catch (error) {
          await this.history.record([item.name], {
            action,
            outcome: 'failed',
            actor: null,
            detail: failureText(error),
            taskId: context.taskId,
          });
          throw error;
        }
        await this.history.record([item.name], {
          action,
          outcome: 'completed',
          actor: null,
          detail: outcomes[item.name] ?? '',
          taskId: context.taskId,
        });
      },
      { concurrency: this.config.values.SERVER_ACTION_CONCURRENCY },
    );
    const deleted = Object.keys(outcomes);
    if (action === 'delete' && deleted.length > 0 && context.createdBy !== null)
      await this.notifications.raise({
        type: 'servers.deleted',
        severity: 'success',
        title: `Deleted ${deleted.length === 1 ? (deleted[0] ?? '') : `${String(deleted.length)} servers`}`,
        message: `Destroyed in Proxmox with their disks, addresses released: ${deleted.join(', ')}`,
        recipientId: context.createdBy,
        taskId: context.taskId,
        ...(deleted.length === 1 ? { server: deleted[0] } : {}),
      });
    return { action, outcomes };
  }

  /** Add, remove or grow a disk of one server. */
  @JobHandler('servers.disk')
  async disk(context: JobContext<'servers.disk'>): Promise<JobResult> {
    const action = `disk.${context.payload.operation}`;
    let outcome = '';
    await context.forEachItem(async (item) => {
      try {
        outcome = await this.disks.run(item, context.payload);
      } catch (error) {
        await this.history.record([item.name], {
          action,
          outcome: 'failed',
          actor: null,
          detail: failureText(error),
          taskId: context.taskId,
        });
        throw error;
      }
      await this.history.record([item.name], {
        action,
        outcome: 'completed',
        actor: null,
        detail: outcome,
        taskId: context.taskId,
      });
    });
    return { outcome };
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
