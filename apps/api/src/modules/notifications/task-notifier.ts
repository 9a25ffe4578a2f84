import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import type { Task, TaskItem } from '../../platform/queue/task.entity';
import { TaskStore } from '../../platform/queue/task-store';
import { NotificationsService } from './notifications.service';

/**
 * The notifications the platform raises about tasks, to whoever started them: a task that failed or ended
 * partial, and a long one (over NOTIFY_TASKS_LONGER_THAN_S) that completed. Raised once, by the process that
 * ended the task.
 */
@Injectable()
export class TaskNotifier implements OnModuleInit {
  constructor(
    private readonly tasks: TaskStore,
    private readonly notifications: NotificationsService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.tasks.onFinished((task) => this.notify(task));
  }

  async notify(task: Task): Promise<void> {
    if (task.createdBy === null) return;
    const base = { taskId: task.id, recipientId: task.createdBy, details: { type: task.type } };
    const failedItems = task.items.filter((item) => item.status === 'failed');
    if (task.status === 'failed') {
      await this.notifications.raise({
        ...base,
        type: 'task.failed',
        severity: 'error',
        title: `Task ${task.type} failed`,
        message: task.error ?? (describeFailures(failedItems) || 'Failed'),
      });
    } else if (task.status === 'partial') {
      await this.notifications.raise({
        ...base,
        type: 'task.partial',
        severity: 'warning',
        title: `Task ${task.type}: ${String(failedItems.length)} of ${String(task.items.length)} failed`,
        message: describeFailures(failedItems),
      });
    } else if (task.status === 'completed' && task.startedAt && task.finishedAt) {
      const seconds = (task.finishedAt.getTime() - task.startedAt.getTime()) / 1000;
      if (seconds < this.config.values.NOTIFY_TASKS_LONGER_THAN_S) return;
      await this.notifications.raise({
        ...base,
        type: 'task.completed',
        severity: 'success',
        title: `Task ${task.type} completed`,
        message: `Completed in ${String(Math.round(seconds))} s`,
      });
    }
  }
}

function describeFailures(items: readonly TaskItem[]): string {
  return items.map((item) => `${item.name}: ${item.error ?? 'failed'}`).join('; ');
}
