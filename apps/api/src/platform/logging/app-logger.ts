import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';

const LOG_LEVELS: Record<AppConfig['values']['LOG_LEVEL'], LogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  silent: [],
};

/** Nest's start-up chatter: one line per module initialised and per route mapped. Detail, not news. */
const STARTUP_DETAIL_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * Nest's console logger at LOG_LEVEL, with Nest's own start-up detail (a hundred lines of mapped routes)
 * moved from info to debug, so that an API or worker start says what matters.
 */
export class AppLogger extends ConsoleLogger {
  constructor(level: AppConfig['values']['LOG_LEVEL']) {
    super({ logLevels: LOG_LEVELS[level] });
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && STARTUP_DETAIL_CONTEXTS.has(context)) {
      super.debug(message, ...optionalParams);
      return;
    }
    super.log(message, ...optionalParams);
  }
}

/** The logger option for NestFactory: false when LOG_LEVEL is silent. */
export function appLogger(config: AppConfig): AppLogger | false {
  return config.values.LOG_LEVEL === 'silent' ? false : new AppLogger(config.values.LOG_LEVEL);
}
