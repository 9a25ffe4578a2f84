import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access.guard';
import { IDENTITY_DIRECTORY, type IdentityDirectory } from './identity';
import { SessionCookie } from './session-cookie';
import { SessionStore } from './session.store';

/**
 * The access layer: the global guard every route passes (docs/api.md §1.3–1.4) and the session store. It knows
 * people only through the IdentityDirectory port, which the application wires in from the users module.
 * Global because the guard and the caller's identity concern every route.
 */
@Module({})
export class AccessModule {
  static forRoot(options: {
    imports: ModuleMetadata['imports'];
    identity: Type<IdentityDirectory>;
  }): DynamicModule {
    return {
      module: AccessModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        SessionStore,
        SessionCookie,
        { provide: IDENTITY_DIRECTORY, useExisting: options.identity },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [SessionStore, SessionCookie, IDENTITY_DIRECTORY],
    };
  }
}
