import { type Logger, pino } from 'pino';

export type { Logger };

/** A structured JSON logger on standard error; level from LOG_LEVEL (default info). */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { name }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}
