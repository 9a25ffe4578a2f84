import { Injectable } from '@nestjs/common';
import type { Principal } from '../../platform/access/principal';
import { TaskAccepted } from '../../platform/http/envelope';
import { JobQueue } from '../../platform/queue/job-queue';
import { TaskSecrets } from '../../platform/queue/task-secrets';
import { IpAllocationService } from '../ip-pools';
import { CreationPlanner, type CreationEntry } from './creation-planner';
import type { CreationPreviewDto } from './server-create.dto';
import { ServerRoles } from './server-roles';
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
    private readonly ips: IpAllocationService,
    private readonly roles: ServerRoles,
  ) {}

  /**
   * What a creation request would make, checked as a creation is (the same 400s), with the addresses `auto`
   * would give now: a preview, nothing is reserved (a creation meanwhile may take them first).
   */
  async preview(entries: readonly CreationEntry[]): Promise<CreationPreviewDto> {
    const batch = await this.planner.plan(entries);
    const explicit = new Set(
      batch.servers.flatMap((server) =>
        server.nics.filter((nic) => nic.address !== 'auto').map((nic) => nic.address),
      ),
    );
    const wanted = new Map<string, number>();
    for (const nic of batch.servers.flatMap((server) => server.nics))
      if (nic.address === 'auto') wanted.set(nic.bridge, (wanted.get(nic.bridge) ?? 0) + 1);
    const next = new Map<string, string[]>();
    for (const [bridge, count] of wanted)
      next.set(bridge, await this.ips.previewAuto(bridge, count, explicit));
    return {
      servers: batch.servers.map((server) => ({
        name: server.name,
        node: server.node,
        template_vmid: server.template.vmid,
        cpu_cores: server.cores,
        memory_mb: server.memory_mb,
        disks: server.disks.map((disk) => ({ ...disk })),
        networks: server.nics.map((nic) => {
          const auto = nic.address === 'auto';
          return {
            device: nic.device,
            bridge: nic.bridge,
            ip_address: auto ? (next.get(nic.bridge)?.shift() ?? null) : nic.address,
            auto,
          };
        }),
      })),
    };
  }

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
    for (const [name, secret] of batch.roleSecrets) await this.roles.get().keepSecrets(task.id, name, secret);
    const what = names.length === 1 ? `server ${names[0] ?? ''}` : `${String(names.length)} servers`;
    return new TaskAccepted(task.id, `Creation of ${what} queued`);
  }
}
