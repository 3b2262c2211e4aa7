// An in-process gateway with two clusters whose agents are raw tunnel endpoints the test
// drives frame by frame (one to play hostile, one honest), and an admin token: for tests of
// what the passthrough does with answers a real agent would never send.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Gateway, startGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/shared/log/logger.ts';
import { connectRawAgent, type RawAgent } from '../tunnel/raw-agent.ts';

/** A registered cluster and the raw agent that holds its tunnel. */
export interface RawCluster {
  readonly clusterId: string;
  readonly agent: RawAgent;
}

/** The gateway, its two raw-agent clusters and an admin token. */
export interface RawAgentGateway {
  readonly gateway: Gateway;
  readonly hostile: RawCluster;
  readonly honest: RawCluster;
  readonly token: string;
  close(): Promise<void>;
}

/** Starts the gateway (data under a temporary folder named after `name`) and both agents. */
export async function startRawAgentGateway(name: string): Promise<RawAgentGateway> {
  const adminPassword = `${name}-admin-password`;
  const gateway = await startGateway({
    dataDir: await mkdtemp(join(tmpdir(), `fleetgate-${name}-`)),
    host: '127.0.0.1',
    port: 0,
    dangerouslyServeHttp: true,
    agentImage: 'fleetgate/agent:test',
    adminPassword,
    log: createLogger('test', 'silent'),
  });
  const agentFor = async (clusterName: string): Promise<RawCluster> => {
    const { cluster, token: registration } = await gateway.registry.register(clusterName);
    const agent = connectRawAgent(gateway.url, registration);
    await agent.hello;
    return { clusterId: cluster.clusterId, agent };
  };
  const hostile = await agentFor('hostile');
  const honest = await agentFor('honest');
  const login = await fetch(`${gateway.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: adminPassword }),
  });
  const token = ((await login.json()) as { token: string }).token;
  return {
    gateway,
    hostile,
    honest,
    token,
    async close() {
      hostile.agent.socket.close();
      honest.agent.socket.close();
      await gateway.close();
    },
  };
}

/** Answers the next stream opened on `agent` for `path` with these frames. */
export async function answer(
  agent: RawAgent,
  path: string,
  frames: (streamId: number) => Buffer[],
): Promise<void> {
  const open = await agent.waitForFrame((f) => f.type === 'OPEN' && f.head.path === path);
  for (const frame of frames(open.streamId)) agent.send(frame);
}
