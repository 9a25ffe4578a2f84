import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import type { TaskAccepted } from '../../platform/http/envelope';
import { ApiEnvelope, ApiTaskAccepted } from '../../platform/openapi/api-envelope.decorator';
import { SERVER_NAME } from '../servers';
import {
  AliasDto,
  ApplyGroupDto,
  AssignBulkDto,
  DeleteGroupQueryDto,
  DeleteRuleQueryDto,
  DriftDto,
  GroupDto,
  GroupSummaryDto,
  IpsetDto,
  IpsetEntryBodyDto,
  RuleBodyDto,
  RulesDto,
  SaveAliasDto,
  SaveGroupDto,
  SaveIpsetDto,
  ServerFirewallDto,
  UpdateAliasDto,
} from './firewall.dto';
import { AnnounceFirewallChanges } from './firewall-announcer';
import { GROUP_NAME, SET_NAME } from './firewall-rules';
import { FirewallService } from './firewall.service';
import { ServerFirewall } from './server-firewall';

function serverName(raw: string): string {
  if (!SERVER_NAME.test(raw)) throw new NotFoundError(`Server ${raw.slice(0, 63)}`);
  return raw;
}

function groupName(raw: string): string {
  if (!GROUP_NAME.test(raw)) throw new NotFoundError(`Security group ${raw.slice(0, 64)}`);
  return raw;
}

function setName(raw: string, what: string): string {
  if (!SET_NAME.test(raw)) throw new NotFoundError(`${what} ${raw.slice(0, 64)}`);
  return raw;
}

function position(raw: string): number {
  if (!/^\d{1,4}$/.test(raw))
    throw new ValidationFailedError({ rule_id: 'must be a rule position (0, 1, …)' });
  return Number(raw);
}

/** Security groups, rules, IP sets, aliases, and groups on servers (docs/api.md §7, §15). */
@ApiTags('firewall')
@Controller('api')
@UseInterceptors(AnnounceFirewallChanges)
export class FirewallController {
  constructor(
    private readonly firewall: FirewallService,
    private readonly servers: ServerFirewall,
  ) {}

