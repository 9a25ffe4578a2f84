/** The servers module's public surface: other modules and the application import only from here. */
export { ServersModule } from './servers.module';
export { ServersRepository } from './servers.repository';
export { ServersService } from './servers.service';
export { ServerSync } from './server-sync';
export { ServerHistory } from './server-history';
export { Server } from './server.entity';
export type { ServerDisk, ServerLive, ServerNetwork } from './server.entity';
export { SERVER_NAME, SERVER_STATUSES, type ServerStatus } from './server-status';
export { ipOwner } from './creation-plan';
export { CreationPipeline, failureText, type RestoreSpec } from './creation-pipeline';
export { parseTags } from './sync-plan';
export { ServerRoles, type ServerRoleRunner, type RoleVariableValue } from './server-roles';
