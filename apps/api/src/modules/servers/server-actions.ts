import { Injectable } from '@nestjs/common';
import type { ServerAction, ServerActionPayload } from '@proxdeck/contracts';
import type { Principal } from '../../platform/access/principal';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { TaskAccepted } from '../../platform/http/envelope';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { JobQueue } from '../../platform/queue/job-queue';
import { TaskStore } from '../../platform/queue/task-store';
import type { BulkActionDto, BulkActionResultDto } from './server-config.dto';
import { ServerHistory } from './server-history';
import { isProtected, ServerOperations } from './server-operations';
import { ServersRepository } from './servers.repository';

/** How long `POST /api/servers/bulk_action` waits for the outcome before answering with the task. */
export const BULK_WAIT_MS = 30_000;

const VERBS: Record<ServerAction, string> = {
  start: 'Start',
  stop: 'Stop',
  reboot: 'Reboot',
  delete: 'Deletion',
};

/**
 * Power actions and deletion, for one server or many (docs/api.md §3.2): checked here, then one
 * `servers.action` task with an item per server (server-operations.ts does the work).
 */
@Injectable()
export class ServerActions {
  constructor(
    private readonly repository: ServersRepository,
    private readonly operations: ServerOperations,
    private readonly proxmox: ProxmoxConnection,
    private readonly jobs: JobQueue,
    private readonly tasks: TaskStore,
    private readonly history: ServerHistory,
  ) {}

  /** One server: a protected VM is refused (409) before anything is queued. */
  async one(
    principal: Principal,
    name: string,
    action: ServerAction,
    options: { force?: boolean; timeout_s?: number } = {},
  ): Promise<TaskAccepted> {
    const server = await this.repository.findByName(name);
    if (!server) throw new NotFoundError(`Server ${name}`);
    if (action === 'delete') await this.refuseProtected(server);
    else if (server.status === 'deleting')
      throw new ConflictError(`Server ${name} is being deleted`, { server: name });
    const task = await this.enqueue(principal, [name], action, options);
    return new TaskAccepted(task.id, `${VERBS[action]} of ${name} queued`);
  }

  /** Many servers, one task; `wait`: the outcome when the task ends within 30 s, else the task. */
  async bulk(
    principal: Principal,
    body: BulkActionDto,
    wait: boolean,
  ): Promise<TaskAccepted | BulkActionResultDto> {
    const found = new Set((await this.repository.existing(body.server_names)).map((server) => server.name));
    const unknown = body.server_names.filter((name) => !found.has(name));
    if (unknown.length > 0)
      throw new ValidationFailedError({ server_names: `no such servers: ${unknown.join(', ')}` });
    const options = {
      ...(body.force !== undefined ? { force: body.force } : {}),
      ...(body.timeout_s !== undefined ? { timeout_s: body.timeout_s } : {}),
    };
    const task = await this.enqueue(principal, body.server_names, body.action, options);
    const accepted = new TaskAccepted(
      task.id,
      `${VERBS[body.action]} of ${String(body.server_names.length)} servers queued`,
    );
    if (!wait) return accepted;
    const finished = await this.tasks.finishedWithin(task.id, BULK_WAIT_MS);
    if (!finished) return accepted;
    const outcomes = (finished.result?.outcomes ?? {}) as Record<string, string>;
    return {
      task_id: task.id,
      succeeded: finished.items.filter((item) => item.status === 'completed').map((item) => item.name),
      failed: finished.items
        .filter((item) => item.status !== 'completed')
        .map((item) => ({ name: item.name, error: item.error ?? `not done (${item.status})` })),
      outcomes,
    };
  }

  private async enqueue(
    principal: Principal,
    names: string[],
    action: ServerAction,
    options: { force?: boolean; timeout_s?: number },
  ) {
    const payload: ServerActionPayload = {
      action,
      force: options.force ?? false,
      timeout_s: options.timeout_s ?? null,
    };
    const task = await this.jobs.enqueue('servers.action', payload, {
      createdBy: principal.user.id,
      items: names,
    });
    const how = [
      payload.force ? 'force' : '',
      payload.timeout_s !== null ? `timeout ${String(payload.timeout_s)} s` : '',
    ]
      .filter(Boolean)
      .join(', ');
    await this.history.record(names, {
      action,
      outcome: 'requested',
      actor: principal.user.username,
      detail: how,
      taskId: task.id,
    });
    return task;
  }

  /** Proxmox refuses to destroy a protected VM: say so now, before the server is touched. */
  private async refuseProtected(server: { name: string; vmid: number | null; node: string | null }) {
    try {
      const vm = await this.operations.locate(server);
      if (!vm) return; // gone from Proxmox: the deletion only removes it from the inventory
      const config = await this.proxmox.pve().vmConfig(vm.node, vm.vmid);
      if (isProtected(config))
        throw new ConflictError(
          `${server.name} is protected in Proxmox (protection=1): turn protection off to delete it`,
          { server: server.name, reason: 'protected' },
        );
    } catch (error) {
      throw pveFailure(error);
    }
  }
}
