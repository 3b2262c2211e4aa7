// A swarm of agents in one process, for bench/agents.ts: one real AgentConnector (the
// agent's own tunnel code) per registered cluster, so that thousands of tunnels reach one
// gateway without thousands of processes. Agents serving the same apiserver share one
// ApiserverProxy: the gateway cannot tell, and the apiservers are spared a connection pool
// per agent.
//
// Reads a JSON config (SwarmConfig) named by --config. Reports on standard output, one JSON
// line each: a status every 500 ms; on the line "stats" on standard input, the times of the
// connection attempts and of the tunnels established since the last "stats" (then forgets
// them). Stops every tunnel (close 1001) on SIGTERM, SIGINT or the line "stop".
import { mkdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ApiserverProxy } from '../agent/apiserver-proxy.ts';
import { AgentConnector, type AgentCredentialStore } from '../agent/connector.ts';
import { kubeconfigTarget } from '../agent/kubeconfig-target.ts';

/** What bench/agents.ts hands a swarm. */
export interface SwarmConfig {
  readonly gatewayUrl: string;
  readonly gatewayCaPem: string;
  /** Kubeconfigs of the real apiservers the agents reach (the agent ServiceAccount's). */
  readonly kubeconfigs: readonly string[];
  readonly agents: readonly { readonly registrationToken: string; readonly kubeconfig: number }[];
  /** Agents start at random times within this window, as after a mass restart. */
  readonly startSpreadMs: number;
  /**
   * Where each agent keeps its agent credential (a file named after its cluster), standing in
   * for the Secret a real agent keeps it in: a later swarm, or the lost-agent probe, of the
   * same clusters reconnects with it, since their registration tokens are used up.
   */
  readonly credentialDir: string;
}

/** An agent credential in a file: the swarm's stand-in for the agent's Secret. */
function credentialFile(path: string): AgentCredentialStore {
  return {
    description: path,
    read: () =>
      readFile(path, 'utf8').then(
        (text) => text.trim() || undefined,
        () => undefined,
      ),
    write: (credential) => writeFile(path, credential, { mode: 0o600 }),
  };
}

/** One status line. */
export interface SwarmStatus {
  readonly type: 'status';
  readonly at: number;
  readonly agents: number;
  readonly connected: number;
  /** Connection attempts started so far (first ones and retries). */
  readonly attempts: number;
  /** Failed attempts by error message (refused, handshake timeout, ...). */
  readonly failures: Record<string, number>;
  readonly refusedUpgrades: number;
}

/** The answer to "stats": epoch milliseconds. */
export interface SwarmStats {
  readonly type: 'stats';
  readonly attemptTimes: number[];
  readonly connectTimes: number[];
}

const { values } = parseArgs({
  options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help || !values.config) {
  console.error('Usage: node bench/agent-swarm.ts --config FILE (started by bench/agents.ts)');
  process.exit(values.help ? 0 : 2);
}
const config = JSON.parse(readFileSync(values.config, 'utf8')) as SwarmConfig;

let attempts = 0;
let refusedUpgrades = 0;
const failures: Record<string, number> = {};
let attemptTimes: number[] = [];
let connectTimes: number[] = [];

// The connectors log every attempt; counting their log lines counts attempts without
// changing the connector. A retry starts delayMs after the line that schedules it.
const countingSink = {
  write(line: string) {
    if (line.includes('"msg":"reconnecting"')) {
      const { delayMs } = JSON.parse(line) as { delayMs: number };
      attempts++;
      attemptTimes.push(Date.now() + delayMs);
    } else if (line.includes('"msg":"cannot reach the gateway"')) {
      const { err } = JSON.parse(line) as { err: string };
      const kind = err.replace(/\d+\.\d+\.\d+\.\d+:\d+/, 'gateway').slice(0, 80);
      failures[kind] = (failures[kind] ?? 0) + 1;
    } else if (line.includes('"msg":"gateway refused the tunnel upgrade"')) {
      refusedUpgrades++;
    }
  },
};
const log = pino({ level: 'info' }, countingSink);
const proxies = await Promise.all(
  config.kubeconfigs.map(async (path) => new ApiserverProxy(await kubeconfigTarget(path), log)),
);
mkdirSync(config.credentialDir, { recursive: true, mode: 0o700 });
const connected = new Set<number>();
const connectors = config.agents.map((agent, index) => {
  const proxy = proxies[agent.kubeconfig];
  if (!proxy) throw new Error(`agent ${index}: no kubeconfig ${agent.kubeconfig}`);
  const connector = new AgentConnector({
    gatewayUrl: new URL(config.gatewayUrl),
    registrationToken: () => agent.registrationToken,
    credentials: credentialFile(join(config.credentialDir, agent.registrationToken.split('.')[0] as string)),
    gatewayCaPem: config.gatewayCaPem,
    agentVersion: 'swarm',
    proxy,
    log,
  });
  connector.on('connected', () => {
    connected.add(index);
    connectTimes.push(Date.now());
  });
  connector.on('disconnected', () => connected.delete(index));
  return connector;
});

const starts = connectors.map((connector) =>
  setTimeout(
    () => {
      attempts++;
      attemptTimes.push(Date.now());
      connector.start();
    },
    Math.floor(Math.random() * config.startSpreadMs),
  ),
);

function say(message: SwarmStatus | SwarmStats): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const reporter = setInterval(
  () =>
    say({
      type: 'status',
      at: Date.now(),
      agents: connectors.length,
      connected: connected.size,
      attempts,
      failures,
      refusedUpgrades,
    }),
  500,
);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  clearInterval(reporter);
  for (const timer of starts) clearTimeout(timer);
  for (const connector of connectors) connector.stop();
  for (const proxy of proxies) proxy.close();
  setTimeout(() => process.exit(0), 500).unref();
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'stats') {
    say({ type: 'stats', attemptTimes, connectTimes });
    attemptTimes = [];
    connectTimes = [];
  } else if (line === 'stop') stop();
});
// Standard input closes when bench/agents.ts goes away: no swarm outlives it.
process.stdin.on('close', stop);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stop);
