import { Injectable } from '@nestjs/common';
import type { PveClient, PveFirewallRule } from '@proxdeck/pve-client';
import type { Principal } from '../../platform/access/principal';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { TaskAccepted } from '../../platform/http/envelope';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { JobQueue } from '../../platform/queue/job-queue';
import type {
  AliasDto,
  GroupDto,
  GroupSummaryDto,
  IpsetDto,
  RuleBodyDto,
  RulesDto,
  SaveAliasDto,
  SaveGroupDto,
  SaveIpsetDto,
  IpsetEntryBodyDto,
  UpdateAliasDto,
} from './firewall.dto';
import { FirewallRepository } from './firewall.repository';
import { addressReferences, OPTIONAL_RULE_FIELDS, ruleView, validateRule } from './firewall-rules';
import { firewallWriteFailure } from './pve-errors';
import { ServerFirewall } from './server-firewall';

/** The fields of a rule as Proxmox keeps them, for copying one (a rename copies the group's rules). */
export function copyableRule(rule: PveFirewallRule): Parameters<PveClient['createFirewallGroupRule']>[1] {
  const { pos: _pos, digest: _digest, ipversion: _ipversion, enable, ...fields } = rule;
  return { ...fields, enable: (enable ?? 0) === 1 ? 1 : 0 };
}

/**
 * Security groups, their rules, IP sets and aliases (docs/api.md §7, §15). Proxmox is the authority: every read
 * asks it, every write is checked first as Proxmox would check it and carries the digest the caller read.
 */
@Injectable()
export class FirewallService {
  constructor(
    private readonly proxmox: ProxmoxConnection,
    private readonly repository: FirewallRepository,
    private readonly jobs: JobQueue,
    private readonly servers: ServerFirewall,
  ) {}

  private pve(): PveClient {
    return this.proxmox.pve();
  }

  private async read<T>(work: (pve: PveClient) => Promise<T>): Promise<T> {
    try {
      return await work(this.pve());
    } catch (error) {
      throw pveFailure(error);
    }
  }

  private async write<T>(
    work: (pve: PveClient) => Promise<T>,
    fieldMap?: Record<string, string>,
  ): Promise<T> {
    try {
      return await work(this.pve());
    } catch (error) {
      throw firewallWriteFailure(error, fieldMap);
    }
  }

  // ---- groups ------------------------------------------------------------------------------------------

  async listGroups(): Promise<GroupSummaryDto[]> {
    const [groups, users] = await Promise.all([
      this.read((pve) => pve.firewallGroups()),
      this.repository.serversByGroup(),
    ]);
    const counts = await this.read((pve) =>
      Promise.all(groups.map(async (group) => (await pve.firewallGroupRules(group.group)).length)),
    );
    return groups.map((group, index) => ({
      name: group.group,
      comment: group.comment ?? null,
      rules_count: counts[index] ?? 0,
      servers: users.get(group.group) ?? [],
    }));
  }

  /** The group as Proxmox has it, or a 404. */
  async group(name: string): Promise<GroupDto> {
    const groups = await this.read((pve) => pve.firewallGroups());
    const found = groups.find((group) => group.group === name);
    if (!found) throw new NotFoundError(`Security group ${name}`);
    const [rules, servers] = await Promise.all([this.rules(name), this.repository.serversUsing(name)]);
    return {
      name,
      comment: found.comment ?? null,
      digest: rules.digest,
      rules: rules.rules,
      servers: servers.map((server) => server.name),
    };
  }

  async groupExists(name: string): Promise<boolean> {
    return (await this.read((pve) => pve.firewallGroups())).some((group) => group.group === name);
  }

  private async rules(name: string): Promise<RulesDto> {
    const rules = await this.read((pve) => pve.firewallGroupRules(name));
    return { digest: rules[0]?.digest ?? '', rules: rules.map(ruleView) };
  }

  /** Creates a group, changes its comment (it exists), or queues its rename (`rename`: the old name). */
  async saveGroup(principal: Principal, body: SaveGroupDto): Promise<GroupDto | TaskAccepted> {
    const groups = await this.read((pve) => pve.firewallGroups());
    const exists = (name: string) => groups.some((group) => group.group === name);
    if (body.rename !== undefined && body.rename !== body.name) {
      if (!exists(body.rename)) throw new NotFoundError(`Security group ${body.rename}`);
      if (exists(body.name))
        throw new ConflictError(`Security group ${body.name} already exists`, { name: body.name });
      const task = await this.jobs.enqueue(
        'firewall.rename',
        { from: body.rename, to: body.name, comment: body.comment ?? null },
        { createdBy: principal.user.id },
      );
      return new TaskAccepted(task.id, `Rename of ${body.rename} to ${body.name} queued`);
    }
    if (exists(body.name)) {
      if (body.comment !== undefined)
        await this.write((pve) => pve.renameFirewallGroup(body.name, body.name, body.comment));
    } else {
      await this.write((pve) => pve.createFirewallGroup(body.name, body.comment), { group: 'name' });
    }
    return this.group(body.name);
  }

