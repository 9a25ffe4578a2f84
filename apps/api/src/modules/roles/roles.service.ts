import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../../platform/access/principal';
import { AppConfig } from '../../platform/config/app-config';
import { EventsService } from '../../platform/events/events.service';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { Page, TaskAccepted } from '../../platform/http/envelope';
import { JobQueue } from '../../platform/queue/job-queue';
import type { RoleRunPayload } from '../../platform/queue/jobs';
import { Task } from '../../platform/queue/task.entity';
import {
  ServerHistory,
  ServerRoles,
  ServersRepository,
  type RoleVariableValue,
  type Server,
  type ServerRoleRunner,
} from '../servers';
import { AnsibleRunner } from './ansible-runner';
import { RoleCatalog } from './role-catalog';
import { checkVariables, ROLE_OS, type RoleMetadata } from './role-metadata';
import type { RoleRunAction } from './role-run.entity';
import { RoleSecrets } from './role-secrets';
import { RoleDto, RoleRunDto, type RoleRunsQueryDto, type RoleValidationDto } from './roles.dto';
import { RolesRepository } from './roles.repository';
import { MASK } from './secret-mask';

/** Server statuses a role cannot run on (no VM yet, or going away). */
const NOT_RUNNABLE = ['creating', 'deleting', 'missing'];

/** What one run is asked to do (a job item, or a creation's last step). */
interface RunRequest {
  action: RoleRunAction;
  /** Null for a removal: the server's current role. */
  role: string | null;
  server: string;
  plain: Record<string, RoleVariableValue>;
  /** The secret variables the run needs (they wait in RoleSecrets). */
  secretNames: readonly string[];
  taskId: string;
  createdBy: number | null;
}

/** The server's first address: the one creation gave its first NIC, else the first Proxmox reported. */
export function primaryAddress(server: Pick<Server, 'networks' | 'ipAddresses'>): string | null {
  return server.networks[0]?.ip_address ?? server.ipAddresses[0] ?? null;
}

/** One line saying why a run failed, from its outcome and the end of its output. */
export function failureOf(outcome: {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  tail: readonly string[];
  timeoutS: number;
}): string {
  const tail = outcome.tail
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !/^[*=-]+$/.test(line));
  const relevant = tail
    .filter((line) => /fatal:|UNREACHABLE|FAILED|ERROR|failed=|unreachable=/i.test(line))
    .slice(-4);
  const detail = (relevant.length > 0 ? relevant : tail.slice(-3)).join(' | ');
  if (outcome.timedOut)
    return `ansible-playbook timed out after ${String(outcome.timeoutS)} s and was killed${detail ? `: ${detail}` : ''}`;
  const how = outcome.code !== null ? `exit ${String(outcome.code)}` : `signal ${outcome.signal ?? '?'}`;
  return `ansible-playbook failed (${how})${detail ? `: ${detail}` : ''}`;
}

/**
 * Ansible roles (docs/api.md §6, §15): the catalogue, assigning, removing and dry-running roles on servers as
 * `roles.run` tasks (an item per server, ROLE_RUN_CONCURRENCY at a time), the runs with their logs. A server's
 * role changes only when its run succeeds. Also the servers module's port for a role in a creation request.
 */
@Injectable()
export class RolesService implements OnModuleInit, ServerRoleRunner {
  constructor(
    private readonly catalog: RoleCatalog,
    private readonly runner: AnsibleRunner,
    private readonly runs: RolesRepository,
    private readonly secrets: RoleSecrets,
    private readonly servers: ServersRepository,
    private readonly history: ServerHistory,
    private readonly serverRoles: ServerRoles,
    private readonly events: EventsService,
    private readonly jobs: JobQueue,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.serverRoles.provide(this);
  }

  // ---- catalogue ------------------------------------------------------------------------------------------

  async available(): Promise<RoleDto[]> {
    return (await this.catalog.available()).map((role) => RoleDto.of(role));
  }

  async validate(name: string): Promise<RoleValidationDto> {
    return this.catalog.validate(name);
  }

  // ---- requests -------------------------------------------------------------------------------------------

  async assign(
    principal: Principal,
    name: string,
    body: { role: string; variables?: Record<string, unknown>; replace?: boolean },
  ): Promise<TaskAccepted> {
    if (isRemoval(body.role)) {
      notUsedByRemoval(body);
      return this.remove(principal, name);
    }
    return this.queue(principal, 'apply', [name], body);
  }

  async dryRun(
    principal: Principal,
    name: string,
    body: { role: string; variables?: Record<string, unknown> },
  ): Promise<TaskAccepted> {
    if (isRemoval(body.role)) throw new ValidationFailedError({ role: 'required: the role to try' });
    return this.queue(principal, 'dry_run', [name], body);
  }

