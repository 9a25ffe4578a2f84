import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Task } from './task.entity';
import { TaskRunner } from './task-runner';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';
import { WorkerRegistry } from './worker-registry';

/** Tasks: the durable record, the endpoints of api.md §4, and the runner that processes Bull jobs. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Task]), DiscoveryModule],
  controllers: [TasksController],
  providers: [TasksService, TaskRunner, WorkerRegistry],
  exports: [TasksService, TaskRunner],
})
export class TasksModule {}
