import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications';
import { SelftestController } from './selftest.controller';
import { SelftestJobs } from './selftest.jobs';

/** Test endpoints (docs/api.md §13): exercise the queue, the workers, notifications and the stream. */
@Module({ imports: [NotificationsModule], controllers: [SelftestController], providers: [SelftestJobs] })
export class SelftestModule {}
