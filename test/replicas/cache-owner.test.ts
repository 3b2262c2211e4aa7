// List caches and cluster stats run on each cluster's owner replica only (docs/replicas.md
// §6): three replicas behind a TCP balancer, two downstream clusters; queries through every
// replica give kubectl's answers, the caches exist on exactly the owner, and they move to a
// survivor after a kill -9 of the owner.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { PEER_CLUSTER_HEADER, PEER_MODE_HEADER } from '../../src/clusters/peer-tunnels.ts';
import { OWNER_ASK_PATH } from '../../src/graphql/owner-wire.ts';
import { PEER_PATH } from '../../src/replicas/peer-endpoint.ts';
import { rendezvousOrder } from '../../src/replicas/rendezvous.ts';
import { PROTOCOL_VERSIONS } from '../../src/shared/tunnel/limits.ts';
import { TunnelSession } from '../../src/shared/tunnel/session.ts';
import { kubectlPods, seedPods, testPod } from '../graphql/pod-fixtures.ts';
import { AgentProcess, type GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { startTcpBalancer, type TcpBalancer } from '../harness/tcp-balancer.ts';
import { startReplicas, within } from './replica-fleet.ts';

let run: TestClusters;
let downstream: TestCluster[];
let replicas: GatewayProcess[];
let balancer: TcpBalancer;
const agents: AgentProcess[] = [];
/** Cluster id → its harness cluster. */
const clusterOf = new Map<string, TestCluster>();
let token: string;
let aliceToken: string;
let management: TestCluster;

interface Answer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; clusterId?: string } }[];
}

interface ReplicasAnswer {
  replicaId: string;
  replicas: { replicaId: string }[];
  owned: string[];
  listCaches: Record<string, string[]>;
  clusterStats: string[];
  ownerQuestions: { asked: number; unanswered: number; answered: number };
  clusters: { clusterId: string; owner: string | null }[];
}

before(async () => {
  run = await startClusters({ count: 3, namePrefix: 'cown' });
  const [first_, ...rest] = run.clusters as [TestCluster, ...TestCluster[]];
  management = first_;
  downstream = rest;
  const dir = join(run.runDir, 'replicas');
  replicas = await startReplicas(management, dir, 3, 'fleetgate-system', { sharedTls: true });
  balancer = await startTcpBalancer(replicas.map((r) => Number(new URL(r.url).port)));
  const first = replicas[0] as GatewayProcess;
  for (const [i, cluster] of downstream.entries()) {
    const registration = await registerCluster(first, `owned-${i}`);
    clusterOf.set(registration.cluster.clusterId, cluster);
    await cluster.grantGatewayAdmin();
    // Running on the simulated nodes, and left Pending (never scheduled); alice may list
    // pods in team-a only: the owner answers her windows of that namespace.
    await seedPods(
      cluster,
      ['work', 'team-a'],
      [
        ...Array.from({ length: 9 + i }, (_, n) => testPod(`run-${n}`, 'work')),
        ...Array.from({ length: 3 }, (_, n) => testPod(`wait-${n}`, 'work', { scheduled: false })),
        ...Array.from({ length: 4 }, (_, n) => testPod(`a-${n}`, 'team-a')),
      ],
    );
    agents.push(
      await AgentProcess.install(cluster, first, registration, {
        gatewayUrl: `https://127.0.0.1:${balancer.port}`,
      }),
    );
  }
  for (const clusterId of clusterOf.keys())
    await first.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active');
  token = await signIn(first, 'admin', first.adminPassword);
  const created = await first.api('POST', '/v1/users', {
    username: 'alice',
    password: 'alice-password-123456',
    groups: ['team-a'],
    isAdmin: false,
  });
  assert.equal(created.status, 201);
  aliceToken = await signIn(first, 'alice', 'alice-password-123456');
});

