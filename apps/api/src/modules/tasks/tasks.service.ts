import { Injectable } from '@nestjs/common';
import { isFinalTaskStatus, type TaskStatus } from '@proxdeck/contracts';
import type { JobType } from '../../platform/queue/jobs';
import type { Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
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
  ) {}

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
