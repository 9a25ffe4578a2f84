import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { ConflictError } from '../../platform/errors/app-error';
import type { PlannedServer } from './creation-plan';
import { Server, type ServerLive, type ServerNetwork } from './server.entity';
import { ServerListCache } from './server-list-cache';
import type { ServerStatus } from './server-status';
import type { ServerChange, SyncedServer } from './sync-plan';

export const SERVER_SORT_FIELDS = ['name', 'vmid', 'node', 'status', 'created_at', 'updated_at'] as const;
export type ServerSortField = (typeof SERVER_SORT_FIELDS)[number];

export interface ServerListFilters {
  status?: ServerStatus;
  node?: string;
  role?: string;
  firewall_group?: string;
  /** A part of the name, or the start of an IP address. */
  q?: string;
}

export interface ServerSort {
  field: ServerSortField;
  descending: boolean;
}

const SORT_COLUMNS: Record<ServerSortField, string> = {
  name: 's.name',
  vmid: 's.vmid',
  node: 's.node',
  status: 's.status',
  created_at: 's.created_at',
  updated_at: 's.updated_at',
};

/** Every query of the server inventory. */
@Injectable()
export class ServersRepository {
  constructor(
    @InjectRepository(Server) private readonly servers: Repository<Server>,
    private readonly listCache: ServerListCache,
  ) {}

