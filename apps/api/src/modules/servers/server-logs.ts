import { Injectable } from '@nestjs/common';
import { PveApiError } from '@proxdeck/pve-client';
import { AppConfig } from '../../platform/config/app-config';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import type { GuestLogDto, PveTaskLogDto, ServerEventDto, ServerLogsQueryDto } from './server-config.dto';
import { ServerConfig } from './server-config';
import { ServerHistory } from './server-history';

/** Lines of each Proxmox task's log returned with the VM's task history. */
const TASK_LOG_LINES = 200;
/** Task logs read at once. */
const LOG_READS_AT_ONCE = 8;
/** Guests whose syslog is /var/log/messages (the Red Hat family); others write /var/log/syslog. */
const MESSAGES_OS = /rocky|centos|alma|rhel|fedora|oracle/i;

const isoTime = (seconds: number | undefined): string | null =>
  seconds === undefined ? null : new Date(seconds * 1000).toISOString();

/**
 * A server's logs (docs/api.md §3.2): its Proxmox task history with each task's log, Proxdeck's own events for
 * it, and a log file of the guest read through the QEMU guest agent (only files of GUEST_LOG_PATHS).
 */
@Injectable()
export class ServerLogs {
  constructor(
    private readonly serverConfig: ServerConfig,
    private readonly history: ServerHistory,
    private readonly proxmox: ProxmoxConnection,
    private readonly config: AppConfig,
  ) {}

  async events(name: string, limit: number): Promise<ServerEventDto[]> {
    return (await this.history.latest(name, limit)).map((event) => ({
      at: event.at.toISOString(),
      action: event.action,
      outcome: event.outcome,
      actor: event.actor,
      detail: event.detail,
      task_id: event.taskId,
    }));
  }

  async tasks(name: string, limit: number): Promise<PveTaskLogDto[]> {
    const { vm } = await this.serverConfig.locate(name);
    const pve = this.proxmox.pve();
    try {
      const tasks = await pve.nodeTasks(vm.node, { vmid: vm.vmid, limit, source: 'all' });
      const out: PveTaskLogDto[] = [];
      for (let start = 0; start < tasks.length; start += LOG_READS_AT_ONCE) {
        const batch = tasks.slice(start, start + LOG_READS_AT_ONCE);
        const logs = await Promise.all(
          batch.map((task) =>
            pve
              .taskLog(task.upid, { start: 0, limit: TASK_LOG_LINES })
              .then((log) => log.lines.map((line) => line.t))
              .catch(() => [] as string[]),
          ),
        );
        batch.forEach((task, index) =>
          out.push({
            upid: task.upid,
            type: task.type,
            user: task.user,
            node: task.node,
            started_at: isoTime(task.starttime) ?? '',
            ended_at: isoTime(task.endtime),
            status: task.status === undefined || task.status === 'RUNNING' ? null : task.status,
            log: logs[index] ?? [],
          }),
        );
      }
      return out;
    } catch (error) {
      throw pveFailure(error);
    }
  }

  /** The last `limit` lines of an allowed guest file; the syslog of the guest's OS family by default. */
  async guest(name: string, query: ServerLogsQueryDto): Promise<GuestLogDto> {
    const allowed = this.config.values.GUEST_LOG_PATHS;
    const { server, vm } = await this.serverConfig.locate(name);
    const path =
      query.path ?? (MESSAGES_OS.test(server.osType ?? '') ? '/var/log/messages' : '/var/log/syslog');
    if (!allowed.includes(path))
      throw new ValidationFailedError({ path: `must be one of GUEST_LOG_PATHS: ${allowed.join(', ')}` });
    try {
      const file = await this.proxmox.pve().agentFileRead(vm.node, vm.vmid, path);
      const lines = file.content.split('\n');
      if (lines.at(-1) === '') lines.pop();
      return { path, lines: lines.slice(-query.limit), truncated: file.truncated === true };
    } catch (error) {
      if (error instanceof PveApiError && /No such file/i.test(error.message))
        throw new NotFoundError(`File ${path} in ${name}`);
      if (
        error instanceof PveApiError &&
        /guest agent|not running|got timeout|QEMU guest agent/i.test(error.message)
      )
        throw new ConflictError(
          `The guest agent of ${name} does not answer (Proxmox: ${error.message}): ` +
            'the guest log can be read once the VM runs with qemu-guest-agent started',
          { server: name, reason: 'guest_agent_unavailable' },
        );
      throw pveFailure(error);
    }
  }
}
