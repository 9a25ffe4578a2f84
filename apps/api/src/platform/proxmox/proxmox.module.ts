import { Global, Module } from '@nestjs/common';
import { EmbeddedSimulator } from './embedded-simulator';
import { ProxmoxConnection } from './proxmox-connection';

@Global()
@Module({ providers: [EmbeddedSimulator, ProxmoxConnection], exports: [ProxmoxConnection] })
export class ProxmoxModule {}