  /**
   * A page of servers as the JSON of ServerDto, written by Postgres in one query with the total: the list is
   * the inventory's hottest read, and the rows need no objects in between. `servers.spec.ts` checks that it is
   * the same JSON as ServerDto.from gives.
   */
  async listJson(
    filters: ServerListFilters,
    sort: ServerSort,
    page: { offset: number; limit: number },
  ): Promise<{ itemsJson: string; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${String(params.length)}`;
    };
    if (filters.status) where.push(`s.status = ${param(filters.status)}`);
    if (filters.node) where.push(`s.node = ${param(filters.node)}`);
    if (filters.role) where.push(`s.role = ${param(filters.role)}`);
    if (filters.firewall_group) where.push(`s.firewall_group = ${param(filters.firewall_group)}`);
    if (filters.q) {
      const text = filters.q.replace(/[\\%_]/g, (c) => `\\${c}`);
      where.push(
        `(s.name LIKE ${param(`%${text.toLowerCase()}%`)} OR EXISTS (SELECT 1 FROM unnest(s.ip_addresses) ip WHERE ip LIKE ${param(`${text}%`)}))`,
      );
    }
    // Names are unique: sorting by name needs no tie-breaker, and then walks the name index.
    const order =
      `${SORT_COLUMNS[sort.field]} ${sort.descending ? 'DESC' : 'ASC'} NULLS LAST` +
      (sort.field === 'name' ? '' : ', s.id ASC');
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    // Two subqueries rather than one CTE: a CTE used twice is materialized, and then no index serves the page.
    const rows = await this.servers.query<{ total: number; items: string }[]>(
      `SELECT (SELECT count(*)::int FROM servers s${filter}) AS total,
              COALESCE((
                SELECT json_agg(json_build_object(
                  'id', s.id, 'name', s.name, 'vmid', s.vmid, 'node', s.node, 'status', s.status, 'origin', s.origin,
                  'cpu_cores', s.cpu_cores, 'memory_mb', s.memory_mb, 'disks', s.disks, 'networks', s.networks,
                  'ip_addresses', s.ip_addresses, 'os_type', s.os_type, 'template_vmid', s.template_vmid,
                  'role', s.role, 'firewall_group', s.firewall_group, 'tags', s.tags, 'description', s.description,
                  'live', s.live, 'error', s.error, 'created_by', s.created_by,
                  'created_at', ${iso('s.created_at')}, 'updated_at', ${iso('s.updated_at')},
                  'last_synced_at', ${iso('s.last_synced_at')}
                ) ORDER BY ${order})
                FROM (SELECT * FROM servers s${filter} ORDER BY ${order}
                      LIMIT ${param(page.limit)} OFFSET ${param(page.offset)}) s
              ), '[]')::text AS items`,
      params,
    );
    const row = rows[0];
    return { itemsJson: row?.items ?? '[]', total: row?.total ?? 0 };
  }

  /** Every server, ordered by name. */
  async all(): Promise<Server[]> {
    return this.servers.find({ order: { name: 'ASC' } });
  }

  async findByName(name: string): Promise<Server | null> {
    return this.servers.findOneBy({ name });
  }

  /** The server holding this address (the first by name if, wrongly, several do). */
  async findByIp(ip: string): Promise<Server | null> {
    return this.servers
      .createQueryBuilder('s')
      .where(':ip = ANY(s.ip_addresses)', { ip })
      .orderBy('s.name', 'ASC')
      .getOne();
  }

  async countsByStatus(): Promise<Map<ServerStatus, number>> {
    const rows = await this.servers
      .createQueryBuilder('s')
      .select('s.status', 'status')
      .addSelect('count(*)::int', 'count')
      .groupBy('s.status')
      .getRawMany<{ status: ServerStatus; count: number }>();
    return new Map(rows.map((row) => [row.status, row.count]));
  }

  /** Cores and memory given to servers that hold resources in Proxmox. */
  async allocated(): Promise<{ cores: number; memoryMb: number }> {
    const row = await this.servers
      .createQueryBuilder('s')
      .select('coalesce(sum(s.cpu_cores), 0)::int', 'cores')
      .addSelect('coalesce(sum(s.memory_mb), 0)::bigint', 'memory')
      .where("s.status NOT IN ('missing', 'failed')")
      .getRawOne<{ cores: number; memory: string }>();
    return { cores: row?.cores ?? 0, memoryMb: Number(row?.memory ?? 0) };
  }

  /** What the sync compares with Proxmox, for every server. */
  async forSync(): Promise<SyncedServer[]> {
    return this.servers.find({
      select: ['id', 'name', 'vmid', 'node', 'status', 'live', 'cpuCores', 'memoryMb'],
    });
  }

  /**
   * Writes the sync's changes in one statement. A server whose status changed since the sync read it (a job
   * moved it on meanwhile) is left alone. Returns the changes written.
   */
  async applySyncChanges(changes: readonly ServerChange[], at: Date): Promise<ServerChange[]> {
    if (changes.length === 0) return [];
    // An UPDATE answers [rows, count] through TypeORM's query().
    const [rows] = await this.servers.query<[{ id: number }[], number]>(
      `UPDATE servers s
          SET status = c.status, node = c.node, live = c.live, cpu_cores = c.cpu_cores,
              memory_mb = c.memory_mb, updated_at = $6
         FROM unnest($1::int[], $2::varchar[], $3::varchar[], $4::varchar[], $5::jsonb[], $7::int[], $8::int[])
              AS c(id, expected, status, node, live, cpu_cores, memory_mb)
        WHERE s.id = c.id AND s.status = c.expected
      RETURNING s.id`,
      [
        changes.map((change) => change.id),
        changes.map((change) => change.expectedStatus),
        changes.map((change) => change.status),
        changes.map((change) => change.node),
        changes.map((change) => (change.live === null ? null : JSON.stringify(change.live))),
        at,
        changes.map((change) => change.cpuCores),
        changes.map((change) => change.memoryMb),
      ],
    );
    const written = new Set(rows.map((row) => row.id));
    if (written.size > 0) await this.listCache.bump();
    return changes.filter((change) => written.has(change.id));
  }

  /** The servers whose VM the sync found: their `last_synced_at` becomes `at`. */
  async markSeen(ids: readonly number[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.servers.query(`UPDATE servers SET last_synced_at = $2 WHERE id = ANY($1::int[])`, [ids, at]);
    await this.listCache.bump();
  }

  async insert(server: Partial<Server>): Promise<Server> {
    const saved = await this.servers.save(this.servers.create(server));
    await this.listCache.bump();
    return saved;
  }

  /** Which of `names` servers already have. */
  async takenNames(names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await this.servers
      .createQueryBuilder('s')
      .select('s.name', 'name')
      .where('s.name = ANY(:names)', { names })
      .getRawMany<{ name: string }>();
    return new Set(rows.map((row) => row.name));
  }

  async nameTaken(name: string): Promise<boolean> {
    return this.servers.existsBy({ name });
  }

  /**
   * Records the servers of a creation request as `creating`, all or none. A name taken meanwhile (by a request
   * that won the race) is a 409 naming it.
   */
  async insertCreating(servers: readonly PlannedServer[], createdBy: number | null): Promise<void> {
    try {
      await this.servers.manager.transaction(async (manager) => {
        for (const server of servers)
          await manager.insert(Server, {
            name: server.name,
            vmid: null,
            node: server.node,
            status: 'creating',
            origin: 'created',
            cpuCores: server.cores,
            memoryMb: server.memory_mb,
            disks: server.disks.map((disk) => ({ ...disk })),
            networks: server.nics.map((nic) => ({
              device: nic.device,
              bridge: nic.bridge,
              ip_address: null,
              prefix: null,
              gateway: null,
              mac: null,
            })),
            osType: server.os_type,
            templateVmid: server.template.vmid,
            firewallGroup: server.firewall_group,
            tags: server.tags,
            description: server.description,
            createdBy,
          });
      });
      await this.listCache.bump();
    } catch (error) {
      if (error instanceof QueryFailedError && error.message.includes('servers_name_key'))
        throw new ConflictError('A server of one of these names was created meanwhile', { field: 'name' });
      throw error;
    }
  }

  /**
   * The server's VMID: the one it holds, or the lowest of `range` that no server holds and `isFree` (Proxmox)
   * confirms, recorded under a lock so that two creations never take the same one.
   */
  async reserveVmid(
    name: string,
    range: { min: number; max: number },
    isFree: (vmid: number) => Promise<boolean>,
  ): Promise<number> {
    const vmid = await this.servers.manager.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('proxdeck:vmid-reservation'))`);
      const rows = await manager.query<{ vmid: number | null }[]>(
        `SELECT vmid FROM servers WHERE name = $1 FOR UPDATE`,
        [name],
      );
      const row = rows[0];
      if (!row) throw new ConflictError(`Server ${name} no longer exists`);
      if (row.vmid !== null) return row.vmid;
      const held = new Set(
        (
          await manager.query<{ vmid: number }[]>(`SELECT vmid FROM servers WHERE vmid BETWEEN $1 AND $2`, [
            range.min,
            range.max,
          ])
        ).map((entry) => entry.vmid),
      );
      for (let vmid = range.min; vmid <= range.max; vmid += 1) {
        if (held.has(vmid) || !(await isFree(vmid))) continue;
        await manager.query(`UPDATE servers SET vmid = $2, updated_at = now() WHERE name = $1`, [name, vmid]);
        return vmid;
      }
      throw new ConflictError(`No free VMID left in ${String(range.min)}-${String(range.max)} (VMID_RANGE)`);
    });
    await this.listCache.bump();
    return vmid;
  }

  async setNetworks(name: string, networks: ServerNetwork[]): Promise<void> {
    await this.servers.update(
      { name },
      {
        networks,
        ipAddresses: networks.flatMap((nic) => (nic.ip_address ? [nic.ip_address] : [])),
      },
    );
    await this.listCache.bump();
  }

  /** Moves a server to `status` (with `error` when it failed); returns the server as it is now. */
  async setStatus(
    name: string,
    status: ServerStatus,
    fields: { error?: string | null; live?: ServerLive | null } = {},
  ): Promise<Server | null> {
    await this.servers.update({ name }, { status, ...fields });
    await this.listCache.bump();
    return this.findByName(name);
  }

  /** Records the role a successful run gave a server (null: none); written by the roles module. */
  async setRole(name: string, role: string | null): Promise<Server | null> {
    await this.servers.update({ name }, { role });
    await this.listCache.bump();
    return this.findByName(name);
  }

  /** Records the security group Proxdeck attached to a server (null: none); written by the firewall module. */
  async setFirewallGroup(id: number, group: string | null): Promise<void> {
    await this.servers.update({ id }, { firewallGroup: group });
    await this.listCache.bump();
  }

  /** A security group renamed: the servers that had it have the new name. */
  async renameFirewallGroup(from: string, to: string): Promise<void> {
    await this.servers.update({ firewallGroup: from }, { firewallGroup: to });
    await this.listCache.bump();
  }

  /** Servers that may need cleaning: failed, missing, or creating without a change since `stuckBefore`. */
  async cleanupCandidates(stuckBefore: Date): Promise<Server[]> {
    return this.servers
      .createQueryBuilder('s')
      .where("s.status IN ('failed', 'missing')")
      .orWhere("s.status = 'creating' AND s.updated_at < :stuckBefore", { stuckBefore })
      .orderBy('s.name')
      .getMany();
  }

  /** Every VMID the inventory holds. */
  async vmids(): Promise<Set<number>> {
    const rows = await this.servers
      .createQueryBuilder('s')
      .select('s.vmid', 'vmid')
      .where('s.vmid IS NOT NULL')
      .getRawMany<{ vmid: number }>();
    return new Set(rows.map((row) => row.vmid));
  }

  /** The node a server's VM runs on now (it migrated). */
  async setNode(name: string, node: string): Promise<void> {
    await this.servers.update({ name }, { node });
    await this.listCache.bump();
  }

  /** The CPU, memory, tags and notes the VM runs with, as its config says after a change. */
  async setConfigured(
    name: string,
    fields: Partial<Pick<Server, 'cpuCores' | 'memoryMb' | 'tags' | 'description' | 'disks'>>,
  ): Promise<void> {
    await this.servers.update({ name }, fields);
    await this.listCache.bump();
  }

  /** Which of `names` are in the inventory. */
  async existing(names: readonly string[]): Promise<Server[]> {
    if (names.length === 0) return [];
    return this.servers.createQueryBuilder('s').where('s.name IN (:...names)', { names }).getMany();
  }

  /** Removes a server's record (its VMID is free again with it). */
  async remove(name: string): Promise<void> {
    await this.servers.delete({ name });
    await this.listCache.bump();
  }
}
