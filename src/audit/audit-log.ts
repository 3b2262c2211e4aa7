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

/** Who did an action, as the audit log names them (a `Principal` has both fields). */
export interface AuditedCaller {
  readonly principalId: string;
  readonly name: string;
}

/** Where an action was done: the cluster, and what it was done to (never a secret). */
export interface AuditedWhere {
  readonly clusterId?: string;
  readonly target?: string;
}

/** Audit lines are written together once this many bytes are waiting... */
export const AUDIT_BATCH_BYTES = 32 * 1024;
/** ...or once the oldest waited this long: a crash loses at most this much time's lines. */
export const AUDIT_FLUSH_MS = 100;

type FileDestination = ReturnType<typeof pino.destination>;

/**
 * Collects audit lines and hands them to the file in one write per batch. A write per
 * passthrough request was about a tenth of the gateway's CPU per small GET (each is a
 * system call on the thread pool and a completion back on the event loop).
 */
class LineBatch {
  readonly #out: FileDestination;
  #lines: string[] = [];
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(out: FileDestination) {
    this.#out = out;
  }

  write(line: string): boolean {
    this.#lines.push(line);
    this.#bytes += line.length;
    if (this.#bytes >= AUDIT_BATCH_BYTES) this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), AUDIT_FLUSH_MS);
      this.#timer.unref();
    }
    return true;
  }

  /** Hands what is waiting to the file (written asynchronously). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#lines.length) return;
    const text = this.#lines.join('');
    this.#lines = [];
    this.#bytes = 0;
    this.#out.write(text);
  }
}

/**
 * The audit trail: one JSON line per sign-in, per passthrough request and per change made
 * through the gateway's API, to its own destination. It never holds a token or a password.
 */
export class AuditLog {
  readonly #log: Logger;
  readonly #destination: FileDestination;
  readonly #batch: LineBatch;

  /** `destination` is a file path, or "-" for standard output. */
  constructor(destination: string) {
    this.#destination = pino.destination(
      destination === '-' ? 1 : { dest: destination, mkdir: true, sync: false },
    );
    this.#batch = new LineBatch(this.#destination);
    this.#log = pino(
      { base: undefined, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'event' },
      this.#batch,
    );
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

  /**
   * Runs `work` as `caller`'s `action` and records it whatever its outcome: the one way the
   * gateway's own services (administration, access policy) audit a call.
   */
  auditedBy<T>(
    caller: AuditedCaller,
    action: string,
    where: AuditedWhere,
    work: () => T | Promise<T>,
  ): Promise<T> {
    return this.audited({ principalId: caller.principalId, principal: caller.name, action, ...where }, work);
  }

  /** Hands the lines waiting in the batch to the file (written asynchronously). */
  flush(): void {
    this.#batch.flush();
  }

  /** Writes every line before returning (the process may exit next). */
  close(): void {
    this.#batch.flush();
    try {
      this.#destination.flushSync();
    } catch {
      // Not open yet, or a write under way: the asynchronous write is all that is left.
    }
  }
}