  @Get('firewall/groups')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'Security groups, with their rule counts and the servers using each' })
  @ApiEnvelope([GroupSummaryDto])
  async groups(): Promise<GroupSummaryDto[]> {
    return this.firewall.listGroups();
  }

  @Post('firewall/groups')
  @HttpCode(200)
  @RequirePermission('manage_firewall')
  @ApiOperation({
    summary:
      'Creates a group, or changes its comment (the name exists), or renames one (`rename`: the old name; a 202 task)',
  })
  @ApiEnvelope(GroupDto)
  async saveGroup(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SaveGroupDto,
  ): Promise<GroupDto | TaskAccepted> {
    return this.firewall.saveGroup(principal, body);
  }

  @Get('firewall/groups/:group_name')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'A group with its rules in order, its digest and the servers using it' })
  @ApiEnvelope(GroupDto)
  async group(@Param('group_name') name: string): Promise<GroupDto> {
    return this.firewall.group(groupName(name));
  }

  @Delete('firewall/groups/:group_name')
  @RequirePermission('manage_firewall')
  @ApiOperation({
    summary:
      'Deletes a group (its rules first); 409 while servers use it, unless force=true detaches it first',
  })
  @ApiEnvelope({
    type: 'object',
    properties: { name: { type: 'string' }, detached: { type: 'array', items: { type: 'string' } } },
  })
  async deleteGroup(
    @Param('group_name') name: string,
    @Query() query: DeleteGroupQueryDto,
  ): Promise<{ name: string; detached: string[] }> {
    return this.firewall.deleteGroup(groupName(name), query.force === 'true');
  }

  @Post('firewall/groups/:group_name/rules')
  @HttpCode(200)
  @RequirePermission('manage_firewall')
  @ApiOperation({
    summary:
      'Adds a rule (top, or insert_at), replaces the rule at pos, or moves it (pos and moveto, as Proxmox: before the rule now at moveto); a stale digest is a 409',
  })
  @ApiEnvelope(RulesDto)
  async saveRule(@Param('group_name') name: string, @Body() body: RuleBodyDto): Promise<RulesDto> {
    return this.firewall.saveRule(groupName(name), body);
  }

  @Delete('firewall/groups/:group_name/rules/:rule_id')
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Deletes the rule at a position (rule_id); a stale digest is a 409' })
  @ApiEnvelope(RulesDto)
  async deleteRule(
    @Param('group_name') name: string,
    @Param('rule_id') ruleId: string,
    @Query() query: DeleteRuleQueryDto,
  ): Promise<RulesDto> {
    return this.firewall.deleteRule(groupName(name), position(ruleId), query.digest);
  }

  @Post('apply_security_group/:server_name')
  @HttpCode(200)
  @RequirePermission('manage_firewall')
  @ApiOperation({
    summary:
      "Attaches a group to the server's VM (an enabled group rule), turns its firewall on, replaces the group Proxdeck attached before",
  })
  @ApiEnvelope(ServerFirewallDto)
  async apply(@Param('server_name') name: string, @Body() body: ApplyGroupDto): Promise<ServerFirewallDto> {
    return this.servers.apply(serverName(name), body.security_group);
  }

  @Post('remove_firewall_group/:server_name')
  @HttpCode(200)
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Removes only the group rule Proxdeck attached to the server’s VM' })
  @ApiEnvelope(ServerFirewallDto)
  async remove(@Param('server_name') name: string): Promise<ServerFirewallDto> {
    return this.servers.remove(serverName(name));
  }

  @Post('firewall/assign_bulk')
  @HttpCode(202)
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Assigns a group to servers ("none" removes it): a task with an item per server' })
  @ApiTaskAccepted()
  async assignBulk(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AssignBulkDto,
  ): Promise<TaskAccepted> {
    return this.servers.assignBulk(principal, body.server_names, body.security_group);
  }

  @Post('firewall/reapply/:server_name')
  @HttpCode(200)
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Drift repair: attaches the recorded group again and turns the VM firewall on' })
  @ApiEnvelope(ServerFirewallDto)
  async reapply(@Param('server_name') name: string): Promise<ServerFirewallDto> {
    return this.servers.reapply(serverName(name));
  }

  @Get('firewall/servers/:server_name')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'The group Proxdeck attached to a server, and its drift' })
  @ApiEnvelope(ServerFirewallDto)
  async serverState(@Param('server_name') name: string): Promise<ServerFirewallDto> {
    return this.servers.state(serverName(name));
  }

  @Get('firewall/drift')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'Servers whose VM firewall no longer holds the group Proxdeck attached' })
  @ApiEnvelope([DriftDto])
  async drift(): Promise<DriftDto[]> {
    return this.servers.drifts();
  }

  @Get('firewall/ipsets')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'The cluster’s IP sets with their entries' })
  @ApiEnvelope([IpsetDto])
  async ipsets(): Promise<IpsetDto[]> {
    return this.firewall.ipsets();
  }

  @Post('firewall/ipsets')
  @HttpCode(200)
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Creates an IP set' })
  @ApiEnvelope(IpsetDto)
  async createIpset(@Body() body: SaveIpsetDto): Promise<IpsetDto> {
    return this.firewall.createIpset(body);
  }

  @Get('firewall/ipsets/:name')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'An IP set with its entries' })
  @ApiEnvelope(IpsetDto)
  async ipset(@Param('name') name: string): Promise<IpsetDto> {
    return this.firewall.ipset(setName(name, 'IP set'));
  }

  @Delete('firewall/ipsets/:name')
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Deletes an IP set: 409 while a rule uses it, or while it has entries (Proxmox)' })
  @ApiEnvelope({ type: 'object', properties: { name: { type: 'string' } } })
  async deleteIpset(@Param('name') name: string): Promise<{ name: string }> {
    return this.firewall.deleteIpset(setName(name, 'IP set'));
  }

  @Post('firewall/ipsets/:name/entries')
  @HttpCode(200)
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Adds an address, network or alias to an IP set' })
  @ApiEnvelope(IpsetDto)
  async addEntry(@Param('name') name: string, @Body() body: IpsetEntryBodyDto): Promise<IpsetDto> {
    return this.firewall.addIpsetEntry(setName(name, 'IP set'), body);
  }

  @Delete('firewall/ipsets/:name/entries/:cidr')
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Removes an entry (the CIDR URL-encoded: 10.0.0.0%2F8)' })
  @ApiEnvelope(IpsetDto)
  async deleteEntry(@Param('name') name: string, @Param('cidr') cidr: string): Promise<IpsetDto> {
    return this.firewall.deleteIpsetEntry(setName(name, 'IP set'), cidr);
  }

  @Get('firewall/aliases')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'The cluster’s aliases' })
  @ApiEnvelope([AliasDto])
  async aliases(): Promise<AliasDto[]> {
    return this.firewall.aliases();
  }

  @Post('firewall/aliases')
  @HttpCode(200)
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Creates an alias' })
  @ApiEnvelope(AliasDto)
  async createAlias(@Body() body: SaveAliasDto): Promise<AliasDto> {
    return this.firewall.createAlias(body);
  }

  @Put('firewall/aliases/:name')
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Changes an alias (a new name only while no rule uses it)' })
  @ApiEnvelope(AliasDto)
  async updateAlias(@Param('name') name: string, @Body() body: UpdateAliasDto): Promise<AliasDto> {
    return this.firewall.updateAlias(setName(name, 'Alias'), body);
  }

  @Delete('firewall/aliases/:name')
  @RequirePermission('manage_firewall')
  @ApiOperation({ summary: 'Deletes an alias: 409 while a rule or an IP set uses it' })
  @ApiEnvelope({ type: 'object', properties: { name: { type: 'string' } } })
  async deleteAlias(@Param('name') name: string): Promise<{ name: string }> {
    return this.firewall.deleteAlias(setName(name, 'Alias'));
  }
}
