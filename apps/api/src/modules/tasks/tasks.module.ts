import { Module } from '@nestjs/common';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

/** The task endpoints of docs/api.md §4 over the platform's durable task record. */
@Module({ controllers: [TasksController], providers: [TasksService] })
export class TasksModule {}
