/** The auth module's public surface. */
export { AuthModule } from './auth.module';
