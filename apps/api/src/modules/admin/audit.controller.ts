import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../../platform/access/access.decorators';
import { AuditTrail, type AuditFilter, type AuditRecord } from '../../platform/audit/audit-trail';
import { Page } from '../../platform/http/envelope';
import { ApiListEnvelope } from '../../platform/openapi/api-envelope.decorator';
import { AuditEntryDto, AuditQueryDto } from './admin.dto';

/** The most rows one CSV export holds (newest first); narrow the filters for older ones. */
export const AUDIT_EXPORT_LIMIT = 50_000;

const CSV_COLUMNS = [
  'id',
  'at',
  'actor',
  'via',
  'token_id',
  'action',
  'target',
  'status',
  'result',
  'error_code',
  'task_id',
  'upids',
  'ip',
  'params',
] as const;

/** The audit trail (docs/api.md §11, §15): every change anyone asked for, newest first. */
@ApiTags('administration')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  @RequirePermission('admin_access')
  @ApiOperation({
    summary:
      'The audit trail, newest first; filters actor (exact), action and target (text), result, task_id, from, to',
  })
  @ApiListEnvelope(AuditEntryDto)
  async list(@Query() query: AuditQueryDto): Promise<Page<AuditEntryDto>> {
    const { items, total } = await this.audit.page(filterOf(query), query.page, query.per_page);
    return Page.of(
      items.map((record) => AuditEntryDto.from(record)),
      total,
      query.page,
      query.per_page,
    );
  }

  @Get('export')
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: `The audit trail as CSV (same filters; at most ${AUDIT_EXPORT_LIMIT} rows, newest first)`,
  })
  @ApiProduces('text/csv')
  async export(@Query() query: AuditQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const records = await this.audit.all(filterOf(query), AUDIT_EXPORT_LIMIT);
    const lines = [CSV_COLUMNS.join(','), ...records.map((record) => csvLine(record))];
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="proxdeck-audit-${new Date().toISOString().slice(0, 10)}.csv"`,
      )
      .send(`${lines.join('\r\n')}\r\n`);
  }
}

function filterOf(query: AuditQueryDto): AuditFilter {
  return {
    ...(query.actor ? { actor: query.actor } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.target ? { target: query.target } : {}),
    ...(query.result ? { result: query.result } : {}),
    ...(query.task_id ? { task_id: query.task_id } : {}),
    ...(query.from ? { from: new Date(query.from) } : {}),
    ...(query.to ? { to: new Date(query.to) } : {}),
  };
}

function csvLine(record: AuditRecord): string {
  const dto = AuditEntryDto.from(record);
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: dto.id,
    at: dto.at,
    actor: dto.actor,
    via: dto.via,
    token_id: dto.token_id,
    action: dto.action,
    target: dto.target,
    status: dto.status,
    result: dto.result,
    error_code: dto.error_code,
    task_id: dto.task_id,
    upids: dto.upids.join(' '),
    ip: dto.ip,
    params: JSON.stringify(dto.params),
  };
  return CSV_COLUMNS.map((column) => csvCell(values[column])).join(',');
}

/** One CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
