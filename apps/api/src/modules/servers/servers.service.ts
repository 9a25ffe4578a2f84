import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '../../platform/errors/app-error';
import { JsonTextPage } from '../../platform/http/envelope';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import {
  AllServerStatusDto,
  LiveServerStatusDto,
  ServerBriefDto,
  ServerDto,
  type ClusterStatsDto,
  type ServerListQueryDto,
} from './server.dto';
import type { Server } from './server.entity';
import { ServerListCache } from './server-list-cache';
import { ServerSync, type NodeFigures } from './server-sync';
import { ServersRepository, type ServerSortField } from './servers.repository';

const MiB = 1024 ** 2;

function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

/** Reading the server inventory (docs/api.md §3.2): lists, the cluster at a glance, a VM's live status. */
@Injectable()
export class ServersService {
  constructor(
    private readonly repository: ServersRepository,
    private readonly sync: ServerSync,
    private readonly proxmox: ProxmoxConnection,
    private readonly listCache: ServerListCache,
  ) {}

  /** A page of the list: read by Postgres as JSON, and kept while the inventory does not change. */
  async list(query: ServerListQueryDto): Promise<JsonTextPage> {
    const descending = query.sort.startsWith('-');
    const filters = {
      ...(query.status ? { status: query.status } : {}),
      ...(query.node ? { node: query.node } : {}),
      ...(query.role ? { role: query.role } : {}),
      ...(query.firewall_group ? { firewall_group: query.firewall_group } : {}),
      ...(query.q?.trim() ? { q: query.q.trim() } : {}),
    };
    const sort = { field: (descending ? query.sort.slice(1) : query.sort) as ServerSortField, descending };
    const page = { offset: (query.page - 1) * query.per_page, limit: query.per_page };
    const { itemsJson, total } = await this.listCache.get(JSON.stringify([filters, sort, page]), () =>
      this.repository.listJson(filters, sort, page),
    );
    return JsonTextPage.of(itemsJson, total, query.page, query.per_page);
  }

  async brief(): Promise<ServerBriefDto[]> {
    return (await this.repository.all()).map((server) => ServerBriefDto.from(server));
  }

  async get(name: string): Promise<ServerDto> {
    return ServerDto.from(await this.find(name));
  }

  /** Every server by name, and the cluster's figures (nodes as the last sync read them). */
  async allStatus(): Promise<AllServerStatusDto> {
    const [servers, counts, allocated, snapshot] = await Promise.all([
      this.repository.all(),
      this.repository.countsByStatus(),
      this.repository.allocated(),
      this.nodes(),
    ]);
    const nodes = snapshot.nodes;
    const sum = (pick: (node: NodeFigures) => number) => nodes.reduce((total, node) => total + pick(node), 0);
    const maxcpu = sum((node) => node.maxcpu);
    const maxmem = sum((node) => node.maxmem);
    const stats: ClusterStatsDto = {
      total: servers.length,
      running: counts.get('running') ?? 0,
      stopped: counts.get('stopped') ?? 0,
      failed: counts.get('failed') ?? 0,
      by_status: Object.fromEntries(counts),
      cpu_usage_percent: percent(
        sum((node) => node.cpu * node.maxcpu),
        maxcpu,
      ),
      memory_usage_percent: percent(
        sum((node) => node.mem),
        maxmem,
      ),
      cpu_allocation_percent: percent(allocated.cores, maxcpu),
      memory_allocation_percent: percent(allocated.memoryMb * MiB, maxmem),
      nodes,
      nodes_read_at: snapshot.at,
    };
    return {
      servers: Object.fromEntries(servers.map((server) => [server.name, ServerDto.from(server)])),
      stats,
    };
  }

  /** The VM's status read from Proxmox now. */
  async liveStatus(name: string): Promise<LiveServerStatusDto> {
    const server = await this.find(name);
    if (server.vmid === null || server.node === null)
      throw new ConflictError(`Server ${name} has no VM in Proxmox yet (status ${server.status})`);
    const status = await this.proxmox.pve().vmStatus(server.node, server.vmid);
    return {
      name: server.name,
      vmid: server.vmid,
      node: server.node,
      status: status.status,
      qmpstatus: status.qmpstatus,
      lock: typeof status.lock === 'string' ? status.lock : null,
      cpu: status.cpu,
      mem: status.mem,
      maxmem: status.maxmem,
      uptime: status.uptime,
      agent: status.agent === 1,
    };
  }

  private async find(name: string): Promise<Server> {
    const server = await this.repository.findByName(name);
    if (!server) throw new NotFoundError(`Server ${name}`);
    return server;
  }

  /** The nodes as the last sync saw them; read from Proxmox when no sync has run yet. */
  private async nodes(): Promise<{ at: string | null; nodes: NodeFigures[] }> {
    const last = await this.sync.lastNodes();
    if (last) return last;
    const nodes = await this.proxmox.pve().nodes();
    return {
      at: new Date().toISOString(),
      nodes: nodes.map((n) => ({
        node: n.node,
        status: n.status,
        cpu: n.cpu ?? 0,
        maxcpu: n.maxcpu ?? 0,
        mem: n.mem ?? 0,
        maxmem: n.maxmem ?? 0,
      })),
    };
  }
}
