import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FirewallEvent } from '@proxdeck/contracts';
import type { FastifyRequest } from 'fastify';
import { concatMap, type Observable } from 'rxjs';
import { EventsService } from '../../platform/events/events.service';

/** Tells every open firewall view that something changed (a `firewall` event to everyone with view_all). */
@Injectable()
export class FirewallAnnouncer {
  private readonly logger = new Logger(FirewallAnnouncer.name);

  constructor(private readonly events: EventsService) {}

  /** Never throws: the change is made, and a view missing its event shows it at its next read. */
  async changed(scope: FirewallEvent['scope'], name: string | null, by: number | null = null): Promise<void> {
    try {
      await this.events.publish('firewall', { scope, name }, { userId: by, broadcast: true });
    } catch (error) {
      this.logger.warn(
        `firewall change not announced: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** What a firewall route changes, from its path and parameters; null for a route that changes nothing. */
export function changeOfRoute(
  method: string,
  route: string,
  params: Record<string, string | undefined>,
  body: unknown,
): FirewallEvent | null {
  if (method === 'GET' || method === 'HEAD') return null;
  const named = (body as { name?: unknown } | null | undefined)?.name;
  const bodyName = typeof named === 'string' ? named : null;
  if (route.startsWith('/api/firewall/groups'))
    return { scope: 'groups', name: params.group_name ?? bodyName };
  if (route.startsWith('/api/firewall/ipsets')) return { scope: 'ipsets', name: params.name ?? bodyName };
  if (route.startsWith('/api/firewall/aliases')) return { scope: 'aliases', name: params.name ?? bodyName };
  return { scope: 'servers', name: params.server_name ?? null };
}

/**
 * Announces each successful change made through the firewall routes once it is made (a failed request changes
 * nothing and announces nothing). A change a task makes later is announced by the task when it is done.
 */
@Injectable()
export class AnnounceFirewallChanges implements NestInterceptor {
  constructor(private readonly announcer: FirewallAnnouncer) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const change = changeOfRoute(
      request.method,
      request.routeOptions.url ?? request.url,
      request.params as Record<string, string | undefined>,
      request.body,
    );
    if (change === null) return next.handle();
    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        await this.announcer.changed(change.scope, change.name, request.principal?.user.id ?? null);
        return value;
      }),
    );
  }
}
