// Server-side sort, counts, any kind cached and stale answers, against real clusters: pages
// in creation order return every pod exactly once while pods come and go, counts equal
// kubectl's, a custom resource is cached once the agent may read it, and a disconnected
// cluster's copy is served only when asked for, marked, and only to people it said yes to.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { localPrincipal } from '../../src/auth/local-users.ts';
import { renderInstallManifest } from '../../src/clusters/install-manifest.ts';
import type { Gateway } from '../../src/gateway.ts';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import {
  connectInProcessAgent,
  type InProcessAgent,
  startInProcessGateway,
} from '../tunnel/in-process-fleet.ts';
import { adminAndAlice } from './people.ts';
import { seedPods, testPod } from './pod-fixtures.ts';

let run: TestClusters;
let gateway: Gateway;
let agents: InProcessAgent[];
let adminToken: string;
let aliceToken: string;
let bobToken: string;

interface Answer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; clusterId?: string } }[];
  extensions?: { stale?: { clusterId: string; stale: boolean; since: string }[] };
}

async function graphql<T>(
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Answer<T>> {
  const answer = await gatewayRequest(`${gateway.url}/graphql`, {
    method: 'POST',
    caPem: gateway.caPem,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return JSON.parse(answer.text) as Answer<T>;
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', properties: { cron: { type: 'string' } } } },
          },
        },
      },
    ],
  },
};

