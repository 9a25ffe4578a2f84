import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../../platform/events/events.module';
import { SecretsModule } from '../../platform/secrets/secrets.module';
import { ServersModule } from '../servers';
import { AnsibleRunner } from './ansible-runner';
import { RoleCatalog } from './role-catalog';
import { RoleRun } from './role-run.entity';
import { RoleSecrets } from './role-secrets';
import { RolesController } from './roles.controller';
import { RolesJobs } from './roles.jobs';
import { RolesRepository } from './roles.repository';
import { RolesService } from './roles.service';

/** Ansible roles on servers (docs/api.md §6, §15); also the role step of server creation. */
@Module({
  imports: [TypeOrmModule.forFeature([RoleRun]), ServersModule, EventsModule, SecretsModule],
  controllers: [RolesController],
  providers: [RoleCatalog, AnsibleRunner, RoleSecrets, RolesRepository, RolesService, RolesJobs],
  exports: [RoleCatalog],
})
export class RolesModule {}
