/** The datastores module's public surface: the creation pipeline reads datastores and defaults here. */
export { DatastoresModule } from './datastores.module';
export { DatastoreCatalog } from './datastore-catalog';
export type { DatastoreInfo } from './datastore-catalog';
export { DISK_TYPES } from './datastore-default.entity';
export type { DiskType } from './datastore-default.entity';
export { storageReads } from './storage-reads';
export type { StorageRead } from './storage-reads';
