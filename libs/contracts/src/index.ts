export * from './permissions';
export * from './tasks';
export * from './events';
export * from './errors';
export * from './server-creation';
export * from './server-operations';