  async remove(principal: Principal, name: string): Promise<TaskAccepted> {
    const server = await this.runnable(name, 'server_name');
    if (server.role === null) throw new ConflictError(`Server ${name} has no role`, { server: name });
    return this.queue(principal, 'remove', [name], { role: '' });
  }

  async bulk(
    principal: Principal,
    body: { server_names: string[]; role: string; variables?: Record<string, unknown>; replace?: boolean },
  ): Promise<TaskAccepted> {
    const removal = isRemoval(body.role);
    if (removal) notUsedByRemoval(body);
    return this.queue(principal, removal ? 'remove' : 'apply', body.server_names, body, 'server_names');
  }

  private async queue(
    principal: Principal,
    action: RoleRunAction,
    names: readonly string[],
    body: { role: string; variables?: Record<string, unknown>; replace?: boolean },
    field?: 'server_names',
  ): Promise<TaskAccepted> {
    const problems: Record<string, string> = {};
    const seen = new Set<string>();
    const servers: Server[] = [];
    for (const [index, name] of names.entries()) {
      const at = field === undefined ? 'server_name' : `${field}.${String(index)}`;
      if (seen.has(name)) {
        problems[at] = 'is repeated';
        continue;
      }
      seen.add(name);
      try {
        servers.push(await this.runnable(name, at, field !== undefined));
      } catch (error) {
        if (error instanceof ValidationFailedError) Object.assign(problems, error.fields);
        else throw error;
      }
    }
    let role: RoleMetadata | null = null;
    let plain: Record<string, RoleVariableValue> = {};
    let secret: Record<string, string> = {};
    if (action !== 'remove') {
      const checked = await this.checkRole(body.role, body.variables, '');
      Object.assign(problems, checked.problems);
      role = checked.role;
      plain = checked.plain;
      secret = checked.secret;
      if (role !== null)
        for (const server of servers) {
          const os = server.osType;
          if (
            os !== null &&
            ROLE_OS.includes(os as (typeof ROLE_OS)[number]) &&
            !role.os_support.includes(os as (typeof ROLE_OS)[number])
          )
            problems[field === undefined ? 'role' : `${field}.${String(names.indexOf(server.name))}`] =
              `role ${role.name} does not support ${os} (${server.name})`;
        }
    }
    if (Object.keys(problems).length > 0) throw new ValidationFailedError(problems);
    const busy = await this.busy(servers.map((server) => server.name));
    if (busy)
      throw new ConflictError(`A role run on ${busy.server} is already queued or running`, {
        server: busy.server,
        task_id: busy.taskId,
      });
    const payload: RoleRunPayload = {
      action,
      role: role?.name ?? null,
      servers: servers.map((server) => server.name),
      variables: plain,
      secret_names: Object.keys(secret).sort(),
      ...(action === 'apply' && body.replace === true ? { replace: true } : {}),
    };
    const task = await this.jobs.enqueue('roles.run', payload, {
      createdBy: principal.user.id,
      items: payload.servers,
    });
    for (const server of payload.servers) await this.secrets.keep(task.id, server, secret);
    const what =
      payload.servers.length === 1 ? (payload.servers[0] ?? '') : `${String(payload.servers.length)} servers`;
    const verb =
      action === 'apply'
        ? `Role ${role?.name ?? ''} on`
        : action === 'dry_run'
          ? `Dry run of role ${role?.name ?? ''} on`
          : 'Role removal from';
    return new TaskAccepted(task.id, `${verb} ${what} queued`);
  }

  /** The server, when a role can run on it: it exists (404, or 400 in a bulk request), has a VM and an address. */
  private async runnable(name: string, field: string, inBulk = false): Promise<Server> {
    const server = await this.servers.findByName(name);
    if (!server) {
      if (inBulk) throw new ValidationFailedError({ [field]: `no server ${name}` });
      throw new NotFoundError(`Server ${name}`);
    }
    if (NOT_RUNNABLE.includes(server.status)) {
      if (inBulk) throw new ValidationFailedError({ [field]: `${name} is ${server.status}` });
      throw new ConflictError(`Server ${name} is ${server.status}: no role can run on it`, {
        status: server.status,
      });
    }
    if (primaryAddress(server) === null) {
      if (inBulk) throw new ValidationFailedError({ [field]: `${name} has no IP address` });
      throw new ConflictError(`Server ${name} has no IP address to connect to`, { server: name });
    }
    return server;
  }

