// bench/agents.ts's handle on one bench/agent-swarm.ts process: starts it, follows its
// status lines, asks it for stats and signals it (SIGKILL and SIGSTOP are how agents get lost).
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { forgetProcess, rememberProcess } from '../test/harness/process-registry.ts';
import type { SwarmConfig, SwarmStats, SwarmStatus } from './agent-swarm.ts';

const swarmProgram = new URL('./agent-swarm.ts', import.meta.url).pathname;

/** A running swarm of agents in its own process. */
export class SwarmProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #status: SwarmStatus | undefined;
  #statsWaiters: ((stats: SwarmStats) => void)[] = [];

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const message = JSON.parse(line) as SwarmStatus | SwarmStats;
      if (message.type === 'status') this.#status = message;
      else this.#statsWaiters.shift()?.(message);
    });
  }

  /** Writes the config into `dir` (the run's folder, so leftovers can be reaped) and starts it. */
  static async start(
    dir: string,
    name: string,
    config: SwarmConfig,
    nodeOptions = '',
  ): Promise<SwarmProcess> {
    const configFile = join(dir, `${name}.json`);
    await writeFile(configFile, JSON.stringify(config), { mode: 0o600 });
    const child = spawn(process.execPath, [swarmProgram, '--config', configFile], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: nodeOptions },
    });
    child.stderr?.pipe(createWriteStream(join(dir, `${name}.log`), { flags: 'a' }));
    const pid = child.pid as number;
    rememberProcess(pid, name);
    child.once('exit', () => forgetProcess(pid));
    return new SwarmProcess(name, child);
  }

  get pid(): number {
    return this.#child.pid as number;
  }

  /** The latest status line, if one arrived. */
  get status(): SwarmStatus | undefined {
    return this.#status;
  }

  /** Attempt and connect times since the last call. */
  stats(): Promise<SwarmStats> {
    return new Promise((resolve) => {
      this.#statsWaiters.push(resolve);
      this.#child.stdin?.write('stats\n');
    });
  }

  /** Waits until every agent has its tunnel (by the swarm's own account). */
  async waitAllConnected(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const status = this.#status;
      if (status && status.connected === status.agents) return;
      await sleep(100);
    }
    throw new Error(
      `${this.name}: not all agents connected after ${timeoutMs} ms: ${JSON.stringify(this.#status)}`,
    );
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** SIGKILL, as a crash would; resolves once the process is gone. */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** Closes every tunnel (1001) and waits for the process to exit. */
  async stop(): Promise<void> {
    this.#child.stdin?.end('stop\n');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await this.#exited;
    clearTimeout(timer);
  }
}
