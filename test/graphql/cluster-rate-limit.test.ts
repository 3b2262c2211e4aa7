// The per-cluster rate limit on live lists (docs/list-cache.md, "Protecting the clusters")
// through a real cluster: at one list a second, a burst of distinct live lists makes some
// wait their turn (up to 2 s) and answer correctly, and refuses the rest with
// CLUSTER_THROTTLED; both metrics move, and the limit does not stick once the burst is over.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { type OneClusterFleet, startOneClusterFleet } from '../tunnel/in-process-fleet.ts';
import { adminAndAlice } from './people.ts';

const NAMESPACE = 'rate-limited';
const POD_NAMES = ['web-1', 'web-2', 'web-3'];
/** More distinct lists at once than one a second can serve within the 2 s wait. */
const BURST = 6;

const PODS = `query Pods($filter: ResourceFilter) {
  pods(first: 100, filter: $filter) { totalCount edges { node { clusterId namespace name } } }
}`;

interface PodsAnswer {
  data?: { pods: { totalCount: number; edges: { node: { clusterId: string; name: string } }[] } };
  errors?: { message: string; extensions?: { code?: string; clusterId?: string } }[];
}

let fleet: OneClusterFleet;
let adminToken: string;

before(async () => {
  fleet = await startOneClusterFleet('ratelimit', { clusterListsPerSecond: 1 });
  ({ adminToken } = await adminAndAlice(fleet.gateway));
  await fleet.cluster.kubectlOk('admin', ['create', 'namespace', NAMESPACE]);
  for (const name of POD_NAMES)
    await fleet.cluster.kubectlOk('admin', ['run', name, '--image=nginx', '-n', NAMESPACE]);
});

after(async () => {
  await fleet?.stop();
});

/** A live list: a field selector is never answered from a cache, and each `n` makes a list of its own (none shared). */
async function liveList(n: number): Promise<PodsAnswer> {
  const answer = await gatewayRequest(`${fleet.gateway.url}/graphql`, {
    method: 'POST',
    caPem: fleet.gateway.caPem,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: PODS,
      variables: { filter: { namespace: NAMESPACE, fieldSelector: `metadata.name!=not-a-pod-${n}` } },
    }),
  });
  assert.equal(answer.status, 200, answer.text);
  return JSON.parse(answer.text) as PodsAnswer;
}

async function metric(name: string): Promise<number> {
  const scraped = await gatewayRequest(`${fleet.gateway.url}/metrics`, {
    caPem: fleet.gateway.caPem,
    headers: { authorization: `Bearer ${adminToken}` },
  });
  assert.equal(scraped.status, 200);
  const value = Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(scraped.text)?.[1]);
  assert.ok(Number.isFinite(value), `${name} is not in the metrics`);
  return value;
}

describe("a cluster's live lists are rate-limited", () => {
  test('a burst past the rate: some lists wait and answer what kubectl lists, the rest are CLUSTER_THROTTLED', async (t) => {
    const delayedBefore = await metric('fleetgate_cluster_lists_delayed');
    const throttledBefore = await metric('fleetgate_cluster_lists_throttled');
    const answers = await Promise.all(Array.from({ length: BURST }, (_, n) => liveList(n)));

    const expected = (await fleet.cluster.kubectlOk('admin', ['get', 'pods', '-n', NAMESPACE, '-o', 'name']))
      .trim()
      .split('\n')
      .map((line) => line.replace('pod/', ''))
      .sort();
    assert.deepEqual(expected, POD_NAMES);
    let answered = 0;
    let throttled = 0;
    for (const answer of answers) {
      if (answer.errors === undefined) {
        answered++;
        assert.deepEqual(answer.data?.pods.edges.map((e) => e.node.name).sort(), expected);
        assert.equal(answer.data?.pods.totalCount, expected.length);
      } else {
        throttled++;
        assert.equal(answer.errors.length, 1, JSON.stringify(answer.errors));
        assert.equal(answer.errors[0]?.extensions?.code, 'CLUSTER_THROTTLED');
        assert.equal(answer.errors[0]?.extensions?.clusterId, fleet.agent.clusterId);
        assert.match(answer.errors[0]?.message ?? '', /at most 1 live lists a second/);
        assert.equal(answer.data?.pods.totalCount, 0);
      }
    }
    const delayed = (await metric('fleetgate_cluster_lists_delayed')) - delayedBefore;
    const refused = (await metric('fleetgate_cluster_lists_throttled')) - throttledBefore;
    t.diagnostic(`of ${BURST}: ${answered} answered (${delayed} after waiting), ${throttled} throttled`);
    // One list at once, one or two more within the 2 s wait; the rest refused.
    assert.ok(answered >= 2, `${answered} answered`);
    assert.ok(throttled >= 1, `${throttled} throttled`);
    assert.equal(answered + throttled, BURST);
    assert.ok(delayed >= 1, `${delayed} delayed`);
    assert.equal(refused, throttled);
  });

  test('once the burst is over, the cluster answers again', async () => {
    // The bucket refills at one list a second; three seconds leave it full.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const answer = await liveList(BURST + 1);
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.equal(answer.data?.pods.totalCount, POD_NAMES.length);
  });
});
