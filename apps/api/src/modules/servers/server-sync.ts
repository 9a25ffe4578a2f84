import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { PveNodeResource, PveVmResource } from '@proxdeck/pve-client';
import { ServiceBusyError } from '../../platform/errors/app-error';
import { EventsService } from '../../platform/events/events.service';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { RedisService } from '../../platform/redis/redis.service';
import { ServerImporter, type ImportOutcome } from './server-importer';
import { ServersRepository } from './servers.repository';
import { planSync, type UnmanagedVm } from './sync-plan';

/** A node as the last sync saw it (for /api/all_server_status without asking Proxmox again). */
export interface NodeFigures {
  node: string;
  status: string;
  cpu: number;
  maxcpu: number;
  mem: number;
  maxmem: number;
}

export interface SyncOutcome {
  /** Proxmox requests the cycle made (one, whatever the number of VMs, unless it imported some). */
  pve_requests: number;
  vms: number;
  changed: number;
  missing: number;
  unmanaged: UnmanagedVm[];
  imported: ImportOutcome[];
  duration_ms: number;
}

const LOCK_TTL_MS = 120_000;
const LOCK_WAIT_MS = 60_000;
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * The server sync (docs/api.md §3.2): one read of Proxmox's resource list per cycle, whatever the number of
 * VMs, compared with the inventory (sync-plan.ts); changed servers are written in one statement and announced
 * with a `server` event each. One cycle runs at a time across the installation.
 */
@Injectable()
export class ServerSync {
  private readonly logger = new Logger(ServerSync.name);
  private readonly lockKey: string;
  private readonly nodesKey: string;
  private readonly observers: ((outcome: SyncOutcome) => Promise<void>)[] = [];

  constructor(
    private readonly repository: ServersRepository,
    private readonly proxmox: ProxmoxConnection,
    private readonly events: EventsService,
    private readonly redis: RedisService,
    private readonly importer: ServerImporter,
  ) {
    this.lockKey = redis.key('servers', 'sync-lock');
    this.nodesKey = redis.key('servers', 'nodes');
  }

  /**
   * Runs one cycle; with `importUnmanaged`, VMs Proxdeck does not manage are taken into the inventory
   * (`importedBy` their importer). Waits for a cycle running elsewhere to finish first.
   */
  async run(options: { importUnmanaged?: boolean; importedBy?: number | null } = {}): Promise<SyncOutcome> {
    const token = await this.acquire();
    let outcome: SyncOutcome;
    try {
      outcome = await this.cycle(options);
    } finally {
      await this.redis.client.eval(RELEASE_LOCK, 1, this.lockKey, token);
    }
    for (const observer of this.observers) {
      try {
        await observer(outcome);
      } catch (error) {
        this.logger.warn(`After the sync: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return outcome;
  }

  /**
   * Work another module does after each cycle, outside the sync's lock (the firewall's drift check); a failure
   * is logged and does not fail the sync.
   */
  afterCycle(observer: (outcome: SyncOutcome) => Promise<void>): void {
    this.observers.push(observer);
  }

  /** The nodes as the last cycle saw them, or null before the first. */
  async lastNodes(): Promise<{ at: string; nodes: NodeFigures[] } | null> {
    const text = await this.redis.client.get(this.nodesKey);
    return text ? (JSON.parse(text) as { at: string; nodes: NodeFigures[] }) : null;
  }

  private async cycle(options: {
    importUnmanaged?: boolean;
    importedBy?: number | null;
  }): Promise<SyncOutcome> {
    const started = performance.now();
    const [resources, servers] = await Promise.all([
      this.proxmox.pve().clusterResources(),
      this.repository.forSync(),
    ]);
    const at = new Date();
    const vms = resources.filter((r): r is PveVmResource => r.type === 'qemu');
    const plan = planSync(servers, vms);
    const written = await this.repository.applySyncChanges(plan.changes, at);
    await this.repository.markSeen(plan.seen, at);
    await this.events.publishMany(
      'server',
      written.map((change) => ({
        data: {
          name: change.name,
          status: change.status,
          ...(change.live ? { live: { ...change.live } } : {}),
        },
        audience: { userId: null, broadcast: true },
      })),
    );
    const nodes = resources
      .filter((r): r is PveNodeResource => r.type === 'node')
      .map((n) => ({
        node: n.node,
        status: n.status,
        cpu: n.cpu ?? 0,
        maxcpu: n.maxcpu ?? 0,
        mem: n.mem ?? 0,
        maxmem: n.maxmem ?? 0,
      }));
    await this.redis.client.set(this.nodesKey, JSON.stringify({ at: at.toISOString(), nodes }));
    let pveRequests = 1;
    let imported: ImportOutcome[] = [];
    if (options.importUnmanaged && plan.unmanaged.length > 0) {
      imported = await this.importer.import(plan.unmanaged, options.importedBy ?? null);
      pveRequests += imported.filter((outcome) => outcome.read_config).length;
    }
    const outcome: SyncOutcome = {
      pve_requests: pveRequests,
      vms: vms.filter((vm) => vm.template !== 1).length,
      changed: written.length,
      missing: written.filter((change) => change.status === 'missing').length,
      unmanaged: plan.unmanaged,
      imported,
      duration_ms: Math.round(performance.now() - started),
    };
    if (written.length > 0)
      this.logger.log(`Sync: ${String(written.length)} servers changed, ${String(outcome.missing)} missing`);
    return outcome;
  }

  private async acquire(): Promise<string> {
    const token = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const taken = await this.redis.client.set(this.lockKey, token, 'PX', LOCK_TTL_MS, 'NX');
      if (taken === 'OK') return token;
      if (Date.now() > deadline) throw new ServiceBusyError('Another server sync is still running');
      await new Promise((resume) => setTimeout(resume, 100));
    }
  }
}
