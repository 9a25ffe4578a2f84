import { Module } from '@nestjs/common';
import { AuditModule } from '../../platform/audit/audit.module';
import { ServersModule } from '../servers';
import { UsersModule } from '../users';
import { AdministrationService } from './administration.service';
import { AuditController } from './audit.controller';
import { AuditJobs } from './audit.jobs';
import { IamController } from './iam.controller';
import { TokensController } from './tokens.controller';
import { UsersAdminController } from './users-admin.controller';

/** Administration (docs/api.md §11): users, IAM, API tokens, the audit trail and the summary. */
@Module({
  imports: [UsersModule, ServersModule, AuditModule],
  controllers: [UsersAdminController, IamController, TokensController, AuditController],
  providers: [AdministrationService, AuditJobs],
})
export class AdminModule {}