  /** The role (400 `<prefix>role` when unknown or incomplete) and its variables checked. */
  private async checkRole(
    name: string,
    variables: Record<string, unknown> | undefined,
    prefix: string,
    variablesField = 'variables',
  ): Promise<{
    role: RoleMetadata | null;
    problems: Record<string, string>;
    plain: Record<string, RoleVariableValue>;
    secret: Record<string, string>;
  }> {
    const entry = await this.catalog.find(name);
    if (!entry)
      return {
        role: null,
        problems: { [`${prefix}role`]: `no role ${name} (GET /api/roles/available lists them)` },
        plain: {},
        secret: {},
      };
    if (!entry.metadata)
      return {
        role: null,
        problems: { [`${prefix}role`]: `role ${name} is incomplete: ${entry.errors.join('; ')}` },
        plain: {},
        secret: {},
      };
    const { checked, problems } = checkVariables(entry.metadata, variables, `${prefix}${variablesField}`);
    return { role: entry.metadata, problems, ...checked };
  }

  /** A queued or running role task holding one of these servers. */
  private async busy(names: readonly string[]): Promise<{ server: string; taskId: string } | null> {
    if (names.length === 0) return null;
    const rows = await this.dataSource
      .getRepository(Task)
      .createQueryBuilder('t')
      .where('t.type = :type', { type: 'roles.run' })
      .andWhere('t.status IN (:...open)', { open: ['queued', 'running'] })
      .andWhere("t.payload -> 'servers' ?| :names", { names: [...names] })
      .orderBy('t.created_at', 'ASC')
      .getMany();
    for (const row of rows) {
      const held = (row.payload.servers as string[] | undefined) ?? [];
      const server = held.find((name) => names.includes(name));
      if (server !== undefined) return { server, taskId: row.id };
    }
    return null;
  }

  // ---- runs -----------------------------------------------------------------------------------------------

  async listRuns(query: RoleRunsQueryDto): Promise<Page<RoleRunDto>> {
    const [runs, total] = await this.runs.page(
      {
        ...(query.server !== undefined ? { server: query.server } : {}),
        ...(query.role !== undefined ? { role: query.role } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.task_id !== undefined ? { taskId: query.task_id } : {}),
      },
      query.page,
      query.per_page,
    );
    return Page.of(
      runs.map((run) => RoleRunDto.of(run)),
      total,
      query.page,
      query.per_page,
    );
  }

  async run(id: number): Promise<RoleRunDto> {
    const run = await this.runs.find(id);
    if (!run) throw new NotFoundError(`Role run ${String(id)}`);
    return RoleRunDto.of(run);
  }

  // ---- the work -------------------------------------------------------------------------------------------

  /**
   * For an apply that replaces: removes the role the server has when it is another one (its removal run kept
   * like any other); nothing when it has none or the same. Throws when the removal fails: the apply is not run.
   */
  async removePrevious(
    server: string,
    payload: Readonly<RoleRunPayload>,
    taskId: string,
    createdBy: number | null,
  ): Promise<{ run_id: number; role: string; status: string }> {
    const current = (await this.servers.findByName(server))?.role ?? null;
    if (
      payload.action !== 'apply' ||
      payload.replace !== true ||
      current === null ||
      current === payload.role
    )
      return { run_id: 0, role: current ?? '', status: 'nothing to replace' };
    return this.execute({
      action: 'remove',
      role: null,
      server,
      plain: {},
      secretNames: [],
      taskId,
      createdBy,
    });
  }

  /** One item of a `roles.run` task: the run on one server. */
  async perform(server: string, payload: Readonly<RoleRunPayload>, taskId: string, createdBy: number | null) {
    return this.execute({
      action: payload.action,
      role: payload.role,
      server,
      plain: payload.variables,
      secretNames: payload.secret_names,
      taskId,
      createdBy,
    });
  }

