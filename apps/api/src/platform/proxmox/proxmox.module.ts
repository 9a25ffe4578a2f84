import { Module } from '@nestjs/common';
import { EmbeddedSimulator } from './embedded-simulator';
import { ProxmoxConnection } from './proxmox-connection';

/** The connection to Proxmox VE (or the built-in simulator). Import it where Proxmox is used. */
@Module({ providers: [EmbeddedSimulator, ProxmoxConnection], exports: [ProxmoxConnection] })
export class ProxmoxModule {}
