import { type Logger, pino } from 'pino';

/** One passthrough request, as the audit log records it. */
export interface AuditedRequest {
  readonly principalId: string;
  readonly principal: string;
  /** The downstream user the request ran as. */
  readonly as: string;
  readonly asGroups: readonly string[];
  readonly clusterId: string;
  readonly method: string;
  readonly verb: string;
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly remote?: string;
  readonly upgrade?: boolean;
}

/** One sign-in attempt. */
export interface AuditedSignIn {
  readonly provider: string;
  readonly principal: string;
  readonly principalId?: string;
  readonly outcome: 'success' | 'failure';
  readonly reason?: string;
  readonly remote?: string;
}

/**
 * The audit trail: one JSON line per sign-in and per passthrough request, to its own
 * destination. It never holds a token or a password.
 */
export class AuditLog {
  readonly #log: Logger;

  /** `destination` is a file path, or "-" for standard output. */
  constructor(destination: string) {
    this.#log = pino(
      { base: undefined, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'event' },
      pino.destination(destination === '-' ? 1 : { dest: destination, mkdir: true, sync: false }),
    );
  }

  request(entry: AuditedRequest): void {
    this.#log.info({ kind: 'request', ...entry });
  }

  signIn(entry: AuditedSignIn): void {
    this.#log.info({ kind: 'sign-in', ...entry });
  }

  flush(): void {
    this.#log.flush();
  }
}
