import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, Repository } from 'typeorm';
import type { VmFirewallDrift } from '../../platform/proxmox/vm-firewall';
import { Server, ServersRepository } from '../servers';
import { FirewallDrift } from './firewall-drift.entity';

/** A server as the firewall sees it: where its VM is and which group Proxdeck attached. */
export interface FirewalledServer {
  id: number;
  name: string;
  vmid: number | null;
  node: string | null;
  status: string;
  group: string | null;
}

function view(server: Server): FirewalledServer {
  return {
    id: server.id,
    name: server.name,
    vmid: server.vmid,
    node: server.node,
    status: server.status,
    group: server.firewallGroup,
  };
}

/** Every query of the firewall module: the group recorded on servers (servers.firewall_group) and drift. */
@Injectable()
export class FirewallRepository {
  constructor(
    @InjectRepository(Server) private readonly servers: Repository<Server>,
    @InjectRepository(FirewallDrift) private readonly drift: Repository<FirewallDrift>,
    private readonly inventory: ServersRepository,
  ) {}

  async server(name: string): Promise<FirewalledServer | null> {
    const server = await this.servers.findOne({ where: { name } });
    return server ? view(server) : null;
  }

  async serversNamed(names: readonly string[]): Promise<FirewalledServer[]> {
    if (names.length === 0) return [];
    return (await this.servers.find({ where: { name: In([...names]) } })).map(view);
  }

  /** Servers using each group, by group name. */
  async serversByGroup(): Promise<Map<string, string[]>> {
    const rows = await this.servers.find({
      where: { firewallGroup: Not(IsNull()) },
      select: { name: true, firewallGroup: true },
      order: { name: 'ASC' },
    });
    const byGroup = new Map<string, string[]>();
    for (const row of rows) {
      if (row.firewallGroup === null) continue;
      byGroup.set(row.firewallGroup, [...(byGroup.get(row.firewallGroup) ?? []), row.name]);
    }
    return byGroup;
  }

  async serversUsing(group: string): Promise<FirewalledServer[]> {
    return (await this.servers.find({ where: { firewallGroup: group }, order: { name: 'ASC' } })).map(view);
  }

  /** Records the group Proxdeck attached (null: none); a change ends any drift of the server. */
  async recordGroup(serverId: number, group: string | null): Promise<void> {
    await this.inventory.setFirewallGroup(serverId, group);
    await this.drift.delete({ serverId });
  }

  async renameGroup(from: string, to: string): Promise<void> {
    await this.inventory.renameFirewallGroup(from, to);
    await this.drift.update({ groupName: from }, { groupName: to });
  }

  /** Servers to check for drift: a recorded group and a VM that exists. */
  async checkable(): Promise<FirewalledServer[]> {
    return (
      await this.servers.find({
        where: { firewallGroup: Not(IsNull()), status: In(['running', 'stopped', 'paused', 'unknown']) },
      })
    )
      .map(view)
      .filter((server) => server.vmid !== null && server.node !== null);
  }

  async drifts(): Promise<(FirewallDrift & { serverName: string })[]> {
    const rows = await this.drift.find({ order: { detectedAt: 'ASC' } });
    if (rows.length === 0) return [];
    const names = new Map(
      (
        await this.servers.find({
          where: { id: In(rows.map((row) => row.serverId)) },
          select: { id: true, name: true },
        })
      ).map((server) => [server.id, server.name]),
    );
    return rows.flatMap((row) => {
      const serverName = names.get(row.serverId);
      return serverName === undefined ? [] : [Object.assign(row, { serverName })];
    });
  }

  async driftOf(serverId: number): Promise<FirewallDrift | null> {
    return this.drift.findOne({ where: { serverId } });
  }

  /** Records drift; true when it is new (not known before with the same reason). */
  async markDrift(serverId: number, group: string, reason: VmFirewallDrift, at: Date): Promise<boolean> {
    const known = await this.drift.findOne({ where: { serverId } });
    if (known?.reason === reason && known.groupName === group) return false;
    await this.drift.upsert({ serverId, groupName: group, reason, detectedAt: at }, ['serverId']);
    return true;
  }

  async clearDrift(serverId: number): Promise<boolean> {
    return ((await this.drift.delete({ serverId })).affected ?? 0) > 0;
  }
}
