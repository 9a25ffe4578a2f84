import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';

export interface FoundHandler {
  /** `Provider.method`, for messages. */
  owner: string;
  call: (...args: unknown[]) => unknown;
}

/**
 * Finds provider methods marked with a metadata key (@JobHandler, @ScheduledJob) and checks that every name
 * of a table has exactly one, and that no handler names something the table lacks. Used at boot: a missing or
 * doubled handler stops the process with the list of every problem.
 */
@Injectable()
export class HandlerDiscovery {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  find(metadataKey: string, names: readonly string[], what: string): Map<string, FoundHandler> {
    const found = new Map<string, FoundHandler[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | null | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName];
        if (typeof method !== 'function') continue;
        const name = this.reflector.get<string | undefined>(metadataKey, method as () => unknown);
        if (name === undefined) continue;
        const handler: FoundHandler = {
          owner: `${wrapper.name}.${methodName}`,
          call: (method as (...args: unknown[]) => unknown).bind(instance),
        };
        found.set(name, [...(found.get(name) ?? []), handler]);
      }
    }
    const problems: string[] = [];
    for (const name of names) {
      const handlers = found.get(name) ?? [];
      if (handlers.length === 0) problems.push(`${what} "${name}" has no handler`);
      if (handlers.length > 1)
        problems.push(
          `${what} "${name}" has ${handlers.length} handlers: ${handlers.map((h) => h.owner).join(', ')}`,
        );
    }
    for (const [name, handlers] of found) {
      if (!names.includes(name))
        problems.push(
          `${handlers.map((h) => h.owner).join(', ')} handles ${what} "${name}", which is not in its table`,
        );
    }
    if (problems.length > 0)
      throw new Error(`${what} table and handlers disagree:\n  ${problems.join('\n  ')}`);
    const chosen = new Map<string, FoundHandler>();
    for (const [name, [handler]] of found) if (handler) chosen.set(name, handler);
    return chosen;
  }
}
