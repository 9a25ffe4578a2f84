/** The roles module's public surface. */
export { RolesModule } from './roles.module';
export { RoleCatalog } from './role-catalog';
