import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { Gateway } from '../../src/gateway.ts';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import {
  connectInProcessAgent,
  type InProcessAgent,
  startInProcessGateway,
} from '../tunnel/in-process-fleet.ts';
import { adminAndAlice, graphqlWsClient } from './people.ts';

let run: TestClusters;
let gateway: Gateway;
let agents: InProcessAgent[];
let adminToken: string;
let aliceToken: string;
// 3 x 1,667 = 5,001 pods; they name a scheduler nobody runs, so they stay put (no churn).
const PODS_PER_CLUSTER = 1667;

interface GraphQLAnswer<T> {
  data?: T;
  errors?: {
    message: string;
    extensions?: { code?: string; clusterId?: string; httpStatus?: number | null };
  }[];
}

async function graphql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  token = adminToken,
): Promise<GraphQLAnswer<T> & { status: number }> {
  const answer = await gatewayRequest(`${gateway.url}/graphql`, {
    method: 'POST',
    caPem: gateway.caPem,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: answer.status, ...(JSON.parse(answer.text) as GraphQLAnswer<T>) };
}

function podList(count: number): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `web-${String(i).padStart(4, '0')}`,
        namespace: 'apps',
        labels: { app: 'web', tier: i % 2 ? 'odd' : 'even' },
      },
      spec: {
        schedulerName: 'not-scheduled',
        containers: [{ name: 'web', image: 'registry.invalid/web:1' }],
      },
    })),
  });
}

before(async () => {
  run = await startClusters({ count: 3, namePrefix: 'gql' });
  gateway = await startInProcessGateway({ dangerouslyServeHttp: false });
  agents = [];
  for (const cluster of run.clusters) agents.push(await connectInProcessAgent(gateway, cluster));
  await Promise.all(
    run.clusters.map(async (cluster) => {
      await cluster.grantGatewayAdmin();
      await cluster.kubectlOk('admin', ['create', 'namespace', 'apps']);
      await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
        stdin: podList(PODS_PER_CLUSTER),
        timeoutMs: 300_000,
      });
    }),
  );
  ({ adminToken, aliceToken } = await adminAndAlice(gateway, ['team-a']));
});

after(async () => {
  for (const agent of agents ?? []) agent.stop();
  await gateway?.close();
  await run?.stop();
});

const PODS = `query Pods($first: Int, $after: String, $filter: ResourceFilter) {
  pods(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { clusterId namespace name phase } }
  }
}`;

interface PodsData {
  pods: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { clusterId: string; namespace: string; name: string } }[];
  };
}

