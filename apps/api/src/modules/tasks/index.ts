/** The tasks module's public surface. */
export { TasksModule } from './tasks.module';
