export * from './database';
export * from './processes';
export * from './wait';
export * from './redis';
