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
 * One change made through the gateway's own API (GraphQL mutations, REST administration):
 * who, as whom downstream, what, where, and how it ended. Never a secret or an object's body.
 */
export interface AuditedAction {
  readonly principalId: string;
  readonly principal: string;
  /** The downstream user a change to a cluster ran as. */
  readonly as?: string;
  /** What was done: the mutation or API operation, e.g. scaleWorkload, registerCluster. */
  readonly action: string;
  readonly clusterId?: string;
  /** What it was done to: a kind/namespace/name, a token id, a user name. Never a secret. */
  readonly target?: string;
  readonly outcome: 'success' | 'failure';
  /** The error code of a failure. */
  readonly code?: string;
  readonly remote?: string;
}

/** Audit lines are buffered up to this many bytes before a write... */
export const AUDIT_BATCH_BYTES = 8 * 1024;
/** ...and written at least this often, so that a crash loses at most this much time's lines. */
export const AUDIT_FLUSH_MS = 100;

/**
 * The audit trail: one JSON line per sign-in, per passthrough request and per change made
 * through the gateway's API, to its own destination. It never holds a token or a password.
 */
export class AuditLog {
  readonly #log: Logger;

  readonly #flushTimer: NodeJS.Timeout;
  readonly #destination: ReturnType<typeof pino.destination>;

  /** `destination` is a file path, or "-" for standard output. */
  constructor(destination: string) {
    // Lines are written in batches (of AUDIT_BATCH_BYTES, at least every AUDIT_FLUSH_MS):
    // a write per passthrough request was about a tenth of the gateway's CPU per small GET.
    this.#destination = pino.destination({
      dest: destination === '-' ? 1 : destination,
      mkdir: destination !== '-',
      sync: false,
      minLength: AUDIT_BATCH_BYTES,
    });
    this.#log = pino(
      { base: undefined, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'event' },
      this.#destination,
    );
    this.#flushTimer = setInterval(() => this.flush(), AUDIT_FLUSH_MS);
    this.#flushTimer.unref();
  }

  request(entry: AuditedRequest): void {
    this.#log.info({ kind: 'request', ...entry });
  }

  signIn(entry: AuditedSignIn): void {
    this.#log.info({ kind: 'sign-in', ...entry });
  }

  action(entry: AuditedAction): void {
    this.#log.info({ kind: 'action', ...entry });
  }

  /**
   * Runs `work` and records it as an action: success, or failure with the error's code
   * (the error is thrown on unchanged).
   */
  async audited<T>(entry: Omit<AuditedAction, 'outcome' | 'code'>, work: () => T | Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.action({ ...entry, outcome: 'success' });
      return result;
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      this.action({ ...entry, outcome: 'failure', code: typeof code === 'string' ? code : 'INTERNAL' });
      throw error;
    }
  }

  flush(): void {
    this.#log.flush();
  }

  /** Writes what is buffered before returning (the process may exit next) and stops the periodic flush. */
  close(): void {
    clearInterval(this.#flushTimer);
    try {
      this.#destination.flushSync();
    } catch {
      // Not open yet, or a write under way: the asynchronous flush is all that is left.
      this.#log.flush();
    }
  }
}
