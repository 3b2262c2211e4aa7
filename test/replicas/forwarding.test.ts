import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { graphqlWsClient } from '../graphql/people.ts';
import { CHANGES, collect } from '../graphql/subscriber.ts';
import { AgentProcess, downloadKubeconfig, type GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { kubectlOk, runKubectl, streamKubectl } from '../harness/kubectl.ts';
import { startReplicas, within } from './replica-fleet.ts';

// Two replicas; the agent's tunnel is on replica 1; kubectl uses replica 2, which reaches
// the cluster through its link to replica 1.
let run: TestClusters;
let management: TestCluster;
let downstream: TestCluster;
let replicas: GatewayProcess[];
let agent: AgentProcess | undefined;
let viaSecond: string;
let clusterId: string;

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'fwd' });
  [management, downstream] = run.clusters as [TestCluster, TestCluster];
  const dir = join(run.runDir, 'replicas');
  replicas = await startReplicas(management, dir, 2, 'fleetgate-system', { sharedTls: true });
  const [first, second] = replicas as [GatewayProcess, GatewayProcess];
  const registration = await registerCluster(first, 'far');
  clusterId = registration.cluster.clusterId;
  agent = await AgentProcess.install(downstream, first, registration);
  await second.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active');
  await downstream.kubectlOk('admin', [
    'create',
    'clusterrolebinding',
    'fleetgate-admin-edits',
    '--clusterrole=edit',
    '--user=local:admin',
  ]);
  // A pod KWOK serves exec and port-forward for (test/harness/kwok.ts).
  await downstream.startReadyPod('box', 'default');
  viaSecond = join(dir, 'admin-via-2.kubeconfig');
  await downloadKubeconfig(second, 'admin', second.adminPassword, viaSecond);
});

after(async () => {
  await agent?.stop();
  await Promise.all((replicas ?? []).map((r) => r.stop()));
  await run?.stop();
});

