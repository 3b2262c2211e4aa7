// Two real clusters behind an in-process gateway, people with tokens and kubeconfigs that
// reach each cluster through the gateway, and small helpers for the access tests.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localPrincipal } from '../../src/auth/local-users.ts';
import type { Gateway } from '../../src/gateway.ts';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { writeKubeconfig } from '../harness/kubeconfig.ts';
import { type KubectlResult, runKubectl } from '../harness/kubectl.ts';
import {
  connectInProcessAgent,
  type InProcessAgent,
  reconnectInProcessAgent,
  startInProcessGateway,
} from '../tunnel/in-process-fleet.ts';

/** A local user of the gateway: their API token and a kubeconfig per cluster, through the gateway. */
export interface Person {
  readonly name: string;
  readonly token: string;
  readonly kubeconfigs: readonly string[];
}

export interface AccessFleet {
  readonly run: TestClusters;
  readonly clusters: readonly TestCluster[];
  /** The running gateway (a new one after restartGateway). */
  readonly gateway: Gateway;
  readonly agents: InProcessAgent[];
  /**
   * Closes the gateway and starts another on the same data directory, with the agents of
   * `connect` (cluster indexes) reconnected; people need new tokens (call person again).
   */
  restartGateway(connect: readonly number[]): Promise<Gateway>;
  readonly clusterIds: readonly string[];
  readonly admin: Person;
  person(name: string, groups?: string[]): Promise<Person>;
  /** kubectl through the gateway, as a person, against cluster `index`. */
  kubectl(person: Person, index: number, args: readonly string[]): Promise<KubectlResult>;
  /** One GraphQL request as a person: its data, or throws with its errors. */
  graphql<T>(person: Person, query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer<T>>;
  stop(): Promise<void>;
}

export interface GraphqlAnswer<T> {
  readonly data?: T;
  readonly errors?: readonly { message: string; extensions?: { code?: string } }[];
}

/** Starts `count` clusters, a gateway serving HTTPS and an agent per cluster, all Active. */
export async function startAccessFleet(namePrefix: string, count = 2): Promise<AccessFleet> {
  const run = await startClusters({ count, namePrefix });
  const dataDir = await mkdtemp(join(tmpdir(), 'fleetgate-access-'));
  let gateway = await startInProcessGateway({ dangerouslyServeHttp: false, dataDir });
  const agents: InProcessAgent[] = [];
  for (const cluster of run.clusters) agents.push(await connectInProcessAgent(gateway, cluster));
  const clusterIds = agents.map((agent) => agent.clusterId);
  const person = async (name: string, groups: string[] = []): Promise<Person> => {
    const user =
      gateway.users.get(name) ?? (await gateway.users.create(name, `${name}-password-123456`, false, groups));
    const { token } = await gateway.tokens.create(localPrincipal(user), {
      kind: 'api',
      description: 'test',
      ttlSeconds: 3600,
    });
    const kubeconfigs: string[] = [];
    for (const [index, clusterId] of clusterIds.entries()) {
      const path = join(run.runDir, `${name}-via-gateway-${index + 1}.kubeconfig`);
      await writeKubeconfig(path, {
        clusterName: `${namePrefix}${index + 1}`,
        server: `${gateway.url}/k8s/clusters/${clusterId}`,
        caPem: gateway.caPem ?? '',
        userName: name,
        token,
      });
      kubeconfigs.push(path);
    }
    return { name, token, kubeconfigs };
  };
  const admin = await person('admin');
  return {
    run,
    clusters: run.clusters,
    get gateway() {
      return gateway;
    },
    agents,
    async restartGateway(connect) {
      for (const agent of agents) agent.stop();
      await gateway.close();
      gateway = await startInProcessGateway({ dangerouslyServeHttp: false, dataDir });
      for (const index of connect)
        agents[index] = await reconnectInProcessAgent(
          gateway,
          run.clusters[index] as TestCluster,
          clusterIds[index] as string,
        );
      return gateway;
    },
    clusterIds,
    admin,
    person,
    kubectl: (who, index, args) => runKubectl(who.kubeconfigs[index] as string, args, { timeoutMs: 20_000 }),
    async graphql<T>(who: Person, query: string, variables: Record<string, unknown> = {}) {
      const answer = await gatewayRequest(`${gateway.url}/graphql`, {
        method: 'POST',
        caPem: gateway.caPem,
        headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return JSON.parse(answer.text) as GraphqlAnswer<T>;
    },
    async stop() {
      for (const agent of agents) agent.stop();
      await gateway.close();
      await run.stop();
    },
  };
}

/** Polls `check` until it returns true, for at most `ms`; answers how long it took, or throws with `what`. */
export async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The data of a GraphQL answer, or a thrown error naming its errors. */
export function dataOf<T>(answer: GraphqlAnswer<T>): T {
  if (answer.errors?.length || !answer.data)
    throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
  return answer.data;
}
