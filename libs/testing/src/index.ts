export * from './database';
export * from './processes';
export * from './wait';
export * from './redis';
export * from './sse-client';
export * from './ssh-host';