  /**
   * Deletes a group: refused while servers use it unless `force`, which detaches it from them first; its rules
   * are removed first, as Proxmox refuses to delete a group that has any.
   */
  async deleteGroup(name: string, force: boolean): Promise<{ name: string; detached: string[] }> {
    if (!(await this.groupExists(name))) throw new NotFoundError(`Security group ${name}`);
    const users = await this.repository.serversUsing(name);
    if (users.length > 0 && !force)
      throw new ConflictError(
        `Security group ${name} is used by ${users.map((server) => server.name).join(', ')}: remove it from them, or delete with force=true`,
        { servers: users.map((server) => server.name) },
      );
    for (const server of users) await this.servers.remove(server.name);
    await this.write(async (pve) => {
      await emptyGroup(pve, name);
      await pve.deleteFirewallGroup(name);
    });
    return { name, detached: users.map((server) => server.name) };
  }

  // ---- rules -------------------------------------------------------------------------------------------

  /** Adds (at the top or `insert_at`), replaces (`pos`) or moves (`pos` and `moveto`) a rule. */
  async saveRule(group: string, body: RuleBodyDto): Promise<RulesDto> {
    if (!(await this.groupExists(group))) throw new NotFoundError(`Security group ${group}`);
    const { pos, moveto, insert_at: insertAt, digest, ...fields } = body;
    if (moveto !== undefined) {
      if (pos === undefined) throw new ValidationFailedError({ pos: 'is required to move a rule' });
      await this.write((pve) => pve.moveFirewallGroupRule(group, pos, moveto, digest));
      return this.rules(group);
    }
    const checked = validateRule(fields);
    if ('errors' in checked) throw new ValidationFailedError(checked.errors);
    const rule = checked.rule;
    if (pos !== undefined) {
      if (insertAt !== undefined) throw new ValidationFailedError({ insert_at: 'cannot be given with pos' });
      const absent = OPTIONAL_RULE_FIELDS.filter((field) => rule[field] === undefined);
      await this.write((pve) =>
        pve.updateFirewallGroupRule(group, pos, {
          ...rule,
          ...(absent.length > 0 ? { delete: absent.join(',') } : {}),
          ...(digest !== undefined ? { digest } : {}),
        }),
      );
      return this.rules(group);
    }
    await this.write(async (pve) => {
      await pve.createFirewallGroupRule(group, { ...rule, ...(digest !== undefined ? { digest } : {}) });
      if (insertAt !== undefined && insertAt > 0) {
        // Proxmox adds at the top; moveto places it before the rule now at that index (its old insert_at).
        const rules = await pve.firewallGroupRules(group);
        await pve.moveFirewallGroupRule(group, 0, insertAt + 1, rules[0]?.digest);
      }
    });
    return this.rules(group);
  }

  async deleteRule(group: string, pos: number, digest: string | undefined): Promise<RulesDto> {
    if (!(await this.groupExists(group))) throw new NotFoundError(`Security group ${group}`);
    await this.write((pve) => pve.deleteFirewallGroupRule(group, pos, digest));
    return this.rules(group);
  }

  // ---- IP sets -----------------------------------------------------------------------------------------

  async ipsets(): Promise<IpsetDto[]> {
    const sets = await this.read((pve) => pve.firewallIpsets());
    return Promise.all(sets.map((set) => this.ipset(set.name, set.comment ?? null)));
  }

  async ipset(name: string, knownComment?: string | null): Promise<IpsetDto> {
    let comment = knownComment;
    if (comment === undefined) {
      const found = (await this.read((pve) => pve.firewallIpsets())).find((set) => set.name === name);
      if (!found) throw new NotFoundError(`IP set ${name}`);
      comment = found.comment ?? null;
    }
    const entries = await this.read((pve) => pve.firewallIpsetEntries(name));
    return {
      name,
      comment,
      entries: entries.map((entry) => ({
        cidr: entry.cidr,
        comment: entry.comment ?? null,
        nomatch: Number(entry.nomatch ?? 0) === 1,
      })),
    };
  }

  async createIpset(body: SaveIpsetDto): Promise<IpsetDto> {
    await this.write((pve) => pve.createFirewallIpset(body.name, body.comment));
    return this.ipset(body.name);
  }

