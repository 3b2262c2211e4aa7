// Security round 2, row 3: what the gateway reads with its own identity is shown only to
// those the cluster would show it to.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localPrincipal } from '../../src/auth/local-users.ts';
import type { Gateway } from '../../src/gateway.ts';
import { gatewayRequest } from '../harness/gateway-http.ts';
import type { TestCluster } from '../harness/index.ts';
import {
  type InProcessAgent,
  type OneClusterFleet,
  startOneClusterFleet,
} from '../tunnel/in-process-fleet.ts';

let fleet: OneClusterFleet;
let cluster: TestCluster;
let gateway: Gateway;
let agent: InProcessAgent;

before(async () => {
  fleet = await startOneClusterFleet('seen');
  ({ cluster, gateway, agent } = fleet);
  for (const ns of ['team-a', 'team-b', 'shop'])
    await cluster.kubectlOk('admin', ['create', 'namespace', ns]);
  await cluster.kubectlOk('admin', [
    'create',
    'clusterrole',
    'node-reader',
    '--verb=get,list',
    '--resource=nodes',
  ]);
  await cluster.kubectlOk('admin', [
    'create',
    'clusterrolebinding',
    'noder-nodes',
    '--clusterrole=node-reader',
    '--user=local:noder',
  ]);
  await cluster.kubectlOk('admin', [
    'create',
    'rolebinding',
    'carol-view',
    '-n',
    'team-a',
    '--clusterrole=view',
    '--user=local:carol',
  ]);
  await cluster.kubectlOk('admin', [
    'create',
    'clusterrole',
    'ns-getter',
    '--verb=get',
    '--resource=namespaces',
    '--resource-name=shop',
  ]);
  await cluster.kubectlOk('admin', [
    'create',
    'clusterrolebinding',
    'dave-shop',
    '--clusterrole=ns-getter',
    '--user=local:dave',
  ]);
});

after(async () => {
  await fleet?.stop();
});

async function tokenOf(name: string): Promise<string> {
  const user = await gateway.users.create(name, `${name}-password-123456`, false, []);
  return (
    await gateway.tokens.create(localPrincipal(user), { kind: 'api', description: 'test', ttlSeconds: 3600 })
  ).token;
}

interface Answer {
  data?: {
    namespaces: { edges: { node: { name: string } }[] };
    clusters: { id: string; stats: { nodeCount: number } | null }[];
  };
  errors?: { extensions?: { code?: string; clusterId?: string } }[];
}

async function ask(token: string): Promise<Answer> {
  const answer = await gatewayRequest(`${gateway.url}/graphql`, {
    method: 'POST',
    caPem: gateway.caPem,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: '{ namespaces(first: 100) { edges { node { name } } } clusters { id stats { nodeCount } } }',
    }),
  });
  return JSON.parse(answer.text) as Answer;
}

const names = (answer: Answer) => answer.data?.namespaces.edges.map((e) => e.node.name) ?? [];

describe('namespaces and stats are shown as the cluster would show them', () => {
  test('row 3: a person bound only to get,list nodes sees no namespace, and sees the stats', async () => {
    const answer = await ask(await tokenOf('noder'));
    assert.deepEqual(names(answer), []);
    assert.ok((answer.data?.clusters[0]?.stats?.nodeCount ?? 0) > 0, JSON.stringify(answer));
  });

  test('row 3: a person bound in one namespace sees that namespace only, and no stats', async () => {
    const answer = await ask(await tokenOf('carol'));
    assert.deepEqual(names(answer), ['team-a']);
    assert.equal(answer.data?.clusters[0]?.stats, null);
    assert.ok(
      answer.errors?.some(
        (e) => e.extensions?.code === 'CLUSTER_FORBIDDEN' && e.extensions.clusterId === agent.clusterId,
      ),
      JSON.stringify(answer.errors),
    );
  });

  test('row 3: a person who may get one namespace by name sees that one', async () => {
    assert.deepEqual(names(await ask(await tokenOf('dave'))), ['shop']);
  });
});
