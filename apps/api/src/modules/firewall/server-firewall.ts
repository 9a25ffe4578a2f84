import { Injectable, Logger } from '@nestjs/common';
import type { PveClient } from '@proxdeck/pve-client';
import type { Principal } from '../../platform/access/principal';
import { AppConfig } from '../../platform/config/app-config';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { TaskAccepted } from '../../platform/http/envelope';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { attachVmGroup, detachVmGroup, vmGroupDrift } from '../../platform/proxmox/vm-firewall';
import { JobQueue } from '../../platform/queue/job-queue';
import { RedisService } from '../../platform/redis/redis.service';
import { NotificationsService } from '../notifications';
import type { DriftDto, ServerFirewallDto } from './firewall.dto';
import { FirewallRepository, type FirewalledServer } from './firewall.repository';
import { firewallWriteFailure } from './pve-errors';

const DRIFT_TEXT = {
  group_missing: 'its VM firewall no longer has the group rule',
  group_disabled: 'the group rule in its VM firewall is disabled',
  firewall_off: 'its VM firewall is turned off',
} as const;

/**
 * The group Proxdeck attaches to a server's VM (docs/api.md §7, §15): apply, remove, re-apply, bulk assignment
 * as a task, and drift — the sync's check that Proxmox still holds what Proxdeck recorded.
 */
@Injectable()
export class ServerFirewall {
  private readonly logger = new Logger(ServerFirewall.name);
  private readonly throttleKey: string;

  constructor(
    private readonly proxmox: ProxmoxConnection,
    private readonly repository: FirewallRepository,
    private readonly jobs: JobQueue,
    private readonly notifications: NotificationsService,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {
    this.throttleKey = redis.key('firewall', 'drift-check');
  }

  private pve(): PveClient {
    return this.proxmox.pve();
  }

  private async located(name: string): Promise<FirewalledServer & { vmid: number; node: string }> {
    const server = await this.repository.server(name);
    if (!server) throw new NotFoundError(`Server ${name}`);
    if (
      server.vmid === null ||
      server.node === null ||
      ['creating', 'missing', 'failed'].includes(server.status)
    )
      throw new ConflictError(`Server ${name} has no VM to change (status ${server.status})`, {
        status: server.status,
      });
    return { ...server, vmid: server.vmid, node: server.node };
  }

  private async groupExists(group: string): Promise<boolean> {
    try {
      return (await this.pve().firewallGroups()).some((candidate) => candidate.group === group);
    } catch (error) {
      throw firewallWriteFailure(error);
    }
  }

  async state(name: string): Promise<ServerFirewallDto> {
    const server = await this.repository.server(name);
    if (!server) throw new NotFoundError(`Server ${name}`);
    const drift = await this.repository.driftOf(server.id);
    return { server_name: server.name, firewall_group: server.group, drift: drift?.reason ?? null };
  }

  /** Attaches `group` to the server's VM, replacing the one Proxdeck attached before, and records it. */
  async apply(name: string, group: string): Promise<ServerFirewallDto> {
    const server = await this.located(name);
    if (!(await this.groupExists(group)))
      throw new ValidationFailedError({ security_group: `is not a security group in Proxmox: ${group}` });
    try {
      await attachVmGroup(this.pve(), server, group, server.group);
    } catch (error) {
      throw firewallWriteFailure(error);
    }
    await this.repository.recordGroup(server.id, group);
    return this.state(name);
  }

  /** Removes only the group rule Proxdeck attached; the VM's other rules and its firewall options stay. */
  async remove(name: string): Promise<ServerFirewallDto> {
    const server = await this.repository.server(name);
    if (!server) throw new NotFoundError(`Server ${name}`);
    if (server.vmid !== null && server.node !== null && server.status !== 'missing') {
      try {
        await detachVmGroup(this.pve(), { node: server.node, vmid: server.vmid }, server.group);
      } catch (error) {
        throw firewallWriteFailure(error);
      }
    }
    await this.repository.recordGroup(server.id, null);
    return this.state(name);
  }

  /** Drift repair: attaches the recorded group again and turns the VM firewall on. */
  async reapply(name: string): Promise<ServerFirewallDto> {
    const server = await this.located(name);
    if (server.group === null)
      throw new ConflictError(`Server ${name} has no security group recorded: apply one instead`);
    return this.apply(name, server.group);
  }

  /** One task, an item per server; `none` removes the group Proxdeck attached. */
  async assignBulk(principal: Principal, names: readonly string[], group: string): Promise<TaskAccepted> {
    const unique = [...new Set(names)];
    const known = new Set((await this.repository.serversNamed(unique)).map((server) => server.name));
    const unknown = unique.filter((name) => !known.has(name));
    if (unknown.length > 0)
      throw new ValidationFailedError({ server_names: `no such servers: ${unknown.join(', ')}` });
    const target = group === 'none' ? null : group;
    if (target !== null && !(await this.groupExists(target)))
      throw new ValidationFailedError({ security_group: `is not a security group in Proxmox: ${target}` });
    const task = await this.jobs.enqueue(
      'firewall.assign',
      { group: target, servers: unique },
      { createdBy: principal.user.id, items: unique },
    );
    return new TaskAccepted(
      task.id,
      target === null
        ? `Removal of the security group from ${String(unique.length)} servers queued`
        : `Assignment of ${target} to ${String(unique.length)} servers queued`,
    );
  }

  async drifts(): Promise<DriftDto[]> {
    return (await this.repository.drifts()).map((row) => ({
      server_name: row.serverName,
      firewall_group: row.groupName,
      reason: row.reason,
      detected_at: row.detectedAt.toISOString(),
    }));
  }

  /**
   * Compares each server's VM firewall with the group Proxdeck recorded (two reads per server), at most every
   * FIREWALL_DRIFT_CHECK_S across the installation: new drift is recorded and announced to everyone, drift
   * that went away is cleared.
   */
  /** Null when another process checked within FIREWALL_DRIFT_CHECK_S; `changed`: a drift was found or went. */
  async checkDrift(): Promise<{ checked: number; drifted: number; changed: boolean } | null> {
    const every = this.config.values.FIREWALL_DRIFT_CHECK_S;
    if (every > 0) {
      const taken = await this.redis.client.set(this.throttleKey, '1', 'EX', every, 'NX');
      if (taken !== 'OK') return null;
    }
    const servers = await this.repository.checkable();
    let drifted = 0;
    let changed = false;
    const at = new Date();
    for (const server of servers) {
      if (server.group === null || server.vmid === null || server.node === null) continue;
      let drift;
      try {
        drift = await vmGroupDrift(this.pve(), { node: server.node, vmid: server.vmid }, server.group);
      } catch (error) {
        this.logger.warn(
          `Drift check of ${server.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
        continue;
      }
      if (drift === null) {
        if (await this.repository.clearDrift(server.id)) changed = true;
        continue;
      }
      drifted += 1;
      if (await this.repository.markDrift(server.id, server.group, drift, at)) {
        changed = true;
        await this.notifications.raise({
          type: 'firewall.drift',
          severity: 'warning',
          title: `Firewall drift on ${server.name}`,
          message: `${server.name} should have the security group ${server.group}, but ${DRIFT_TEXT[drift]}. Re-apply it from the server's page.`,
          details: { group: server.group, reason: drift },
          server: server.name,
          recipientId: null,
        });
      }
    }
    return { checked: servers.length, drifted, changed };
  }
}