  /** Deletes an IP set no rule refers to; Proxmox refuses a non-empty one (`IPSet 'x' is not empty`). */
  async deleteIpset(name: string): Promise<{ name: string }> {
    await this.ipset(name);
    const users = await this.referencesTo('ipset', name);
    if (users.length > 0)
      throw new ConflictError(`IP set ${name} is used by ${users.join(', ')}`, { used_by: users });
    await this.write((pve) => pve.deleteFirewallIpset(name));
    return { name };
  }

  async addIpsetEntry(name: string, body: IpsetEntryBodyDto): Promise<IpsetDto> {
    await this.ipset(name);
    await this.write((pve) =>
      pve.addFirewallIpsetEntry(name, {
        cidr: body.cidr,
        ...(body.comment ? { comment: body.comment } : {}),
        ...(body.nomatch ? { nomatch: 1 } : {}),
      }),
    );
    return this.ipset(name);
  }

  async deleteIpsetEntry(name: string, cidr: string): Promise<IpsetDto> {
    const set = await this.ipset(name);
    if (!set.entries.some((entry) => entry.cidr === cidr))
      throw new NotFoundError(`Entry ${cidr} of IP set ${name}`);
    await this.write((pve) => pve.deleteFirewallIpsetEntry(name, cidr));
    return this.ipset(name);
  }

  // ---- aliases -----------------------------------------------------------------------------------------

  async aliases(): Promise<AliasDto[]> {
    const aliases = await this.read((pve) => pve.firewallAliases());
    return aliases.map((alias) => ({ name: alias.name, cidr: alias.cidr, comment: alias.comment ?? null }));
  }

  private async alias(name: string): Promise<AliasDto> {
    const found = (await this.aliases()).find((alias) => alias.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new NotFoundError(`Alias ${name}`);
    return found;
  }

  async createAlias(body: SaveAliasDto): Promise<AliasDto> {
    await this.write((pve) =>
      pve.createFirewallAlias({
        name: body.name,
        cidr: body.cidr,
        ...(body.comment ? { comment: body.comment } : {}),
      }),
    );
    return this.alias(body.name);
  }

  async updateAlias(name: string, body: UpdateAliasDto): Promise<AliasDto> {
    const current = await this.alias(name);
    const renamed = body.name !== undefined && body.name.toLowerCase() !== current.name.toLowerCase();
    if (renamed) {
      const users = await this.referencesTo('alias', current.name);
      if (users.length > 0)
        throw new ConflictError(
          `Alias ${current.name} is used by ${users.join(', ')}: it cannot be renamed`,
          {
            used_by: users,
          },
        );
    }
    await this.write(
      (pve) =>
        pve.updateFirewallAlias(current.name, {
          cidr: body.cidr,
          ...(body.comment ? { comment: body.comment } : {}),
          ...(renamed && body.name !== undefined ? { rename: body.name } : {}),
        }),
      { rename: 'name' },
    );
    return this.alias(body.name ?? current.name);
  }

  async deleteAlias(name: string): Promise<{ name: string }> {
    const current = await this.alias(name);
    const users = await this.referencesTo('alias', current.name);
    if (users.length > 0)
      throw new ConflictError(`Alias ${current.name} is used by ${users.join(', ')}`, { used_by: users });
    await this.write((pve) => pve.deleteFirewallAlias(current.name));
    return { name: current.name };
  }

  /** Where the security groups and IP sets refer to an alias or an IP set (`group web rule 2`, `ipset admins`). */
  private async referencesTo(kind: 'alias' | 'ipset', name: string): Promise<string[]> {
    const wanted = kind === 'alias' ? name.toLowerCase() : name;
    return this.read(async (pve) => {
      const users: string[] = [];
      for (const group of await pve.firewallGroups()) {
        for (const rule of await pve.firewallGroupRules(group.group)) {
          const refs = addressReferences(rule);
          if ((kind === 'alias' ? refs.aliases : refs.ipsets).includes(wanted))
            users.push(`group ${group.group} rule ${String(rule.pos)}`);
        }
      }
      if (kind === 'alias') {
        for (const set of await pve.firewallIpsets()) {
          const entries = await pve.firewallIpsetEntries(set.name);
          if (entries.some((entry) => entry.cidr.toLowerCase() === wanted)) users.push(`IP set ${set.name}`);
        }
      }
      return users;
    });
  }
}

/** Removes every rule of a group, top first, each with the digest just read. */
export async function emptyGroup(pve: PveClient, name: string): Promise<void> {
  for (;;) {
    const [first] = await pve.firewallGroupRules(name);
    if (!first) return;
    await pve.deleteFirewallGroupRule(name, 0, first.digest);
  }
}