/** One question to a replica over a peer link of our own, as another replica asks it. */
async function askAsPeer(
  gateway: GatewayProcess,
  headers: [string, string][],
  question: unknown,
): Promise<unknown> {
  const encoded = await management.kubectlOk('admin', [
    'get',
    'secret',
    'fleetgate-peer',
    '-n',
    'fleetgate-system',
    '-o',
    'jsonpath={.data.secret}',
  ]);
  const secret = Buffer.from(encoded.trim(), 'base64').toString('utf8');
  const url = new URL(PEER_PATH, gateway.url);
  url.protocol = 'wss:';
  const socket = new WebSocket(url, [...PROTOCOL_VERSIONS], {
    headers: { authorization: `Bearer ${secret}` },
    ca: gateway.caPem,
    perMessageDeflate: false,
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const session = new TunnelSession(socket, { role: 'gateway', label: 'test peer' });
  try {
    const stream = await session.openStream({ method: 'POST', path: OWNER_ASK_PATH, headers });
    stream.end(Buffer.from(JSON.stringify(question), 'utf8'));
    await stream.response;
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } finally {
    session.close(1000, 'done');
  }
}

async function signIn(gateway: GatewayProcess, username: string, password: string): Promise<string> {
  const login = await gateway.request('/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return (JSON.parse(login.text) as { token: string }).token;
}

after(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await balancer?.close();
  await Promise.all((replicas ?? []).map((r) => r.stop()));
  await run?.stop();
});

async function graphql<T>(
  gateway: GatewayProcess,
  query: string,
  variables = {},
  as = token,
): Promise<Answer<T>> {
  const answer = await gateway.request('/graphql', {
    method: 'POST',
    headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return JSON.parse(answer.text) as Answer<T>;
}

/** What kubectl says of a cluster: its pods by cluster/namespace/name, counts by phase, nodes. */
async function kubectlTruth(clusterId: string) {
  const cluster = clusterOf.get(clusterId) as TestCluster;
  const { keys, byPhase } = await kubectlPods(cluster, clusterId);
  const nodes = JSON.parse(await cluster.kubectlOk('admin', ['get', 'nodes', '-o', 'json'])) as {
    items: unknown[];
  };
  return { names: keys, byPhase, nodeCount: nodes.items.length };
}

const PAGE = `query($after: String) {
  pods(first: 7, after: $after, sort: [{ field: "name", direction: DESC }]) {
    totalCount
    clusters { clusterId totalCount }
    pageInfo { hasNextPage endCursor }
    edges { node { clusterId namespace name phase object } }
  }
}`;
const COUNTS = `{ podCounts(groupBy: [CLUSTER, PHASE]) { clusterId phase count } }`;
const STATS = `{ clusters { id stats { nodeCount podsByPhase } } }`;

interface PageAnswer {
  pods: {
    totalCount: number;
    clusters: { clusterId: string; totalCount: number }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      node: {
        clusterId: string;
        namespace: string;
        name: string;
        object?: { metadata?: { name?: string; uid?: string }; spec?: unknown };
      };
    }[];
  };
}

/** Walks every page of pods through one replica: the names in page order, and the first totalCount. */
async function walkPods(gateway: GatewayProcess): Promise<{ names: string[]; totalCount: number }> {
  const names: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let pages = 0; pages < 100; pages++) {
    const answer: Answer<PageAnswer> = await graphql<PageAnswer>(gateway, PAGE, { after });
    assert.deepEqual(answer.errors ?? [], [], `page ${pages} through ${gateway.url}`);
    const connection = (answer.data as PageAnswer).pods;
    if (totalCount < 0) totalCount = connection.totalCount;
    names.push(...connection.edges.map(({ node }) => `${node.clusterId}/${node.namespace}/${node.name}`));
    // Whole objects, whichever replica's caches the page came from.
    for (const { node } of connection.edges)
      assert.ok(
        node.object?.metadata?.name === node.name && node.object.metadata.uid && node.object.spec,
        `${node.name} came without its object`,
      );
    if (!connection.pageInfo.hasNextPage) return { names, totalCount };
    after = connection.pageInfo.endCursor;
  }
  throw new Error('more than 100 pages');
}

/** Checks every answer through `gateway` against kubectl; returns why not, or undefined. */
async function answersMatchKubectl(gateway: GatewayProcess, listsOnly = false): Promise<string | undefined> {
  const truths = new Map<string, Awaited<ReturnType<typeof kubectlTruth>>>();
  for (const clusterId of clusterOf.keys()) truths.set(clusterId, await kubectlTruth(clusterId));
  const expectedNames = [...truths.values()].flatMap((truth) => truth.names);
  let walked: { names: string[]; totalCount: number };
  try {
    walked = await walkPods(gateway);
  } catch (error) {
    return (error as Error).message;
  }
  // Sorted by name descending, then cluster, namespace, name ascending: every pod once.
  const byName = (key: string) => key.split('/')[2] as string;
  for (let i = 1; i < walked.names.length; i++)
    if (byName(walked.names[i - 1] as string) < byName(walked.names[i] as string))
      return `pages out of order at ${walked.names[i]}`;
  if (walked.totalCount !== expectedNames.length)
    return `totalCount ${walked.totalCount} != ${expectedNames.length}`;
  if ([...walked.names].sort().join() !== [...expectedNames].sort().join())
    return 'the pages are not kubectl pods';
  if (listsOnly) return undefined;
  const counts = await graphql<{ podCounts: { clusterId: string; phase: string; count: number }[] }>(
    gateway,
    COUNTS,
  );
  if (counts.errors?.length) return `podCounts: ${counts.errors[0]?.message}`;
  for (const [clusterId, truth] of truths) {
    const seen = Object.fromEntries(
      (counts.data?.podCounts ?? []).filter((c) => c.clusterId === clusterId).map((c) => [c.phase, c.count]),
    );
    if (JSON.stringify(seen) !== JSON.stringify(sortedKeys(truth.byPhase)))
      return `podCounts of ${clusterId}: ${JSON.stringify(seen)} != ${JSON.stringify(truth.byPhase)}`;
  }
  const stats = await graphql<{
    clusters: { id: string; stats: { nodeCount: number; podsByPhase: Record<string, number> } | null }[];
  }>(gateway, STATS);
  if (stats.errors?.length) return `stats: ${stats.errors[0]?.message}`;
  for (const [clusterId, truth] of truths) {
    const seen = stats.data?.clusters.find((c) => c.id === clusterId)?.stats;
    if (seen?.nodeCount !== truth.nodeCount) return `nodeCount of ${clusterId}: ${seen?.nodeCount}`;
    if (JSON.stringify(sortedKeys(seen.podsByPhase)) !== JSON.stringify(sortedKeys(truth.byPhase)))
      return `podsByPhase of ${clusterId}: ${JSON.stringify(seen.podsByPhase)}`;
  }
  return undefined;
}

function sortedKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function replicaView(gateway: GatewayProcess): Promise<ReplicasAnswer> {
  const answer = await gateway.api<ReplicasAnswer>('GET', '/v1/replicas');
  assert.equal(answer.status, 200);
  return answer.body;
}

/** The clusters `fleetgate_cluster_list_caches` names on a replica. */
async function clustersInMetrics(gateway: GatewayProcess): Promise<string[]> {
  const answer = await gateway.request('/metrics', {
    headers: { authorization: `Basic ${Buffer.from(`admin:${gateway.adminPassword}`).toString('base64')}` },
  });
  assert.equal(answer.status, 200);
  return [...answer.text.matchAll(/^fleetgate_cluster_list_caches\{cluster="([^"]+)"\} ([0-9]+)/gm)]
    .filter((match) => Number(match[2]) > 0)
    .map((match) => match[1] as string)
    .sort();
}

/**
 * Whether each cluster's caches and stats run on exactly its owner among `live` (the
 * rendezvous choice), as every replica's /v1/replicas and /metrics say.
 */
async function cachesOnOwnersOnly(live: GatewayProcess[]): Promise<string | undefined> {
  const views = await Promise.all(live.map(replicaView));
  const liveIds = views.map((v) => v.replicaId).sort();
  for (const clusterId of clusterOf.keys()) {
    const owner = rendezvousOrder(clusterId, liveIds)[0];
    const withCaches = views
      .filter((v) => (v.listCaches[clusterId] ?? []).length > 0)
      .map((v) => v.replicaId);
    if (withCaches.join() !== owner) return `caches of ${clusterId} on [${withCaches}], owner ${owner}`;
    const withStats = views.filter((v) => v.clusterStats.includes(clusterId)).map((v) => v.replicaId);
    if (withStats.length > 1 || (withStats.length === 1 && withStats[0] !== owner))
      return `stats of ${clusterId} kept on [${withStats}], owner ${owner}`;
    for (const [i, gateway] of live.entries()) {
      const inMetrics = (await clustersInMetrics(gateway)).includes(clusterId);
      if (inMetrics !== (views[i]?.replicaId === owner))
        return `${views[i]?.replicaId}'s /metrics ${inMetrics ? 'names' : 'misses'} ${clusterId}`;
    }
  }
  return undefined;
}

describe("list caches and stats run on each cluster's owner", () => {
  test('through every replica, a sorted page walk, totalCount, podCounts and stats equal kubectl, and the caches run on exactly the owner', async () => {
    for (const gateway of replicas) {
      let why: string | undefined = 'not asked yet';
      // The first answers wait for the owners' caches to fill.
      await within(`answers through ${gateway.url} equal kubectl's`, 30_000, async () => {
        why = await answersMatchKubectl(gateway);
        return why === undefined;
      }).catch((error: Error) => assert.fail(`${error.message}: ${why}`));
    }
    const owners = new Set((await replicaView(replicas[0] as GatewayProcess)).clusters.map((c) => c.owner));
    console.log(`clusters owned by ${[...owners].join(', ')}`);
    assert.equal(await cachesOnOwnersOnly(replicas), undefined);
    // Once settled, a replica owning not every cluster asks the owners, and each answers.
    for (const gateway of replicas) {
      const before = (await replicaView(gateway)).ownerQuestions;
      assert.equal(await answersMatchKubectl(gateway, true), undefined);
      const view = await replicaView(gateway);
      if (view.owned.length === clusterOf.size) continue;
      assert.ok(view.ownerQuestions.asked > before.asked, `${view.replicaId} asked no owner`);
      assert.equal(view.ownerQuestions.unanswered, before.unanswered, `${view.replicaId} went unanswered`);
    }
  });

  test('through every replica, a person sees what the clusters let them list, the owner checking them', async () => {
    const expected: string[] = [];
    for (const clusterId of clusterOf.keys())
      expected.push(...(await kubectlTruth(clusterId)).names.filter((name) => name.includes('/team-a/')));
    assert.equal(expected.length, 8);
    for (const gateway of replicas) {
      const before = (await replicaView(gateway)).ownerQuestions;
      const answer = await graphql<PageAnswer>(
        gateway,
        `{ pods(first: 3, sort: [{ field: "name", direction: DESC }]) {
          totalCount pageInfo { hasNextPage } edges { node { clusterId namespace name } } } }`,
        {},
        aliceToken,
      );
      assert.deepEqual(answer.errors ?? [], []);
      const { pods } = answer.data as PageAnswer;
      assert.equal(pods.totalCount, expected.length);
      assert.ok(pods.pageInfo.hasNextPage);
      const names = pods.edges.map(({ node }) => `${node.clusterId}/${node.namespace}/${node.name}`);
      // Name descending, then cluster: a-3 of each cluster, then a-2 of the first.
      assert.deepEqual(
        names.map((name) => name.split('/')[2]),
        ['a-3', 'a-3', 'a-2'],
      );
      for (const name of names) assert.ok(expected.includes(name), `${name} is not Alice's to see`);
      const counts = await graphql<{ podCounts: { count: number }[] }>(
        gateway,
        '{ podCounts(groupBy: [NAMESPACE]) { namespace count } }',
        {},
        aliceToken,
      );
      assert.deepEqual(counts.errors ?? [], []);
      assert.deepEqual(counts.data?.podCounts, [{ namespace: 'team-a', count: expected.length }]);
      const view = await replicaView(gateway);
      if (view.owned.length < clusterOf.size)
        assert.ok(view.ownerQuestions.asked > before.asked, `${view.replicaId} asked no owner for Alice`);
    }
  });

  test("an owner asked for a page's objects of one namespace gives none of another namespace", async () => {
    const clusterId = [...clusterOf.keys()][0] as string;
    const ownerId = (await replicaView(replicas[0] as GatewayProcess)).clusters.find(
      (c) => c.clusterId === clusterId,
    )?.owner;
    const owner = replicas.find((r) => r.dataDir.includes(`${ownerId}-data`)) as GatewayProcess;
    const alice: [string, string][] = [
      [PEER_CLUSTER_HEADER, clusterId],
      [PEER_MODE_HEADER, 'cache'],
      ['Impersonate-User', 'local:alice'],
      ['Impersonate-Group', 'local:team-a'],
      ['Impersonate-Group', 'system:authenticated'],
    ];
    const ask = (names: [string, string][]) =>
      askAsPeer(owner, alice, {
        ask: 'objects',
        path: '/api/v1/namespaces/team-a/pods',
        allowStale: false,
        names,
      }) as Promise<{ status: string; items?: ({ metadata: { name: string } } | null)[] }>;
    // Alice may list team-a's pods (the cache fills for her first), not work's.
    let answer = await ask([['team-a', 'a-0']]);
    await within('the owner answers from its cache', 15_000, async () => {
      answer = await ask([['team-a', 'a-0']]);
      return answer.status === 'objects';
    }).catch((error: Error) => assert.fail(`${error.message}: ${JSON.stringify(answer)}`));
    assert.equal(answer.items?.[0]?.metadata.name, 'a-0');
    answer = await ask([
      ['work', 'run-0'],
      ['team-a', 'a-1'],
    ]);
    assert.equal(answer.status, 'objects');
    assert.equal(answer.items?.[0], null, 'a pod of namespace work was given for a question about team-a');
    assert.equal(answer.items?.[1]?.metadata.name, 'a-1');
  });

  test("allowStale through a replica that does not own the cluster: the owner's copy, marked stale", async () => {
    const [, clusterId] = [...clusterOf.keys()] as [string, string];
    const index = [...clusterOf.keys()].indexOf(clusterId);
    const view = await replicaView(replicas[0] as GatewayProcess);
    const ownerId = view.clusters.find((c) => c.clusterId === clusterId)?.owner;
    const asker = replicas.find((r) => !r.dataDir.includes(`${ownerId}-data`)) as GatewayProcess;
    const expected = (await kubectlTruth(clusterId)).names.length;
    const agent = agents[index] as AgentProcess;
    await agent.stop();
    try {
      await asker.waitForCluster(clusterId, (c) => c.state === 'Disconnected', 'Disconnected');
      const query = `query($stale: Boolean) {
        pods(first: 5, allowStale: $stale, filter: { clusters: ["${clusterId}"] }) {
          totalCount clusters { clusterId stale staleSince } } }`;
      type Stale = {
        pods: { totalCount: number; clusters: { stale: boolean; staleSince: string | null }[] };
      };
      let answer: Answer<Stale> = {};
      await within('the owner serves its copy, marked stale', 10_000, async () => {
        answer = await graphql<Stale>(asker, query, { stale: true });
        return (answer.errors ?? []).length === 0 && answer.data?.pods.clusters[0]?.stale === true;
      }).catch((error: Error) => assert.fail(`${error.message}: ${JSON.stringify(answer)}`));
      assert.equal(answer.data?.pods.totalCount, expected);
      assert.ok(answer.data?.pods.clusters[0]?.staleSince);
      const live = await graphql<Stale>(asker, query, { stale: false });
      assert.deepEqual(
        live.errors?.map((e) => e.extensions?.code),
        ['CLUSTER_UNAVAILABLE'],
      );
    } finally {
      agent.start();
    }
    await asker.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active again');
  });

  test('kill -9 of an owner: its caches move to the new owner within 15 s, and queries through the survivors still answer', async () => {
    const clusterId = [...clusterOf.keys()][0] as string;
    const ownerId = (await replicaView(replicas[0] as GatewayProcess)).clusters.find(
      (c) => c.clusterId === clusterId,
    )?.owner;
    const victim = replicas.find((r) => r.dataDir.includes(`${ownerId}-data`)) as GatewayProcess;
    assert.ok(victim, `no replica named ${ownerId}`);
    await victim.process?.kill();
    const survivors = replicas.filter((r) => r !== victim);
    let why: string | undefined;
    // Before a survivor owns the cluster, lists go live through its tunnel (stats wait).
    for (const gateway of survivors) {
      const meanwhile = new Set<string>();
      const answeredMs = await within(`lists through ${gateway.url} after the kill`, 15_000, async () => {
        why = await answersMatchKubectl(gateway, true);
        if (why)
          meanwhile.add(
            why
              .replace(/c-[a-z0-9]{10}/g, 'c-…')
              .replace(/\s+/g, ' ')
              .slice(0, 200),
          );
        return why === undefined;
      }).catch((error: Error) => assert.fail(`${error.message}: ${why}`));
      console.log(
        `lists through a survivor answered ${answeredMs} ms after the kill; before: ${[...meanwhile].join(' | ')}`,
      );
    }
    const tookMs = await within('the caches run on the new owners only', 15_000, async () => {
      why = await cachesOnOwnersOnly(survivors).catch((error: Error) => error.message);
      return why === undefined;
    }).catch((error: Error) => assert.fail(`${error.message}: ${why}`));
    console.log(`caches of ${clusterId} moved off the killed ${ownerId} in ${tookMs} ms`);
    for (const gateway of survivors) {
      await within(`answers through ${gateway.url} equal kubectl's after the kill`, 20_000, async () => {
        why = await answersMatchKubectl(gateway);
        return why === undefined;
      }).catch((error: Error) => assert.fail(`${error.message}: ${why}`));
    }
    assert.equal(await cachesOnOwnersOnly(survivors), undefined);
  });
});
