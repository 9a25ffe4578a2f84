import { Injectable } from '@nestjs/common';
import type { Principal } from '../../platform/access/principal';
import { TaskAccepted } from '../../platform/http/envelope';
import { JobQueue } from '../../platform/queue/job-queue';
import { TaskSecrets } from '../../platform/queue/task-secrets';
import { CreationPlanner, type CreationEntry } from './creation-planner';
import { ServersRepository } from './servers.repository';

/**
 * Accepting creation requests (docs/api.md §3.2, §3.3): the planner checks everything first (a bad request
 * creates nothing); then the servers are recorded as `creating` and one task is queued with an item per server.
 * Generated passwords go to the task's secrets, shown once to the creator; the task record holds only hashes.
 */
@Injectable()
export class ServerCreation {
  constructor(
    private readonly planner: CreationPlanner,
    private readonly repository: ServersRepository,
    private readonly jobs: JobQueue,
    private readonly secrets: TaskSecrets,
  ) {}

  async create(principal: Principal, entries: readonly CreationEntry[]): Promise<TaskAccepted> {
    const batch = await this.planner.plan(entries);
    await this.repository.insertCreating(batch.servers, principal.user.id);
    const names = batch.servers.map((server) => server.name);
    const task = await this.jobs.enqueue(
      'servers.create',
      { servers: batch.servers },
      { createdBy: principal.user.id, items: names },
    );
    await this.secrets.keep(task.id, batch.generatedPasswords);
    const what = names.length === 1 ? `server ${names[0] ?? ''}` : `${String(names.length)} servers`;
    return new TaskAccepted(task.id, `Creation of ${what} queued`);
  }
}
