/** The selftest module's public surface. */
export { SelftestModule } from './selftest.module';
