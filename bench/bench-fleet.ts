// Start-up shared by the benchmarks that register many clusters on a few real control planes
// (a cluster there is a registration with its own agent process and tunnel; several agents
// point at the same apiserver): the command line, the agents' identities, the agent processes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { installAgentIdentity } from '../test/harness/agent-identity.ts';
import type { GatewayProcess, Registration } from '../test/harness/fleet.ts';
import type { TestCluster } from '../test/harness/index.ts';
import { ManagedProcess } from '../test/harness/managed-process.ts';

/** A benchmark's options as parsed from its command line; `-h`/`--help` prints `usage` and exits. */
export function benchOptions<const O extends ParseArgsOptionsConfig>(
  options: O,
  usage: string,
): ReturnType<typeof parseArgs<{ options: O }>>['values'] {
  const { values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } } });
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return values as ReturnType<typeof parseArgs<{ options: O }>>['values'];
}

/** A whole number of at least `min` from option `name`, or an error naming the option. */
export function wholeOption(name: string, text: string | undefined, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name} takes a whole number from ${min}: ${text}`);
  return value;
}

/**
 * Gives each real cluster the agent's objects once, from the manifest of the registration of
 * the same index (every agent pointed at that cluster uses that ServiceAccount's token), and
 * makes the gateway's admin its cluster admin. Returns one agent kubeconfig per real cluster.
 */
export function installAgentIdentities(
  gateway: GatewayProcess,
  clusters: readonly TestCluster[],
  registrations: readonly Registration[],
): Promise<string[]> {
  return Promise.all(
    clusters.map(async (cluster, i) => {
      const manifest = await gateway.request(new URL(registrations[i]?.installUrl as string).pathname);
      const file = join(cluster.dir, 'agent.kubeconfig');
      await installAgentIdentity(cluster, manifest.text, file, 'agent');
      await cluster.grantGatewayAdmin();
      return file;
    }),
  );
}

/**
 * Starts one agent process per registration, the i-th on real cluster i mod their count,
 * each added to `agents` as it starts (so that the caller stops them all, whatever fails).
 */
export async function startAgentProcesses(options: {
  readonly gateway: GatewayProcess;
  readonly registrations: readonly Registration[];
  /** One agent kubeconfig per real cluster (installAgentIdentities). */
  readonly kubeconfigs: readonly string[];
  /** Where their tokens, the gateway's CA and their logs go. */
  readonly dir: string;
  readonly agents: ManagedProcess[];
  readonly extraArgs?: readonly string[];
}): Promise<void> {
  const { dir, kubeconfigs } = options;
  await mkdir(dir, { recursive: true });
  const caFile = join(dir, 'gateway-ca.crt');
  await writeFile(caFile, options.gateway.caPem);
  for (const [i, registration] of options.registrations.entries()) {
    const tokenFile = join(dir, `token-${i}`);
    await writeFile(tokenFile, registration.registrationToken, { mode: 0o600 });
    options.agents.push(
      ManagedProcess.start({
        name: `agent-${i}`,
        command: process.execPath,
        args: [
          new URL('../agent/main.ts', import.meta.url).pathname,
          '--gateway-url',
          options.gateway.url,
          '--token-file',
          tokenFile,
          '--kubeconfig',
          kubeconfigs[i % kubeconfigs.length] as string,
          '--gateway-ca-file',
          caFile,
          ...(options.extraArgs ?? []),
        ],
        logFile: join(dir, `agent-${i}.log`),
        env: { LOG_LEVEL: 'warn' },
      }),
    );
  }
}
