export { PveClient, isSafeToRetry } from './client';
export type { PveAuth, PveClientOptions, PveMethod, PveRequestInfo, PveRetryOptions } from './client';
export {
  PveApiError,
  PveTaskFailedError,
  PveTimeoutError,
  PveTransportError,
  isLockTimeoutMessage,
} from './errors';
export { KeyedLimiter } from './concurrency';
export { PVE_FIREWALL_MACROS, preferredMacroName } from './firewall-macros';
export {
  PROXDECK_ENDPOINTS,
  leastPrivilegeCommands,
  leastPrivilegeRoles,
  missingPrivileges,
  requiredPrivileges,
} from './least-privilege';
export type { RequiredPrivilege } from './least-privilege';
export { encodePveParams, encodeSshKeys } from './form-encoding';
export type { PveRequestParams, PveRequestValue } from './form-encoding';
export { PveTaskWatcher } from './task-watcher';
export type {
  PveTaskResult,
  PveTaskSource,
  PveTaskWatcherOptions,
  TaskWatchMode,
  WaitForTaskOptions,
} from './task-watcher';
export { formatUpid, isTaskSuccess, parseUpid } from './upid';
export type { ParsedUpid } from './upid';
export * from './types';
export {
  findParamSchema,
  getEndpointSchema,
  listEndpointKeys,
  matchEndpoint,
  pveSchema,
  schemaFor,
  PVE_RELEASES,
} from './schema/pve-schema';
export type { PveRelease } from './schema/pve-schema';
export type {
  EndpointMatch,
  PveEndpointSchema,
  PveHttpMethod,
  PveParamSchema,
  PveParamType,
  PveSchemaDocument,
} from './schema/pve-schema';
export {
  MSG_MISSING,
  MSG_NOT_IN_SCHEMA,
  checkNamedFormat,
  checkValue,
  isIpv4,
  isIpv6,
  parsePropertyString,
  validateParams,
} from './schema/validate-params';
export type {
  ParamValidationResult,
  ParsedPropertyString,
  PveParamValue,
  RawParamValue,
} from './schema/validate-params';
export type { PveBoolean, PveEndpointKey, PveEndpointParams } from './schema/pve-params.generated';
export { PVE_ENDPOINT_KEYS } from './schema/pve-params.generated';
export {
  CalendarEventError,
  calendarEventError,
  isTimeZone,
  nextCalendarEvent,
  nextCalendarEvents,
  parseCalendarEvent,
  wallTimeAt,
} from './calendar-event';
export type { CalendarEvent, CalendarField, CalendarValue } from './calendar-event';
export {
  PRUNE_KEEP_OPTIONS,
  backupsToPrune,
  formatPruneBackups,
  parsePruneBackups,
  pruneMarks,
} from './prune';
export type { PrunableBackup, PruneKeepOption, PruneMark, PruneOptions } from './prune';
