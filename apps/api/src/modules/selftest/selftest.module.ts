import { Module } from '@nestjs/common';
import { SelftestController } from './selftest.controller';
import { SelftestJobs } from './selftest.jobs';

@Module({ controllers: [SelftestController], providers: [SelftestJobs] })
export class SelftestModule {}