const crontab = (name: string, namespace: string) => ({
  apiVersion: 'stable.example.com/v1',
  kind: 'CronTab',
  metadata: { name, namespace },
  spec: { cron: '* * * * */5' },
});

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'query' });
  gateway = await startInProcessGateway({ dangerouslyServeHttp: false });
  agents = [];
  for (const cluster of run.clusters) agents.push(await connectInProcessAgent(gateway, cluster));
  await Promise.all(
    run.clusters.map(async (cluster) => {
      await cluster.grantGatewayAdmin();
      await seedPods(
        cluster,
        ['sorted', 'counted', 'team-a'],
        [
          ...Array.from({ length: 25 }, (_, i) => testPod(`s-${String(i).padStart(2, '0')}`, 'sorted')),
          // Scheduled on the simulated nodes (Running), and left unscheduled (Pending).
          ...Array.from({ length: 6 }, (_, i) => testPod(`run-${i}`, 'counted')),
          ...Array.from({ length: 4 }, (_, i) => testPod(`wait-${i}`, 'counted', { scheduled: false })),
          testPod('a-0', 'team-a'),
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

interface PodPage {
  pods: {
    totalCount: number;
    clusters: { clusterId: string; totalCount: number; stale: boolean; staleSince: string | null }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { clusterId: string; name: string; createdAt: string } }[];
  };
}

const SORTED_PAGE = `query($after: String, $allowStale: Boolean) {
  pods(first: 7, after: $after, filter: { namespace: "sorted" }, allowStale: $allowStale,
       sort: [{ field: "createdAt", direction: DESC }]) {
    totalCount clusters { clusterId totalCount stale staleSince }
    pageInfo { hasNextPage endCursor }
    edges { node { clusterId name createdAt } }
  }
}`;

describe('server-side queries', () => {
  test('pages sorted by creation time across clusters return every pod exactly once while pods are created and deleted', async () => {
    const seen: PodPage['pods']['edges'][number]['node'][] = [];
    let after: string | null = null;
    let turn = 0;
    const deleted = new Set<string>();
    for (;;) {
      const answer: Answer<PodPage> = await graphql<PodPage>(adminToken, SORTED_PAGE, { after });
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      const page = answer.data?.pods as PodPage['pods'];
      seen.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      // Between pages, each cluster gets a new pod and loses one it had.
      await Promise.all(
        run.clusters.map(async (cluster, i) => {
          await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
            stdin: stringify(testPod(`late-${turn}`, 'sorted')),
          });
          const gone = `s-${String(turn * 3).padStart(2, '0')}`;
          await cluster.kubectlOk('admin', ['delete', 'pod', gone, '-n', 'sorted', '--wait=false']);
          deleted.add(`${agents[i]?.clusterId}/${gone}`);
        }),
      );
      turn++;
    }
    const keys = seen.map((node) => `${node.clusterId}/${node.name}`);
    assert.equal(new Set(keys).size, keys.length, 'no pod twice');
    for (const agent of agents)
      for (let i = 0; i < 25; i++) {
        const key = `${agent.clusterId}/s-${String(i).padStart(2, '0')}`;
        if (!deleted.has(key)) assert.ok(keys.includes(key), `${key} was seen`);
      }
    for (let i = 1; i < seen.length; i++)
      assert.ok((seen[i - 1]?.createdAt as string) >= (seen[i]?.createdAt as string), 'newest first');
    assert.ok(turn >= 5, `walked ${turn + 1} pages`);
  });

  test('an unknown sort field is refused with the fields the kind accepts', async () => {
    const answer = await graphql(adminToken, `{ nodes(sort: [{ field: "colour" }]) { totalCount } }`);
    assert.equal(answer.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(
      answer.errors?.[0]?.message ?? '',
      /unknown sort field "colour" for nodes: one of .*ready, kubeletVersion/,
    );
  });

  test("pod counts by cluster, namespace and phase equal kubectl's; a person counts only what they may see", async () => {
    const expected = async () => {
      const counts = new Map<string, number>();
      for (const [i, cluster] of run.clusters.entries()) {
        const listed = await cluster.kubectlOk('admin', [
          'get',
          'pods',
          '-n',
          'counted',
          '-o',
          'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}',
        ]);
        for (const phase of listed.trim().split('\n')) {
          const key = `${agents[i]?.clusterId}/counted/${phase}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      return [...counts].sort();
    };
    const COUNTS = `{ podCounts(filter: { namespace: "counted" }, groupBy: [CLUSTER, NAMESPACE, PHASE]) {
      clusterId namespace phase nodeName count } }`;
    type Counts = { podCounts: { clusterId: string; namespace: string; phase: string; count: number }[] };
    // The scheduler and the simulated kubelets move pods to Running: compare once both agree.
    await eventually('the gateway counts what kubectl lists', async () => {
      const answer = await graphql<Counts>(adminToken, COUNTS);
      const got = (answer.data?.podCounts ?? []).map((c) => [
        `${c.clusterId}/${c.namespace}/${c.phase}`,
        c.count,
      ]);
      const want = await expected();
      return (
        JSON.stringify(got.sort()) === JSON.stringify(want) &&
        want.some(([key]) => String(key).endsWith('Running'))
      );
    });
    const alice = await graphql<Counts>(
      aliceToken,
      `{ podCounts(groupBy: [NAMESPACE]) { namespace count } }`,
    );
    assert.deepEqual(alice.data?.podCounts, [{ namespace: 'team-a', count: 2 }]);
    const bad = await graphql(adminToken, `{ podCounts(groupBy: []) { count } }`);
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  test("workloads not ready per cluster equal kubectl's READY columns", async () => {
    await Promise.all(
      run.clusters.map(async (cluster) => {
        await cluster.kubectlOk('admin', [
          'create',
          'deployment',
          'fine',
          '-n',
          'counted',
          '--image=registry.invalid/x:1',
          '--replicas=1',
        ]);
        // Its pods can be placed nowhere: never ready.
        await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
          stdin: stringify({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'stuck', namespace: 'counted' },
            spec: {
              replicas: 2,
              selector: { matchLabels: { app: 'stuck' } },
              template: {
                metadata: { labels: { app: 'stuck' } },
                spec: {
                  nodeSelector: { nowhere: 'true' },
                  containers: [{ name: 'c', image: 'registry.invalid/x:1' }],
                },
              },
            },
          }),
        });
      }),
    );
    const fromKubectl = async () => {
      const rows: [string, number][] = [];
      for (const [i, cluster] of run.clusters.entries()) {
        let notReady = 0;
        for (const kind of ['deployments', 'statefulsets']) {
          const out = await cluster.kubectlOk('admin', [
            'get',
            kind,
            '-A',
            '--no-headers',
            '-o',
            'custom-columns=READY:.status.readyReplicas,WANT:.spec.replicas',
          ]);
          for (const line of out.trim().split('\n').filter(Boolean)) {
            const [ready, want] = line.trim().split(/\s+/);
            if ((ready === '<none>' ? 0 : Number(ready)) < Number(want)) notReady++;
          }
        }
        const ds = await cluster.kubectlOk('admin', [
          'get',
          'daemonsets',
          '-A',
          '--no-headers',
          '-o',
          'custom-columns=READY:.status.numberReady,WANT:.status.desiredNumberScheduled',
        ]);
        for (const line of ds.trim().split('\n').filter(Boolean)) {
          const [ready, want] = line.trim().split(/\s+/);
          if (Number(ready) < Number(want)) notReady++;
        }
        rows.push([agents[i]?.clusterId as string, notReady]);
      }
      return rows.sort();
    };
    type NotReady = { workloadsNotReady: { clusterId: string; total: number; deployments: number }[] };
    let last = '';
    await eventually(`the gateway's counts equal kubectl's (${last})`, async () => {
      const answer = await graphql<NotReady>(
        adminToken,
        `{ workloadsNotReady { clusterId deployments statefulSets daemonSets total } }`,
      );
      const got = (answer.data?.workloadsNotReady ?? []).map((w) => [w.clusterId, w.total]);
      const want = await fromKubectl();
      last = `${JSON.stringify(got)} vs ${JSON.stringify(want)}`;
      return JSON.stringify(got) === JSON.stringify(want) && want.every(([, n]) => n >= 1);
    });
  });

  test('typed fields of workloads, nodes, services, events and pods read what kubectl shows', async () => {
    const cluster = run.clusters[0] as TestCluster;
    const clusterId = agents[0]?.clusterId as string;
    await cluster.kubectlOk('admin', [
      'create',
      'service',
      'nodeport',
      'web',
      '-n',
      'counted',
      '--tcp=80:8080',
    ]);
    const filter = { clusters: [clusterId], namespace: 'counted' };
    type Typed = {
      deployments: {
        edges: {
          node: {
            name: string;
            ready: boolean;
            images: string[];
            replicas: { desired: number; ready: number; updated: number };
            conditions: { type: string }[];
          };
        }[];
      };
      nodes: {
        totalCount: number;
        edges: {
          node: {
            name: string;
            ready: boolean;
            kubeletVersion: string;
            roles: string[];
            capacity: { cpuCores: number; pods: number };
          };
        }[];
      };
      services: {
        edges: {
          node: {
            name: string;
            type: string;
            ports: { port: number; targetPort: string; protocol: string; nodePort: number | null }[];
          };
        }[];
      };
      events: {
        totalCount: number;
        edges: { node: { reason: string; count: number; involvedObject: { kind: string; name: string } } }[];
      };
      pods: {
        edges: {
          node: {
            name: string;
            restarts: number;
            readyContainers: number;
            totalContainers: number;
            images: string[];
            containers: { name: string }[];
          };
        }[];
      };
    };
    const TYPED = `query($filter: ResourceFilter, $nodes: ResourceFilter) {
      deployments(filter: $filter, sort: [{ field: "name" }]) { edges { node { name ready images replicas { desired ready updated } conditions { type } } } }
      nodes(filter: $nodes) { totalCount edges { node { name ready kubeletVersion roles capacity { cpuCores pods } } } }
      services(filter: $filter) { edges { node { name type ports { port targetPort protocol nodePort } } } }
      events(filter: $filter, sort: [{ field: "lastSeen", direction: DESC }]) { totalCount edges { node { reason count involvedObject { kind name } } } }
      pods(filter: $filter, sort: [{ field: "name" }], first: 3) { edges { node { name restarts readyContainers totalContainers images containers { name } } } }
    }`;
    const answer = await graphql<Typed>(adminToken, TYPED, { filter, nodes: { clusters: [clusterId] } });
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const data = answer.data as Typed;
    const kubectl = (args: string[]) => cluster.kubectlOk('admin', args);
    for (const { node } of data.deployments.edges) {
      const [desired, ready, updated] = (
        await kubectl([
          'get',
          'deployment',
          node.name,
          '-n',
          'counted',
          '-o',
          'jsonpath={.spec.replicas} {.status.readyReplicas} {.status.updatedReplicas}',
        ])
      )
        .split(' ')
        .map((v) => Number(v || 0));
      assert.deepEqual(node.replicas, { desired, ready, updated }, node.name);
      assert.equal(node.ready, (ready as number) >= (desired as number));
      assert.deepEqual(node.images, ['registry.invalid/x:1']);
    }
    const nodeNames = (await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}']))
      .split(' ')
      .sort();
    assert.deepEqual(data.nodes.edges.map((e) => e.node.name).sort(), nodeNames);
    const first = data.nodes.edges[0]?.node;
    assert.equal(
      first?.kubeletVersion,
      await kubectl([
        'get',
        'node',
        first?.name as string,
        '-o',
        'jsonpath={.status.nodeInfo.kubeletVersion}',
      ]),
    );
    assert.equal(
      String(first?.capacity.pods),
      await kubectl(['get', 'node', first?.name as string, '-o', 'jsonpath={.status.capacity.pods}']),
    );
    const service = data.services.edges.find((e) => e.node.name === 'web')?.node;
    assert.equal(service?.type, 'NodePort');
    const nodePort = Number(
      await kubectl(['get', 'service', 'web', '-n', 'counted', '-o', 'jsonpath={.spec.ports[0].nodePort}']),
    );
    assert.deepEqual(service?.ports, [{ port: 80, targetPort: '8080', protocol: 'TCP', nodePort }]);
    assert.ok(
      data.events.totalCount > 0 &&
        data.events.edges.every((e) => e.node.involvedObject.kind && e.node.count >= 1),
    );
    const pod = data.pods.edges[0]?.node;
    const restarts = await kubectl([
      'get',
      'pod',
      pod?.name as string,
      '-n',
      'counted',
      '-o',
      'jsonpath={.status.containerStatuses[*].restartCount}',
    ]);
    assert.equal(
      pod?.restarts,
      restarts
        .split(' ')
        .filter(Boolean)
        .reduce((sum, n) => sum + Number(n), 0),
    );
    assert.equal(pod?.totalContainers, 1);
    assert.equal(
      pod?.containers.length,
      restarts.split(' ').filter(Boolean).length,
      'one status per container status',
    );
  });

  test('a custom resource kind is cached once the agent may read it, and answered as the cluster would', async () => {
    const [first, second] = run.clusters as [TestCluster, TestCluster];
    for (const cluster of run.clusters) {
      await cluster.kubectlOk('admin', ['apply', '-f', '-'], { stdin: stringify(CRD) });
      await cluster.kubectlOk('admin', [
        'wait',
        '--for=condition=Established',
        'crd/crontabs.stable.example.com',
      ]);
      await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
        stdin: stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [crontab('nightly', 'counted'), crontab('hourly', 'team-a')],
        }),
      });
    }
    // The install manifest's opt-in lets the first cluster's agent read every kind; the second's may not.
    const manifest = renderInstallManifest({
      clusterId: agents[0]?.clusterId as string,
      gatewayUrl: gateway.url,
      registrationToken: 'unused',
      agentImage: 'unused',
      readAllKinds: true,
    });
    const role = parseAllDocuments(manifest)
      .map((d) => d.toJSON())
      .find((d) => d.kind === 'ClusterRole');
    await first.kubectlOk('admin', ['apply', '-f', '-'], { stdin: stringify(role) });
    const CRONTABS = `{ resources(apiVersion: "stable.example.com/v1", kind: "CronTab", sort: [{ field: "name" }]) {
      totalCount edges { node { clusterId namespace name object } } } }`;
    type Crontabs = {
      resources: {
        totalCount: number;
        edges: {
          node: { clusterId: string; namespace: string; name: string; object: { spec: { cron: string } } };
        }[];
      };
    };
    const answer = await graphql<Crontabs>(adminToken, CRONTABS);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const expected = agents
      .flatMap((a) => [`hourly ${a.clusterId}/team-a`, `nightly ${a.clusterId}/counted`])
      .sort()
      .map((key) => {
        const [name, where] = key.split(' ');
        return `${where}/${name}`;
      });
    assert.deepEqual(
      answer.data?.resources.edges.map((e) => `${e.node.clusterId}/${e.node.namespace}/${e.node.name}`),
      expected,
    );
    assert.equal(answer.data?.resources.edges[0]?.node.object.spec.cron, '* * * * */5');
    const ref = { group: 'stable.example.com', version: 'v1', resource: 'crontabs' };
    assert.equal(
      gateway.listCaches?.runningCache(agents[0]?.clusterId as string, ref)?.synced,
      true,
      'cached where the agent may read it',
    );
    assert.equal(
      gateway.listCaches?.runningCache(agents[1]?.clusterId as string, ref),
      undefined,
      'live where it may not',
    );
    // The cache follows the cluster.
    await first.kubectlOk('admin', ['apply', '-f', '-'], { stdin: stringify(crontab('weekly', 'counted')) });
    await eventually('the new object is answered', async () => {
      const again = await graphql<Crontabs>(adminToken, CRONTABS);
      return again.data?.resources.totalCount === 5;
    });
    // Who may not list them is not answered from the cache.
    const bobs = await graphql<Crontabs>(bobToken, CRONTABS);
    assert.equal(bobs.data?.resources.totalCount, 0);
    assert.ok(bobs.errors?.every((e) => e.extensions?.code === 'CLUSTER_FORBIDDEN'));
    void second;
  });

  test('a disconnected cluster is answered from its copy only with allowStale, marked, and only to people it said yes to', async () => {
    const clusterId = agents[1]?.clusterId as string;
    // Bob asks while the cluster is up: it says no.
    await graphql(bobToken, SORTED_PAGE, { allowStale: true });
    const before = await graphql<PodPage>(adminToken, SORTED_PAGE);
    const countThere = before.data?.pods.clusters.find((c) => c.clusterId === clusterId)?.totalCount;
    agents[1]?.stop();
    await eventually(
      'the cluster is disconnected',
      async () => gateway.registry.get(clusterId)?.state === 'Disconnected',
    );

    const strict = await graphql<PodPage>(adminToken, SORTED_PAGE);
    assert.ok(
      strict.errors?.some(
        (e) => e.extensions?.clusterId === clusterId && e.extensions.code === 'CLUSTER_UNAVAILABLE',
      ),
    );
    assert.equal(strict.extensions?.stale, undefined);
    assert.ok(
      strict.data?.pods.edges.every((e) => e.node.clusterId !== clusterId),
      'nothing of it without allowStale',
    );

    const stale = await graphql<PodPage>(adminToken, SORTED_PAGE, { allowStale: true });
    assert.equal(stale.errors, undefined, JSON.stringify(stale.errors));
    const mark = stale.extensions?.stale?.find((s) => s.clusterId === clusterId);
    assert.equal(mark?.stale, true);
    assert.ok(mark && Date.parse(mark.since) <= Date.now());
    const part = stale.data?.pods.clusters.find((c) => c.clusterId === clusterId);
    assert.deepEqual([part?.stale, part?.staleSince, part?.totalCount], [true, mark?.since, countThere]);
    assert.ok(stale.data?.pods.clusters.some((c) => c.clusterId !== clusterId && !c.stale));

    const bobs = await graphql<PodPage>(bobToken, SORTED_PAGE, { allowStale: true });
    assert.ok(
      bobs.data?.pods.edges.every((e) => e.node.clusterId !== clusterId),
      'never to whom it did not say yes',
    );
    assert.equal(bobs.extensions?.stale, undefined);

    // A kind the gateway keeps no copy of: the error says so.
    const services = await graphql(adminToken, `{ services(allowStale: true) { totalCount } }`);
    const error = services.errors?.find((e) => e.extensions?.clusterId === clusterId);
    assert.equal(error?.extensions?.code, 'CLUSTER_UNAVAILABLE');
    assert.match(error?.message ?? '', /allowStale: the gateway holds no copy/);
  });
});
