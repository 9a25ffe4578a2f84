import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../../platform/events/events.module';
import { ProxmoxModule } from '../../platform/proxmox/proxmox.module';
import { NotificationsModule } from '../notifications';
import { Server, ServersModule } from '../servers';
import { AnnounceFirewallChanges, FirewallAnnouncer } from './firewall-announcer';
import { FirewallDrift } from './firewall-drift.entity';
import { FirewallController } from './firewall.controller';
import { FirewallJobs } from './firewall.jobs';
import { FirewallRepository } from './firewall.repository';
import { FirewallService } from './firewall.service';
import { ServerFirewall } from './server-firewall';

/** Security groups, rules, IP sets and aliases, and the group attached to each server (docs/api.md §7, §15). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Server, FirewallDrift]),
    ServersModule,
    NotificationsModule,
    ProxmoxModule,
    EventsModule,
  ],
  controllers: [FirewallController],
  providers: [
    FirewallRepository,
    FirewallService,
    ServerFirewall,
    FirewallJobs,
    FirewallAnnouncer,
    AnnounceFirewallChanges,
  ],
  exports: [ServerFirewall],
})
export class FirewallModule {}
