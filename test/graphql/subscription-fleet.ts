// The fleet the subscription tests share: one real cluster, a gateway and an agent in the
// test process, some namespaces, and alice bound to view team-a only.
import type { Gateway } from '../../src/gateway.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import {
  connectInProcessAgent,
  type InProcessAgent,
  startInProcessGateway,
} from '../tunnel/in-process-fleet.ts';
import { adminAndAlice } from './people.ts';

export interface SubscriptionFleet {
  readonly run: TestClusters;
  readonly cluster: TestCluster;
  readonly gateway: Gateway;
  readonly agent: InProcessAgent;
  readonly adminToken: string;
  readonly aliceToken: string;
  stop(): Promise<void>;
}

export async function startSubscriptionFleet(
  namePrefix: string,
  namespaces: readonly string[],
  maxSubscriberQueue: number,
): Promise<SubscriptionFleet> {
  const run = await startClusters({ count: 1, namePrefix });
  const cluster = run.clusters[0] as TestCluster;
  // Tests stall a client's socket on purpose: graphql-ws's 12 s keep-alive would drop it
  // before what they wait for reaches it when the machine is busy.
  const gateway = await startInProcessGateway({
    dangerouslyServeHttp: false,
    maxSubscriberQueue,
    graphqlKeepAliveMs: 120_000,
  });
  const agent = await connectInProcessAgent(gateway, cluster);
  await cluster.grantGatewayAdmin();
  for (const ns of new Set([...namespaces, 'team-a', 'team-b']))
    await cluster.kubectlOk('admin', ['create', 'namespace', ns]);
  await cluster.kubectlOk('admin', [
    'create',
    'rolebinding',
    'alice-view',
    '-n',
    'team-a',
    '--clusterrole=view',
    '--user=local:alice',
  ]);
  const { adminToken, aliceToken } = await adminAndAlice(gateway);
  return {
    run,
    cluster,
    gateway,
    agent,
    adminToken,
    aliceToken,
    async stop() {
      agent.stop();
      await gateway.close();
      await run.stop();
    },
  };
}