describe('the GraphQL API', () => {
  test('viewer and clusters describe the caller and the fleet', async () => {
    const answer = await graphql<{
      viewer: { kubernetesUser: string };
      clusters: { id: string; state: string }[];
    }>('{ viewer { kubernetesUser } clusters { id name state kubernetesVersion } }');
    assert.equal(answer.errors, undefined);
    assert.equal(answer.data?.viewer.kubernetesUser, 'local:admin');
    assert.deepEqual(new Set(answer.data?.clusters.map((c) => c.state)), new Set(['Active']));
    assert.equal(answer.data?.clusters.length, 3);
  });

  test('one query returns pods from every cluster, each with its clusterId', async () => {
    const answer = await graphql<PodsData>(PODS, {
      first: 1000,
      filter: { namespace: 'apps', labelSelector: 'app=web', nameContains: 'web-000' },
    });
    assert.equal(answer.errors, undefined);
    assert.equal(answer.data?.pods.totalCount, 3 * 10);
    const byCluster = new Map<string, number>();
    for (const { node } of answer.data?.pods.edges ?? [])
      byCluster.set(node.clusterId, (byCluster.get(node.clusterId) ?? 0) + 1);
    assert.deepEqual([...byCluster.values()], [10, 10, 10]);
  });

  test('filters: label selector, field selector, name search and chosen clusters', async () => {
    const first = agents[0]?.clusterId as string;
    const odd = await graphql<PodsData>(PODS, {
      first: 1000,
      filter: { clusters: [first], namespace: 'apps', labelSelector: 'tier=odd' },
    });
    assert.equal(odd.data?.pods.totalCount, Math.floor(PODS_PER_CLUSTER / 2));
    const byName = await graphql<PodsData>(PODS, {
      first: 1000,
      filter: { nameContains: 'web-001', namespace: 'apps' },
    });
    assert.equal(byName.data?.pods.totalCount, 3 * 10);
    const byField = await graphql<PodsData>(PODS, {
      first: 1000,
      filter: { fieldSelector: 'metadata.name=web-0007', namespace: 'apps' },
    });
    assert.equal(byField.data?.pods.totalCount, 3);
  });

  test('paging through 5,001 pods of 3 clusters returns each exactly once', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    do {
      const answer: GraphQLAnswer<PodsData> = await graphql<PodsData>(PODS, {
        first: 487,
        after,
        filter: { namespace: 'apps' },
      });
      assert.equal(answer.errors, undefined);
      for (const { node } of answer.data?.pods.edges ?? []) {
        const key = `${node.clusterId}/${node.namespace}/${node.name}`;
        assert.ok(!seen.has(key), `${key} twice`);
        seen.add(key);
      }
      after = answer.data?.pods.pageInfo.hasNextPage ? (answer.data.pods.pageInfo.endCursor ?? null) : null;
      pages++;
    } while (after);
    assert.equal(seen.size, 3 * PODS_PER_CLUSTER);
    assert.equal(pages, Math.ceil((3 * PODS_PER_CLUSTER) / 487));
  });

  test('any kind by apiVersion and kind, as JSON objects', async () => {
    const answer = await graphql<{
      resources: { totalCount: number; edges: { node: { clusterId: string; object: { kind: string } } }[] };
    }>(
      '{ resources(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", filter: {nameContains: "gateway-admin"}) { totalCount edges { node { clusterId name object } } } }',
    );
    assert.equal(answer.errors, undefined);
    assert.equal(answer.data?.resources.totalCount, 3);
    const unknown = await graphql<{ resources: { totalCount: number } }>(
      '{ resources(apiVersion: "v1", kind: "Unicorn") { totalCount } }',
    );
    assert.equal(unknown.data?.resources.totalCount, 0);
    assert.deepEqual(
      new Set(unknown.errors?.map((e) => e.extensions?.code)),
      new Set(['RESOURCE_NOT_FOUND']),
    );
  });

  test('a person sees what their downstream RBAC allows, and errors say which cluster refused', async () => {
    const denied = await graphql<PodsData>(PODS, { filter: { namespace: 'apps' } }, aliceToken);
    assert.equal(denied.data?.pods.totalCount, 0);
    assert.equal(denied.errors?.length, 3);
    for (const error of denied.errors ?? []) {
      assert.equal(error.extensions?.code, 'CLUSTER_FORBIDDEN');
      assert.equal(error.extensions?.httpStatus, 403);
    }
    const cluster = run.clusters[1] as TestCluster;
    await cluster.kubectlOk('admin', [
      'create',
      'rolebinding',
      'team-a-view',
      '-n',
      'apps',
      '--clusterrole=view',
      '--group=local:team-a',
    ]);
    const partly = await graphql<PodsData>(PODS, { first: 1000, filter: { namespace: 'apps' } }, aliceToken);
    assert.equal(partly.data?.pods.totalCount, PODS_PER_CLUSTER);
    assert.equal(partly.errors?.length, 2);
  });

  test('alice sees only the namespaces she is bound to, and the pods in them', async () => {
    // After the previous test, alice's group may view namespace apps of the second cluster only.
    const bound = agents[1]?.clusterId;
    const namespaces = await graphql<{
      namespaces: { edges: { node: { clusterId: string; name: string } }[] };
    }>('{ namespaces { edges { node { clusterId name } } } }', {}, aliceToken);
    assert.deepEqual(
      namespaces.data?.namespaces.edges.map((e) => [e.node.clusterId, e.node.name]),
      [[bound, 'apps']],
    );
    assert.equal(
      namespaces.errors?.length,
      2,
      'the two clusters where she is bound nowhere still say Forbidden',
    );
    const pods = await graphql<PodsData>(PODS, { first: 10 }, aliceToken);
    assert.equal(pods.data?.pods.totalCount, PODS_PER_CLUSTER);
    assert.ok(pods.data?.pods.edges.every((e) => e.node.clusterId === bound && e.node.namespace === 'apps'));
  });

  test('over-deep, over-costly, aliased, over-large and malformed documents are refused with specific codes', async () => {
    const deep = await graphql(
      `{ clusters { ${'name '.repeat(1)} } viewer { name } pods { edges { node { object } } } a: pods { edges { node { name } } } }`,
    );
    assert.equal(deep.errors, undefined, 'a normal query passes');
    const nested = `query { pods(first: 1000) { edges { node { name } } } ${Array.from({ length: 60 }, (_, i) => `p${i}: pods(first: 1000) { edges { node { name object } } }`).join(' ')} }`;
    const costly = await graphql(nested);
    assert.ok(
      ['QUERY_TOO_COSTLY', 'TOO_MANY_ALIASES'].includes(costly.errors?.[0]?.extensions?.code ?? ''),
      JSON.stringify(costly.errors),
    );
    // A page size passed as a variable costs what it asks for, as a literal does.
    const paged = `query($n: Int) { ${Array.from({ length: 20 }, (_, i) => `p${i}: pods(first: $n) { edges { node { name object } } }`).join(' ')} }`;
    const costlyByVariable = await graphql(paged, { n: 1000 });
    assert.equal(costlyByVariable.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY');
    const cheapByVariable = await graphql(paged, { n: 10 });
    assert.equal(cheapByVariable.errors, undefined, JSON.stringify(cheapByVariable.errors));
    const aliases = await graphql(
      `{ ${Array.from({ length: 31 }, (_, i) => `v${i}: viewer { name }`).join(' ')} }`,
    );
    assert.equal(aliases.errors?.[0]?.extensions?.code, 'TOO_MANY_ALIASES');
    const tooDeep = await graphql(
      `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }`,
    );
    assert.equal(tooDeep.errors?.[0]?.extensions?.code, 'QUERY_TOO_DEEP');
    const large = await graphql(`{ viewer { name } } # ${'x'.repeat(70_000)}`);
    assert.equal(large.status, 413);
    assert.equal(large.errors?.[0]?.extensions?.code, 'DOCUMENT_TOO_LARGE');
    const malformed = await graphql('{ viewer { name ');
    assert.equal(malformed.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    const noToken = await graphql('{ viewer { name } }', {}, 'fgt.invalid');
    assert.equal(noToken.status, 401);
    assert.equal(noToken.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  test('cluster stats count nodes, capacity, requests and pods by phase', async () => {
    const answer = await graphql<{
      clusters: {
        stats: {
          nodeCount: number;
          readyNodes: number;
          cpuCapacityCores: number;
          memoryCapacityBytes: number;
          podsByPhase: Record<string, number>;
        };
      }[];
    }>(
      '{ clusters { id stats { nodeCount readyNodes cpuCapacityCores cpuAllocatableCores cpuRequestedCores memoryCapacityBytes podsByPhase } } }',
    );
    assert.equal(answer.errors, undefined);
    for (const { stats } of answer.data?.clusters ?? []) {
      assert.equal(stats.nodeCount, 3);
      assert.equal(stats.readyNodes, 3);
      assert.equal(stats.cpuCapacityCores, 24);
      assert.equal(stats.memoryCapacityBytes, 3 * 32 * 2 ** 30);
      const total = Object.values(stats.podsByPhase).reduce((a, b) => a + b, 0);
      assert.ok(total >= PODS_PER_CLUSTER, JSON.stringify(stats.podsByPhase));
    }
  });

  test("administrators rotate a cluster's agent credential: the connected agent receives and stores it and keeps its tunnel", async () => {
    const agent = agents[0] as InProcessAgent;
    const tunnel = agent.connector.session;
    const query =
      'mutation($id: ID!) { rotateAgentCredential(id: $id, graceSeconds: 60) { deliveredTo graceUntil cluster { id } } }';
    const notAdmin = await graphql(query, { id: agent.clusterId }, aliceToken);
    assert.equal(notAdmin.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const stored = new Promise<{ stored: boolean }>((resolve) => agent.connector.once('credential', resolve));
    const rotated = await graphql<{
      rotateAgentCredential: { deliveredTo: number; graceUntil: string; cluster: { id: string } };
    }>(query, { id: agent.clusterId });
    assert.equal(rotated.errors, undefined);
    assert.equal(rotated.data?.rotateAgentCredential.deliveredTo, 1);
    assert.equal(rotated.data?.rotateAgentCredential.cluster.id, agent.clusterId);
    assert.deepEqual(await stored, { stored: true });
    assert.equal(agent.connector.session, tunnel, 'the agent reconnected');
    assert.equal(gateway.registry.get(agent.clusterId)?.state, 'Active');
  });

  test('mutations change a cluster as the caller, and the gateway only for administrators', async () => {
    const clusterId = agents[0]?.clusterId as string;
    const cluster = run.clusters[0] as TestCluster;
    const mutate = (query: string, variables: Record<string, unknown> = {}, token = adminToken) =>
      graphql<
        Record<
          string,
          {
            object?: unknown;
            token?: string;
            tokenId?: string;
            registrationToken?: string;
            cluster?: { id: string };
          }
        >
      >(query, variables, token);
    assert.equal(
      (
        await mutate(
          'mutation($c: ID!) { createNamespace(clusterId: $c, name: "made-by-graphql") { clusterId } }',
          { c: clusterId },
        )
      ).errors,
      undefined,
    );
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'applied', namespace: 'made-by-graphql' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'applied' } },
        template: {
          metadata: { labels: { app: 'applied' } },
          spec: { containers: [{ name: 'c', image: 'registry.invalid/c:1' }] },
        },
      },
    };
    const applied = await mutate(
      'mutation($c: ID!, $m: JSON!) { applyManifest(clusterId: $c, manifest: $m) { object } }',
      { c: clusterId, m: deployment },
    );
    assert.equal(applied.errors, undefined, JSON.stringify(applied.errors));
    const scaled = await mutate(
      'mutation($c: ID!) { scaleWorkload(clusterId: $c, namespace: "made-by-graphql", kind: Deployment, name: "applied", replicas: 3) { object } }',
      { c: clusterId },
    );
    assert.equal(scaled.errors, undefined, JSON.stringify(scaled.errors));
    assert.equal(
      await cluster.kubectlOk('admin', [
        'get',
        'deployment',
        'applied',
        '-n',
        'made-by-graphql',
        '-o',
        'jsonpath={.spec.replicas}',
      ]),
      '3',
    );
    await mutate(
      'mutation($c: ID!) { restartRollout(clusterId: $c, namespace: "made-by-graphql", kind: Deployment, name: "applied") { object } }',
      { c: clusterId },
    );
    assert.match(
      await cluster.kubectlOk('admin', [
        'get',
        'deployment',
        'applied',
        '-n',
        'made-by-graphql',
        '-o',
        'jsonpath={.spec.template.metadata.annotations}',
      ]),
      /restartedAt/,
    );
    const deleted = await mutate(
      'mutation($c: ID!) { deleteResource(clusterId: $c, apiVersion: "apps/v1", kind: "Deployment", namespace: "made-by-graphql", name: "applied") { object } }',
      { c: clusterId },
    );
    assert.equal(deleted.errors, undefined);
    assert.notEqual(
      (await cluster.kubectl('admin', ['get', 'deployment', 'applied', '-n', 'made-by-graphql'])).code,
      0,
    );

    // alice may do none of this downstream, and none of the gateway's own administration.
    const refused = await mutate(
      'mutation($c: ID!) { createNamespace(clusterId: $c, name: "alice-was-here") { clusterId } }',
      { c: clusterId },
      aliceToken,
    );
    // The cluster refused (CLUSTER_FORBIDDEN, as lists report it); the gateway's own refusal
    // of a non-administrator is FORBIDDEN.
    assert.equal(refused.errors?.[0]?.extensions?.code, 'CLUSTER_FORBIDDEN');
    assert.equal(refused.errors?.[0]?.extensions?.httpStatus, 403);
    const notAdmin = await mutate(
      'mutation { registerCluster(name: "sneaky") { registrationToken } }',
      {},
      aliceToken,
    );
    assert.equal(notAdmin.errors?.[0]?.extensions?.code, 'FORBIDDEN');

    const registered = await mutate(
      'mutation { registerCluster(name: "via-graphql") { registrationToken installCommand cluster { id } } }',
    );
    assert.match(registered.data?.registerCluster?.registrationToken ?? '', /^c-[a-z0-9]{10}\./);
    const removed = await graphql<{ removeCluster: boolean }>(
      'mutation($id: ID!) { removeCluster(id: $id) }',
      { id: registered.data?.registerCluster?.cluster?.id },
    );
    assert.equal(removed.data?.removeCluster, true);

    const created = await mutate(
      'mutation { createApiToken(description: "ci", ttlSeconds: 600) { tokenId token expiresAt } }',
      {},
      aliceToken,
    );
    const token = created.data?.createApiToken?.token as string;
    assert.equal(
      (await graphql<{ viewer: { name: string } }>('{ viewer { name } }', {}, token)).data?.viewer.name,
      'alice',
    );
    const revoked = await graphql<{ revokeApiToken: boolean }>(
      'mutation($id: ID!) { revokeApiToken(tokenId: $id) }',
      { id: created.data?.createApiToken?.tokenId },
      aliceToken,
    );
    assert.equal(revoked.data?.revokeApiToken, true);
    assert.equal((await graphql('{ viewer { name } }', {}, token)).status, 401);
  });

  test('nodes, workloads, services and events have queries of their own', async () => {
    const answer = await graphql<Record<string, { totalCount: number }>>(
      '{ nodes { totalCount } services { totalCount } deployments { totalCount } events(filter: {namespace: "default"}) { totalCount } }',
    );
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.equal(answer.data?.nodes?.totalCount, 9);
    assert.ok((answer.data?.services?.totalCount ?? 0) >= 3, 'each cluster has the kubernetes Service');
  });

  test('cluster stats are pushed to subscribers when they change', async () => {
    const target = agents[0] as InProcessAgent;
    const cluster = run.clusters[0] as TestCluster;
    const wsClient = graphqlWsClient(gateway, adminToken).client;
    const totals: number[] = [];
    const subscription = wsClient.iterate<{
      clusterStats: { clusterId: string; stats: { nodeCount: number; podsByPhase: Record<string, number> } };
    }>({
      query:
        'subscription($c: [ID!]) { clusterStats(clusters: $c) { clusterId stats { nodeCount podsByPhase } } }',
      variables: { c: [target.clusterId] },
    });
    let created = false;
    for await (const message of subscription) {
      const update = message.data?.clusterStats;
      assert.ok(update, JSON.stringify(message));
      assert.equal(update.clusterId, target.clusterId);
      assert.equal(update.stats.nodeCount, 3);
      totals.push(Object.values(update.stats.podsByPhase).reduce((a, b) => a + b, 0));
      if (!created) {
        created = true;
        await cluster.kubectlOk('admin', [
          'run',
          'one-more',
          '-n',
          'default',
          '--image=registry.invalid/x:1',
        ]);
      } else break;
    }
    await wsClient.dispose();
    assert.equal(totals.length, 2);
    assert.equal((totals[1] ?? 0) - (totals[0] ?? 0), 1, `pod totals pushed: ${totals.join(' -> ')}`);
  });

  test('a subscription streams cluster status; a stopped agent leaves partial results naming its cluster', async () => {
    const { client } = graphqlWsClient(gateway, adminToken);
    const stopped = agents[2] as InProcessAgent;
    const events: { id: string; state: string }[] = [];
    const subscription = client.iterate<{ clusterStatus: { id: string; state: string } }>({
      query: 'subscription { clusterStatus { id state stateReason } }',
    });
    const received = (async () => {
      for await (const message of subscription) {
        if (message.data) events.push(message.data.clusterStatus);
        if (events.some((e) => e.id === stopped.clusterId && e.state === 'Disconnected')) break;
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    stopped.stop();
    await received;
    await client.dispose();

    const answer = await graphql<PodsData>(PODS, { first: 1000, filter: { namespace: 'apps' } });
    assert.equal(answer.data?.pods.totalCount, 2 * PODS_PER_CLUSTER);
    assert.equal(answer.errors?.length, 1);
    assert.equal(answer.errors?.[0]?.extensions?.clusterId, stopped.clusterId);
    assert.equal(answer.errors?.[0]?.extensions?.code, 'CLUSTER_UNAVAILABLE');
    assert.equal(answer.errors?.[0]?.extensions?.httpStatus, 503);
  });
});
