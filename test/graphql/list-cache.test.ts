// The watch-backed list caches (docs/list-cache.md) against real clusters: answers equal
// the apiserver's, follow changes, never widen what a person may see, stop when a binding
// is revoked, and never stand in for a cluster whose agent is gone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { localPrincipal } from '../../src/auth/local-users.ts';
import type { Gateway } from '../../src/gateway.ts';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import {
  connectInProcessAgent,
  type InProcessAgent,
  reconnectInProcessAgent,
  startInProcessGateway,
} from '../tunnel/in-process-fleet.ts';
import { adminAndAlice } from './people.ts';
import { kubectlPods, seedPods, testPod } from './pod-fixtures.ts';

let run: TestClusters;
let gateway: Gateway;
let agents: InProcessAgent[];
let adminToken: string;
let aliceToken: string;
let bobToken: string;
/** Shorter than the default, so that the revocation test waits less. */
const REVIEW_TTL_MS = 2_000;
/** Pods per cluster as its apiserver lists them (ours, plus the agent's own Deployment's). */
let podsPerCluster: number;

interface PodsAnswer {
  data?: {
    pods: { totalCount: number; edges: { node: { clusterId: string; namespace: string; name: string } }[] };
  };
  errors?: { message: string; extensions?: { code?: string; clusterId?: string } }[];
}

const PODS = `query($filter: ResourceFilter) {
  pods(first: 1000, filter: $filter) { totalCount edges { node { clusterId namespace name } } }
}`;

async function pods(token: string, filter: Record<string, unknown> = {}): Promise<PodsAnswer> {
  const answer = await gatewayRequest(`${gateway.url}/graphql`, {
    method: 'POST',
    caPem: gateway.caPem,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: PODS, variables: { filter } }),
  });
  return JSON.parse(answer.text) as PodsAnswer;
}

function names(answer: PodsAnswer): string[] {
  return (answer.data?.pods.edges ?? []).map((e) => `${e.node.clusterId}/${e.node.namespace}/${e.node.name}`);
}

/** The pods of these tests: never scheduled, so they stay as created. */
const pod = (name: string, namespace: string, labels: Record<string, string> = {}) =>
  testPod(name, namespace, { labels, scheduled: false });

