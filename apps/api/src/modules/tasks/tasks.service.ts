import { Injectable } from '@nestjs/common';
import { isFinalTaskStatus, type TaskStatus } from '@proxdeck/contracts';
import type { JobType } from '../../platform/queue/jobs';
import type { Principal } from '../../platform/access/principal';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors/app-error';
import { TaskAccepted } from '../../platform/http/envelope';
import { JobQueue } from '../../platform/queue/job-queue';
import type { Task } from '../../platform/queue/task.entity';
import { TaskSecrets } from '../../platform/queue/task-secrets';
import { TaskStore } from '../../platform/queue/task-store';
import { TaskDto } from './task.dto';

/** Reading tasks as docs/api.md §4 shows them: a caller sees their own, or every task with view_all. */
@Injectable()
export class TasksService {
  constructor(
    private readonly store: TaskStore,
    private readonly secrets: TaskSecrets,
    private readonly jobs: JobQueue,
  ) {}

  /**
   * Runs an ended task again for its failed and cancelled items (docs/api.md §15): only its creator, holding
   * the permission its job type names (`retryableBy`), and only for job types that allow it.
   */
  async retry(id: string, principal: Principal): Promise<TaskAccepted> {
    const task = await this.getVisible(id, principal);
    const retryableBy = this.jobs.definitionOf(task.type)?.retryableBy;
    if (retryableBy === undefined) throw new ConflictError(`A ${task.type} task cannot be retried`);
    if (task.createdBy !== principal.user.id)
      throw new ForbiddenError('Only the task’s creator may retry it', { required: 'creator' });
    if (!principal.permissions.has(retryableBy))
      throw new ForbiddenError(`Retrying needs ${retryableBy}`, { required: retryableBy });
    if (!isFinalTaskStatus(task.status))
      throw new ConflictError(`The task is ${task.status}: only an ended task can be retried`);
    const prepared = await this.store.prepareRetry(task.id);
    if (!prepared) throw new ConflictError('The task has no failed or cancelled items to retry');
    await this.jobs.enqueueRetry(prepared);
    return new TaskAccepted(task.id, 'Retrying the failed items');
  }

  /**
   * Cancels a task's items not started yet; running ones end as they do (docs/api.md §15): its creator, or
   * anyone holding the permission its job type names (`cancellableBy`).
   */
  async cancel(id: string, principal: Principal): Promise<TaskAccepted> {
    const task = await this.getVisible(id, principal);
    const cancellableBy = this.jobs.definitionOf(task.type)?.cancellableBy;
    if (cancellableBy === undefined) throw new ConflictError(`A ${task.type} task cannot be cancelled`);
    if (task.createdBy !== principal.user.id && !principal.permissions.has(cancellableBy))
      throw new ForbiddenError(`Cancelling another user’s task needs ${cancellableBy}`, {
        required: cancellableBy,
      });
    if (!(await this.store.requestCancel(task.id)))
      throw new ConflictError(`The task is ${task.status}: it has ended already`);
    return new TaskAccepted(task.id, 'Cancelling the items not started yet');
  }

  /** A task as the caller reads it; its creator gets the secrets it made for them, once it has finished. */
  async readStatus(id: string, principal: Principal): Promise<TaskDto> {
    const task = await this.getVisible(id, principal);
    const dto = TaskDto.from(task);
    if (task.createdBy !== principal.user.id || !isFinalTaskStatus(task.status)) return dto;
    const secrets = await this.secrets.take(task.id);
    if (secrets) dto.result = { ...dto.result, secrets };
    return dto;
  }

  /** A task the caller may see: their own, or any with view_all. */
  async getVisible(id: string, principal: Principal): Promise<Task> {
    const task = /^[0-9a-f-]{36}$/i.test(id) ? await this.store.find(id) : null;
    if (!task || (task.createdBy !== principal.user.id && !principal.permissions.has('view_all'))) {
      throw new NotFoundError(`Task ${id}`);
    }
    return task;
  }

  async list(
    principal: Principal,
    query: { page: number; per_page: number; status?: TaskStatus; type?: JobType },
  ): Promise<{ items: Task[]; total: number }> {
    const builder = this.store.repository.createQueryBuilder('task').orderBy('task.created_at', 'DESC');
    if (!principal.permissions.has('view_all'))
      builder.andWhere('task.created_by = :userId', { userId: principal.user.id });
    if (query.status) builder.andWhere('task.status = :status', { status: query.status });
    if (query.type) builder.andWhere('task.type = :type', { type: query.type });
    const [items, total] = await builder
      .skip((query.page - 1) * query.per_page)
      .take(query.per_page)
      .getManyAndCount();
    return { items, total };
  }
}