describe('a request reaches the replica holding the tunnel', () => {
  test('kubectl through the replica without the tunnel lists, creates and reads, as the person', async () => {
    await kubectlOk(viaSecond, [
      'create',
      'configmap',
      'through-a-peer',
      '-n',
      'default',
      '--from-literal=a=b',
    ]);
    const read = await kubectlOk(viaSecond, [
      'get',
      'configmap',
      'through-a-peer',
      '-n',
      'default',
      '-o',
      'jsonpath={.data.a}',
    ]);
    assert.equal(read, 'b');
    // The downstream cluster saw the person, not the agent: the request kept its impersonation.
    const managers = await downstream.kubectlOk('admin', [
      'get',
      'configmap',
      'through-a-peer',
      '-n',
      'default',
      '-o',
      'jsonpath={.metadata.managedFields[0].manager}',
    ]);
    assert.equal(managers, 'kubectl-create');
    const denied = await kubectlOk(viaSecond, ['auth', 'can-i', 'create', 'clusterroles']).catch(
      (error: Error) => error.message,
    );
    assert.match(denied, /no/);
  });

  test('kubectl get -w through the replica without the tunnel follows changes', async () => {
    const watch = streamKubectl(viaSecond, ['get', 'configmaps', '-n', 'default', '-w', '-o', 'name']);
    try {
      await watch.waitForLine((line) => line.includes('through-a-peer'), 15_000);
      await downstream.kubectlOk('admin', ['create', 'configmap', 'seen-by-a-watch', '-n', 'default']);
      await watch.waitForLine((line) => line.includes('seen-by-a-watch'), 15_000);
    } finally {
      watch.stop();
    }
  });

  test('/metrics counts the link and its streams on both replicas: a watch through the link moves the gauges, and they come back when it ends', async () => {
    const [first, second] = replicas as [GatewayProcess, GatewayProcess];
    /** The value of a gauge with its labels, as `name{labels} value`. */
    const gauge = async (gateway: GatewayProcess, series: string) => {
      const answer = await gateway.request('/metrics', {
        headers: {
          authorization: `Basic ${Buffer.from(`admin:${gateway.adminPassword}`).toString('base64')}`,
        },
      });
      assert.equal(answer.status, 200, answer.text);
      const line = answer.text.split('\n').find((l) => l.startsWith(`${series} `));
      assert.ok(line, `no ${series} in /metrics`);
      return Number(line.slice(series.length + 1));
    };
    const outboundStreams = 'fleetgate_peer_link_streams{direction="outbound"}';
    const inboundStreams = 'fleetgate_peer_link_streams{direction="inbound"}';
    // Earlier tests left the link open (one link per pair of replicas, kept).
    assert.equal(await gauge(second, 'fleetgate_peer_links{direction="outbound"}'), 1);
    assert.equal(await gauge(first, 'fleetgate_peer_links{direction="inbound"}'), 1);
    assert.equal(await gauge(first, 'fleetgate_peer_links{direction="outbound"}'), 0);
    // A health check may cross the link now and then: wait for a quiet moment.
    const quiet = async () =>
      (await gauge(second, outboundStreams)) + (await gauge(first, inboundStreams)) === 0;
    await within('no stream on the link', 10_000, quiet);
    const watch = streamKubectl(viaSecond, ['get', 'configmaps', '-n', 'default', '-w', '-o', 'name']);
    try {
      await watch.waitForLine((line) => line.includes('through-a-peer'), 15_000);
      // kubectl prints its list before it opens the watch: the watch's stream comes moments later.
      await within(
        'the watch is an outbound stream of replica 2',
        10_000,
        async () => (await gauge(second, outboundStreams)) >= 1,
      );
      await within(
        'the watch is an inbound stream of replica 1',
        10_000,
        async () => (await gauge(first, inboundStreams)) >= 1,
      );
    } finally {
      watch.stop();
    }
    await within("the watch's stream leaves both gauges", 10_000, quiet);
  });

  test("the cluster's health is checked by one replica, its owner, through the link when the tunnel is elsewhere", async () => {
    interface Seen {
      replicaId: string;
      healthChecks: number;
      clusters: { clusterId: string; owner: string | null }[];
    }
    const seen = async () =>
      Promise.all(replicas.map(async (r) => (await r.api<Seen>('GET', '/v1/replicas')).body));
    await within('a health check ran', 35_000, async () => (await seen()).some((s) => s.healthChecks > 0));
    const [first, second] = await seen();
    const owner = first?.clusters.find((c) => c.clusterId === clusterId)?.owner;
    assert.ok(owner);
    assert.equal(second?.clusters.find((c) => c.clusterId === clusterId)?.owner, owner);
    for (const each of [first, second]) {
      if (each?.replicaId === owner) assert.ok(each.healthChecks > 0);
      else assert.equal(each?.healthChecks, 0, `${each?.replicaId} checked a cluster it does not own`);
    }
    // Recorded in the store by the owner, read by every replica.
    await (replicas[1] as GatewayProcess).waitForCluster(
      clusterId,
      (c) => c.health === 'ok',
      'healthy',
      10_000,
    );
  });

  for (const [transport, env] of [
    ['WebSocket', {}],
    ['SPDY', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }],
  ] as const) {
    test(`kubectl exec over ${transport} through the replica without the tunnel`, async () => {
      const out = await runKubectl(
        viaSecond,
        ['exec', 'box', '-n', 'default', '--', 'echo', `hello over ${transport}`],
        {
          env,
        },
      );
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout.trim(), `hello over ${transport}`);
    });
  }

  for (const [transport, env] of [
    ['WebSocket', {}],
    ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
  ] as const) {
    test(`kubectl port-forward over ${transport} through the replica without the tunnel`, async () => {
      const accepted = new Set<Socket>();
      const echo = createServer((socket) => {
        accepted.add(socket);
        socket.pipe(socket);
      });
      await new Promise<void>((resolve) =>
        echo.listen(downstream.portForwardTarget.port, downstream.portForwardTarget.address, resolve),
      );
      const forward = streamKubectl(viaSecond, ['port-forward', 'pod/box', '-n', 'default', ':8080'], env);
      try {
        const line = await forward.waitForLine((l) => l.startsWith('Forwarding from 127.0.0.1:'));
        const localPort = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
        const reply = await new Promise<string>((resolve, reject) => {
          const socket = connect(localPort, '127.0.0.1', () => socket.write(`ping over ${transport}`));
          socket.setEncoding('utf8');
          socket.once('data', (data: string) => {
            socket.destroy();
            resolve(data);
          });
          socket.once('error', reject);
          setTimeout(() => {
            socket.destroy();
            reject(new Error(`no echo through the port-forward over ${transport} in 15 s`));
          }, 15_000).unref();
        });
        assert.equal(reply, `ping over ${transport}`);
      } finally {
        forward.stop();
        // Stop listening (the next test listens on the same port) and drop what it accepted.
        echo.close();
        for (const socket of accepted) socket.destroy();
      }
    });
  }

  test('a subscriber of replica 2 that resumes with its cursor on replica 1 gets every change made meanwhile', async () => {
    const [first, second] = replicas as [GatewayProcess, GatewayProcess];
    const signIn = async (gateway: GatewayProcess) => {
      const answer = await gateway.request('/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: gateway.adminPassword }),
      });
      return (JSON.parse(answer.text) as { token: string }).token;
    };
    const variables = { apiVersion: 'v1', kind: 'ConfigMap', filter: { namespace: 'default' } };
    const before = graphqlWsClient(second, await signIn(second));
    const watching = collect(before.client, CHANGES, variables);
    // A subscription without a cursor starts from now, once its watch is open downstream: a
    // change made before that is not seen, so changes are made until one arrives.
    for (let i = 0; watching.changes.length === 0; i++) {
      assert.ok(i < 10, 'the subscriber saw no change');
      await downstream.kubectlOk('admin', ['create', 'configmap', `before-the-move-${i}`, '-n', 'default']);
      await watching.until(() => watching.changes.length > 0, 3_000).catch(() => {});
    }
    const seenBefore = new Set(watching.changes.map((c) => c.object?.metadata?.name));
    const cursor = watching.changes.at(-1)?.cursor as string;
    await watching.stop();
    await before.client.dispose();
    for (const name of ['meanwhile-1', 'meanwhile-2'])
      await downstream.kubectlOk('admin', ['create', 'configmap', name, '-n', 'default']);
    const after = graphqlWsClient(first, await signIn(first));
    const resumed = collect(after.client, CHANGES, { ...variables, since: cursor });
    try {
      await resumed.until(() =>
        ['meanwhile-1', 'meanwhile-2'].every((name) =>
          resumed.changes.some((c) => c.object?.metadata?.name === name),
        ),
      );
      // Nothing from before the cursor comes again.
      assert.equal(resumed.changes.filter((c) => seenBefore.has(c.object?.metadata?.name)).length, 0);
    } finally {
      await resumed.stop();
      await after.client.dispose();
    }
  });

  test("a client's own Fleetgate-Peer-* headers do not steer the hop to the holding replica", async () => {
    const second = replicas[1] as GatewayProcess;
    const login = await second.request('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: second.adminPassword }),
    });
    const token = (JSON.parse(login.text) as { token: string }).token;
    // Asked as a cache question, the holding replica would answer the cluster's stats (or
    // "notOwner") instead of passing the request down the tunnel to the apiserver.
    const answer = await second.request(`/k8s/clusters/${clusterId}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'Fleetgate-Peer-Mode': 'cache',
        'Fleetgate-Peer-Cluster': clusterId,
      },
      body: JSON.stringify({ ask: 'stats' }),
    });
    const body = JSON.parse(answer.text) as { kind?: string; status?: string };
    assert.equal(
      body.kind,
      'Status',
      `the apiserver did not answer: ${answer.status} ${answer.text.slice(0, 200)}`,
    );
    assert.notEqual(answer.status, 200);
  });

  test('a link without the peer secret is refused', async () => {
    const second = replicas[1] as GatewayProcess;
    const answer = await second.request('/v1/peer', {
      headers: { connection: 'Upgrade', upgrade: 'websocket', authorization: 'Bearer not-the-secret' },
    });
    assert.equal(answer.status, 401);
  });
});