  /**
   * Runs a role on a server with its log kept as a run and streamed as `role_run` events; records the
   * server's new role only when the run succeeded. Throws with the failure (the end of the output) otherwise.
   */
  private async execute(request: RunRequest): Promise<{ run_id: number; role: string; status: string }> {
    const server = await this.servers.findByName(request.server);
    if (!server) throw new Error(`Server ${request.server} does not exist any more`);
    const address = primaryAddress(server);
    if (address === null) throw new Error(`Server ${request.server} has no IP address to connect to`);
    const roleName = request.action === 'remove' ? server.role : request.role;
    if (roleName === null) return { run_id: 0, role: '', status: 'no role to remove' };
    const entry = await this.catalog.find(roleName);
    if (!entry?.metadata)
      throw new Error(
        `Role ${roleName} is not in the catalogue${entry ? `: ${entry.errors.join('; ')}` : ''}`,
      );
    let secret: Record<string, string> = {};
    if (request.secretNames.length > 0) {
      const kept = await this.secrets.read(request.taskId, request.server);
      if (kept === null)
        throw new Error('The secret variables of this run are gone (kept one day): assign the role again');
      secret = kept;
    } else if (request.action !== 'remove')
      secret = (await this.secrets.read(request.taskId, request.server)) ?? {};
    await this.runs.interrupt(request.taskId, request.server);
    const shown: Record<string, unknown> = { ...request.plain };
    for (const name of Object.keys(secret)) shown[name] = MASK;
    const run = await this.runs.start({
      server: request.server,
      role: roleName,
      action: request.action,
      variables: shown,
      taskId: request.taskId,
      address,
      createdBy: request.createdBy,
    });
    const audience = { userId: request.createdBy, broadcast: true };
    const base = {
      run_id: run.id,
      task_id: request.taskId,
      server: request.server,
      role: roleName,
      action: request.action,
    };
    let offset = 0;
    const publish = async (status: 'running' | 'succeeded' | 'failed', lines: string[]) => {
      await this.events.publish('role_run', { ...base, status, offset, lines }, audience);
      offset += lines.length;
    };
    await publish('running', []);

    if (request.action === 'remove' && !entry.metadata.removable) {
      const line = `Role ${roleName} has no removal tasks: it is unassigned without running anything`;
      await this.runs.appendLog(run.id, `${line}\n`);
      await publish('running', [line]);
      return this.succeeded(run.id, request, roleName, publish);
    }

    const outcome = await this.runner.run(
      {
        action: request.action,
        role: roleName,
        host: request.server,
        address,
        plain: request.plain,
        secret,
      },
      async (lines) => {
        await this.runs.appendLog(run.id, `${lines.join('\n')}\n`);
        await publish('running', lines);
      },
    );
    if (outcome.code === 0 && !outcome.timedOut) return this.succeeded(run.id, request, roleName, publish);
    const error = failureOf({ ...outcome, timeoutS: this.runnerTimeoutS() });
    await this.runs.finish(run.id, { status: 'failed', exitCode: outcome.code, error });
    await publish('failed', []);
    await this.history.record([request.server], {
      action: `role.${request.action}`,
      outcome: 'failed',
      actor: null,
      detail: `${roleName}: ${error}`,
      taskId: request.taskId,
    });
    throw new Error(`Role ${roleName} on ${request.server}: ${error}`);
  }

  private async succeeded(
    runId: number,
    request: RunRequest,
    role: string,
    publish: (status: 'succeeded', lines: string[]) => Promise<void>,
  ): Promise<{ run_id: number; role: string; status: string }> {
    await this.runs.finish(runId, { status: 'succeeded', exitCode: 0, error: null });
    if (request.action !== 'dry_run') {
      const updated = await this.servers.setRole(request.server, request.action === 'apply' ? role : null);
      if (updated)
        await this.events.publish(
          'server',
          { name: updated.name, status: updated.status },
          { userId: null, broadcast: true },
        );
    }
    // The secrets wait for the apply when this was the removal before it.
    if (request.action !== 'remove') await this.secrets.forget(request.taskId, request.server);
    await publish('succeeded', []);
    await this.history.record([request.server], {
      action: `role.${request.action}`,
      outcome: 'completed',
      actor: null,
      detail: role,
      taskId: request.taskId,
    });
    return { run_id: runId, role, status: 'succeeded' };
  }

  private runnerTimeoutS(): number {
    return this.config.values.ANSIBLE_RUN_TIMEOUT_S;
  }

  // ---- the servers module's port (a role in a creation request) -------------------------------------------

  async check(role: string, variables: Record<string, unknown> | undefined, field: string) {
    const checked = await this.checkRole(role, variables, field, 'role_variables');
    return { problems: checked.problems, plain: checked.plain, secret: checked.secret };
  }

  async keepSecrets(taskId: string, server: string, secret: Record<string, string>): Promise<void> {
    await this.secrets.keep(taskId, server, secret);
  }

  async applyOnCreation(run: {
    server: string;
    role: string;
    variables: Record<string, RoleVariableValue>;
    taskId: string;
    createdBy: number | null;
  }): Promise<{ run_id: number }> {
    const outcome = await this.execute({
      action: 'apply',
      role: run.role,
      server: run.server,
      plain: run.variables,
      secretNames: [],
      taskId: run.taskId,
      createdBy: run.createdBy,
    });
    return { run_id: outcome.run_id };
  }
}

function isRemoval(role: string): boolean {
  return role === '' || role === 'none';
}

/** A removal takes no variables and replaces nothing: a request that gives them is refused, the field named. */
function notUsedByRemoval(body: { variables?: Record<string, unknown>; replace?: boolean }): void {
  if (body.variables !== undefined && Object.keys(body.variables).length > 0)
    throw new ValidationFailedError({ variables: 'not used when removing a role' });
  if (body.replace === true) throw new ValidationFailedError({ replace: 'not used when removing a role' });
}
