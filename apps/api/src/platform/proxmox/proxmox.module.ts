import { Global, Module } from '@nestjs/common';
import { ProxmoxConnection } from './proxmox-connection';

@Global()
@Module({ providers: [ProxmoxConnection], exports: [ProxmoxConnection] })
export class ProxmoxModule {}
