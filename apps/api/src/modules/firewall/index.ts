/** The firewall module's public surface. */
export { FirewallModule } from './firewall.module';
export { ServerFirewall } from './server-firewall';