/** Polls until `check` holds; the cache follows changes by watch, within moments. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'cache' });
  gateway = await startInProcessGateway({ dangerouslyServeHttp: false, accessReviewTtlMs: REVIEW_TTL_MS });
  agents = [];
  for (const cluster of run.clusters) agents.push(await connectInProcessAgent(gateway, cluster));
  await Promise.all(
    run.clusters.map(async (cluster) => {
      await cluster.grantGatewayAdmin();
      await seedPods(
        cluster,
        ['shop', 'team-a'],
        [
          ...Array.from({ length: 30 }, (_, i) => pod(`shop-${i}`, 'shop')),
          ...Array.from({ length: 5 }, (_, i) => pod(`a-${i}`, 'team-a')),
        ],
      );
    }),
  );
  ({ adminToken, aliceToken } = await adminAndAlice(gateway, ['team-a']));
  const bob = await gateway.users.create('bob', 'bob-password-1234567', false, []);
  bobToken = (
    await gateway.tokens.create(localPrincipal(bob), {
      kind: 'api',
      description: 'test',
      ttlSeconds: 3600,
    })
  ).token;
});

after(async () => {
  for (const agent of agents ?? []) agent.stop();
  await gateway?.close();
  await run?.stop();
});

describe('watch-backed list caches', () => {
  test('a cluster-wide pods query is answered from caches equal to what the apiservers list', async () => {
    const answer = await pods(adminToken);
    assert.equal(answer.errors, undefined);
    const stats = gateway.listCaches?.stats();
    assert.equal(stats?.synced, 2, 'one pods cache per cluster, in service');
    const expected: string[] = [];
    for (const [i, cluster] of run.clusters.entries())
      expected.push(...(await kubectlPods(cluster, agents[i]?.clusterId as string)).keys);
    assert.deepEqual(names(answer), [...expected].sort());
    assert.equal(answer.data?.pods.totalCount, expected.length);
    podsPerCluster = expected.length / 2;
  });

  test('created, relabelled and deleted pods show in the next answers', async () => {
    const cluster = run.clusters[0] as TestCluster;
    const clusterId = agents[0]?.clusterId;
    const key = `${clusterId}/shop/late-arrival`;
    await cluster.kubectlOk('admin', ['apply', '-f', '-'], { stdin: stringify(pod('late-arrival', 'shop')) });
    await eventually('the new pod is listed', async () => names(await pods(adminToken)).includes(key));
    await cluster.kubectlOk('admin', ['label', 'pod', 'late-arrival', '-n', 'shop', 'stage=two']);
    // A label selector goes to the apiserver; the cached object must carry the new label too.
    const labelled = await pods(adminToken, { labelSelector: 'stage=two' });
    assert.deepEqual(names(labelled), [key]);
    await cluster.kubectlOk('admin', ['delete', 'pod', 'late-arrival', '-n', 'shop', '--wait=false']);
    await eventually('the deleted pod is gone', async () => !names(await pods(adminToken)).includes(key));
    assert.equal(gateway.listCaches?.stats().caches, 2, 'the same two caches, kept current by watch');
  });

  test('label selectors applied to cached pods select what the apiserver selects', async () => {
    const cluster = run.clusters[0] as TestCluster;
    const clusterId = agents[0]?.clusterId as string;
    const labelled: Record<string, string>[] = [
      { app: 'web', tier: 'a' },
      { app: 'web', tier: 'b' },
      { app: 'db' },
      { app: '', 'example.com/role': 'x' },
      {},
    ];
    await cluster.kubectlOk('admin', ['create', 'namespace', 'labels']);
    await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
      stdin: stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: labelled.map((labels, i) => pod(`sel-${i}`, 'labels', labels)),
      }),
    });
    await eventually('the labelled pods are cached', async () => {
      const answer = await pods(adminToken, { namespace: 'labels', clusters: [clusterId] });
      return answer.data?.pods.totalCount === labelled.length;
    });
    const selectors = [
      'app=web',
      'app==web',
      'app!=web',
      'tier in (a, b)',
      'tier notin (a)',
      'tier',
      '!tier',
      'app=web,tier=a',
      'app=',
      'example.com/role=x',
      'app in (web,db),!tier',
    ];
    for (const labelSelector of selectors) {
      const before = gateway.listCaches?.stats().answered ?? 0;
      const answer = await pods(adminToken, { namespace: 'labels', clusters: [clusterId], labelSelector });
      assert.ok(
        (gateway.listCaches?.stats().answered ?? 0) > before,
        `${labelSelector}: answered from the cache`,
      );
      const listed = await cluster.kubectlOk('admin', [
        'get',
        'pods',
        '-n',
        'labels',
        '-l',
        labelSelector,
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
      ]);
      const expected = listed
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((name) => `${clusterId}/labels/${name}`);
      assert.deepEqual(names(answer), expected, labelSelector);
    }
    // A selector the gateway does not parse goes to the apiserver, which judges it.
    const odd = await pods(adminToken, {
      namespace: 'labels',
      clusters: [clusterId],
      labelSelector: 'tier in (a',
    });
    assert.equal(odd.data?.pods.totalCount, 0);
    assert.equal(odd.errors?.[0]?.extensions?.code, 'CLUSTER_BAD_REQUEST', JSON.stringify(odd.errors));
    await cluster.kubectlOk('admin', ['delete', 'pods', '--all', '-n', 'labels', '--wait=false']);
    await eventually('the labelled pods are gone', async () => {
      const answer = await pods(adminToken, { namespace: 'labels', clusters: [clusterId] });
      return answer.data?.pods.totalCount === 0;
    });
  });

  test('a person bound to one namespace sees only it, although the caches hold everything', async () => {
    await pods(adminToken); // caches in service with every namespace
    const answer = await pods(aliceToken);
    assert.equal(answer.data?.pods.totalCount, 10);
    assert.ok(names(answer).every((n) => n.split('/')[1] === 'team-a'));
    const namespaced = await pods(aliceToken, { namespace: 'team-a' });
    assert.equal(namespaced.data?.pods.totalCount, 10);
    const refused = await pods(aliceToken, { namespace: 'shop' });
    assert.equal(refused.data?.pods.totalCount, 0);
    assert.deepEqual(
      refused.errors?.map((e) => e.extensions?.code),
      ['CLUSTER_FORBIDDEN', 'CLUSTER_FORBIDDEN'],
    );
  });

  test('revoking a binding ends cached answers within the review TTL', async () => {
    const cluster = run.clusters[0] as TestCluster;
    const clusterId = agents[0]?.clusterId;
    assert.equal((await pods(bobToken)).data?.pods.totalCount, 0, 'bob may list nothing yet');
    await cluster.kubectlOk('admin', [
      'create',
      'clusterrolebinding',
      'bob-view',
      '--clusterrole=view',
      '--user=local:bob',
    ]);
    // Once the cluster's earlier "no" has expired, bob's answers come from the cache.
    await eventually('bob is answered from the cache', async () => {
      const before = gateway.listCaches?.stats().answered ?? 0;
      const answer = await pods(bobToken);
      const fromCache = (gateway.listCaches?.stats().answered ?? 0) > before;
      return fromCache && answer.data?.pods.totalCount === podsPerCluster;
    });
    await cluster.kubectlOk('admin', ['delete', 'clusterrolebinding', 'bob-view']);
    const revokedAt = Date.now();
    await eventually('bob no longer sees the first cluster', async () => {
      const answer = await pods(bobToken);
      return !names(answer).some((n) => n.startsWith(`${clusterId}/`));
    });
    const took = Date.now() - revokedAt;
    assert.ok(
      took <= REVIEW_TTL_MS + 5_000,
      `revocation took ${took} ms, the review TTL is ${REVIEW_TTL_MS} ms`,
    );
  });

  test('metrics show clusters, tunnels and caches, to administrators only', async () => {
    await pods(adminToken);
    const scrape = (token?: string) =>
      gatewayRequest(`${gateway.url}/metrics`, {
        caPem: gateway.caPem,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const metrics = await scrape(adminToken);
    assert.equal(metrics.status, 200);
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics.text)?.[1]);
    assert.equal(value('fleetgate_clusters\\{state="Active"\\}'), 2);
    assert.equal(value('fleetgate_tunnels'), 2);
    assert.equal(value('fleetgate_list_caches_synced'), 2);
    assert.equal(value('fleetgate_list_cache_objects'), 2 * podsPerCluster);
    assert.ok(value('fleetgate_list_cache_answers') > 0);
    assert.ok(value('fleetgate_process_resident_memory_bytes') > 0);
    assert.equal((await scrape(aliceToken)).status, 403);
    assert.equal((await scrape()).status, 401);
  });

  test('a cluster whose agent is gone is reported, not answered from its cache', async () => {
    await pods(adminToken);
    const gone = agents[1] as InProcessAgent;
    gone.stop();
    await eventually(
      'the cluster is disconnected',
      async () => gateway.registry.get(gone.clusterId)?.state === 'Disconnected',
    );
    const answer = await pods(adminToken);
    assert.ok(names(answer).every((n) => !n.startsWith(`${gone.clusterId}/`)));
    assert.ok(
      answer.errors?.some((e) => e.extensions?.clusterId === gone.clusterId),
      'the missing cluster is named in an error',
    );
    assert.equal(answer.data?.pods.totalCount, podsPerCluster, 'the other cluster still answers');
    // Back again: the new tunnel wakes the cache, which serves the cluster again.
    agents[1] = await reconnectInProcessAgent(gateway, run.clusters[1] as TestCluster, gone.clusterId);
    await eventually('both clusters answer again', async () => {
      const again = await pods(adminToken);
      return again.errors === undefined && again.data?.pods.totalCount === 2 * podsPerCluster;
    });
    assert.equal(gateway.listCaches?.stats().synced, 2);
  });
});
