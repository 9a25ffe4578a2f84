import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { RoleRun, type RoleRunAction, type RoleRunStatus } from './role-run.entity';

/** Every query of the roles domain: the role_runs table. */
@Injectable()
export class RolesRepository {
  constructor(@InjectRepository(RoleRun) private readonly runs: Repository<RoleRun>) {}

  async start(run: {
    server: string;
    role: string;
    action: RoleRunAction;
    variables: Record<string, unknown>;
    taskId: string | null;
    address: string | null;
    createdBy: number | null;
  }): Promise<RoleRun> {
    return this.runs.save(
      this.runs.create({ ...run, status: 'running', log: '', startedAt: new Date(), finishedAt: null }),
    );
  }

  /**
   * Ends as failed the runs of this task on this server still marked running: a worker died during them (a
   * new try of the task item starts a new run).
   */
  async interrupt(taskId: string, server: string): Promise<void> {
    await this.runs.query(
      `UPDATE role_runs SET status = 'failed', finished_at = now(),
              error = 'Interrupted: the worker running it stopped', log = log || $3
        WHERE task_id = $1 AND server = $2 AND status = 'running'`,
      [taskId, server, 'Proxdeck: the worker running this run stopped before it ended\n'],
    );
  }

  /** Appends output (already masked) to a run's log. */
  async appendLog(id: number, text: string): Promise<void> {
    if (text.length === 0) return;
    await this.runs.query('UPDATE role_runs SET log = log || $2 WHERE id = $1', [id, text]);
  }

  async finish(
    id: number,
    outcome: { status: Exclude<RoleRunStatus, 'running'>; exitCode: number | null; error: string | null },
  ): Promise<void> {
    await this.runs.update(id, { ...outcome, finishedAt: new Date() });
  }

  async find(id: number): Promise<RoleRun | null> {
    return this.runs.findOneBy({ id });
  }

  async page(
    filter: { server?: string; role?: string; status?: RoleRunStatus; taskId?: string },
    page: number,
    perPage: number,
  ): Promise<[RoleRun[], number]> {
    return this.runs.findAndCount({
      where: {
        ...(filter.server !== undefined ? { server: filter.server } : {}),
        ...(filter.role !== undefined ? { role: filter.role } : {}),
        ...(filter.status !== undefined ? { status: filter.status } : {}),
        ...(filter.taskId !== undefined ? { taskId: filter.taskId } : {}),
      },
      order: { id: 'DESC' },
      skip: (page - 1) * perPage,
      take: perPage,
    });
  }
}
