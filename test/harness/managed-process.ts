import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { forgetProcess, rememberProcess } from './process-registry.ts';

/** How to start one long-running component of a test cluster. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

const STOP_GRACE_MS = 5_000;

/** A child process whose output goes to a log file and that is always reaped. */
export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  private constructor(spec: ProcessSpec, child: ChildProcess) {
    this.name = spec.name;
    this.logFile = spec.logFile;
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitCode = code ?? (signal ? -1 : null);
        if (child.pid) forgetProcess(child.pid);
        resolve(this.#exitCode);
      });
    });
  }

  /** Starts the process; its stdout and stderr are appended to spec.logFile. */
  static start(spec: ProcessSpec): ManagedProcess {
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    log.write(`$ ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...spec.env },
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('exit', () => setImmediate(() => log.end()));
    child.once('error', (error) => log.write(`spawn error: ${error.message}\n`));
    if (child.pid) rememberProcess(child.pid, spec.name);
    return new ManagedProcess(spec, child);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** Resolves with the exit code (or -1 when killed by a signal). */
  exited(): Promise<number | null> {
    return this.#exited;
  }

  /**
   * Polls `probe` until it returns true, failing early (with the log's tail) when the
   * process exits first or the deadline passes.
   */
  async waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `${this.name} exited (code ${this.#exitCode}) before ${what}\n${await this.logTail()}`,
        );
      }
      try {
        if (await probe()) return;
      } catch (error) {
        lastError = (error as Error).message;
      }
      await sleep(250);
    }
    throw new Error(
      `${this.name} not ${what} after ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}\n${await this.logTail()}`,
    );
  }

  /** The last lines of the log, for error messages. */
  async logTail(lines = 25): Promise<string> {
    try {
      const text = await readFile(this.logFile, 'utf8');
      return `--- last lines of ${this.logFile} ---\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
    } catch {
      return `(no log at ${this.logFile})`;
    }
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Sends `signal` (SIGTERM to drain) without waiting for the process to end. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  /** SIGKILL at once, as a crash would. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGKILL');
    await this.#exited;
  }
}
