/** Test data for integration tests: users, sessions and tasks in the running app's stores. */
export * from './session.factory';
export * from './task.factory';
export * from './user.factory';
