/** The cleanup module's public surface. */
export { CleanupModule } from './cleanup.module';
