import { Injectable, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { AuthUser } from '../access/principal';
import { AuditEntry, type AuditResult } from './audit-entry.entity';
import { redact } from './redact';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Writes that change nothing anyone would audit: keeping a session alive. */
const NOT_AUDITED = new Set(['POST /api/session/refresh', 'POST /session/refresh']);
/** Reads that change something: logging out by link. */
const AUDITED_READS = new Set(['GET /logout']);
const TARGET_FIELDS = ['username', 'name', 'server_name', 'server_names', 'names'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the login guard (Passport) on a successful login. */
    user?: unknown;
  }
}

/**
 * The audit trail's one mechanism (docs/api.md §11): a Fastify hook on every answer, so that each mutating
 * request is recorded whatever refused or handled it (the access guard, validation, the handler, an
 * exception) and no controller records anything by hand. The row is written before the answer leaves, so a
 * client that got its answer finds the row.
 */
@Injectable()
export class AuditRecorder {
  private readonly logger = new Logger('Audit');

  constructor(private readonly dataSource: DataSource) {}

  register(fastify: FastifyInstance): void {
    fastify.addHook('onSend', async (request, reply, payload) => {
      if (!WRITE_METHODS.has(request.method) && !AUDITED_READS.has(`${request.method} ${routeOf(request)}`))
        return payload;
      if (request.is404 && routeOf(request) === undefined) return payload;
      const action = `${request.method} ${routeOf(request) ?? request.url.split('?')[0] ?? ''}`;
      if (NOT_AUDITED.has(action)) return payload;
      try {
        await this.dataSource
          .getRepository(AuditEntry)
          .insert(this.entryOf(request, reply, payload, action) as QueryDeepPartialEntity<AuditEntry>);
      } catch (error) {
        this.logger.error(
          `Could not record ${action} (request ${request.id}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return payload;
    });
  }

  private entryOf(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    action: string,
  ): Partial<AuditEntry> {
    const principal = request.principal;
    const loggedIn = isAuthUser(request.user) ? request.user : undefined;
    const actor: AuthUser | undefined = loggedIn ?? principal?.user;
    const body = isRecord(request.body) ? request.body : {};
    const triedUsername = !actor && typeof body.username === 'string' && action === 'POST /login';
    const answer = parseAnswer(payload);
    const params: Record<string, unknown> = {};
    const pathParams = isRecord(request.params) ? request.params : {};
    if (Object.keys(pathParams).length > 0) params.path = redact(pathParams);
    if (isRecord(request.query) && Object.keys(request.query).length > 0)
      params.query = redact(request.query);
    if (request.body !== undefined && request.body !== null) params.body = redact(request.body);
    return {
      actorUserId: actor?.id ?? null,
      actorUsername:
        actor?.username ?? (triedUsername ? String(body.username).toLowerCase().slice(0, 64) : null),
      actorTokenId: loggedIn ? null : (principal?.tokenId ?? null),
      via: loggedIn ? 'session' : (principal?.via ?? null),
      action: action.slice(0, 200),
      target: targetOf(pathParams, body),
      params,
      status: reply.statusCode,
      result: resultOf(reply.statusCode),
      errorCode: typeof answer?.code === 'string' ? answer.code.slice(0, 64) : null,
      taskId: taskIdOf(answer),
      ip: request.ip.slice(0, 64),
      requestId: request.id.slice(0, 64),
    };
  }
}

function routeOf(request: FastifyRequest): string | undefined {
  return request.routeOptions.url;
}

function resultOf(status: number): AuditResult {
  if (status >= 500) return 'failed';
  if (status === 401 || status === 403 || status === 429) return 'refused';
  if (status >= 400) return 'invalid';
  return 'succeeded';
}

function targetOf(pathParams: Record<string, unknown>, body: Record<string, unknown>): string | null {
  const fromPath = Object.values(pathParams).filter((value) => typeof value === 'string');
  if (fromPath.length > 0) return fromPath.join(' ').slice(0, 300);
  for (const field of TARGET_FIELDS) {
    const value = body[field];
    if (typeof value === 'string') return value.slice(0, 300);
    if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
      return value.join(', ').slice(0, 300);
  }
  return null;
}

function parseAnswer(payload: unknown): Record<string, unknown> | null {
  if (typeof payload !== 'string' || payload.length > 1_000_000 || !payload.startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(payload);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function taskIdOf(answer: Record<string, unknown> | null): string | null {
  const data = answer && isRecord(answer.data) ? answer.data : null;
  const id = data?.task_id;
  return typeof id === 'string' && UUID.test(id) ? id : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAuthUser(value: unknown): value is AuthUser {
  return isRecord(value) && typeof value.id === 'number' && typeof value.username === 'string';
}
