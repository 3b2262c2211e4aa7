import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { type ClusterRun, paginate } from '../../src/graphql/pages.ts';
import { parseSort } from '../../src/graphql/sort.ts';
import { kindProfile } from '../../src/kube/kind-fields.ts';
import { liveItem, type ResourceItem } from '../../src/kube/resource-item.ts';

const PODS = kindProfile('', 'pods');

function pod(
  clusterId: string,
  name: string,
  createdAt: string,
  restarts = 0,
  phase = 'Running',
): ResourceItem {
  return liveItem(clusterId, {
    metadata: { namespace: 'ns', name, creationTimestamp: createdAt },
    spec: { containers: [{ name: 'c' }] },
    status: { phase, containerStatuses: [{ name: 'c', restartCount: restarts, ready: true }] },
  });
}

const at = (second: number) => `2026-11-30T05:00:${String(second).padStart(2, '0')}Z`;
const label = (item: ResourceItem) => `${item.clusterId}/${item.name}`;

/** Every page of `size` in `sort`'s order; `between` may change the runs before each next page. */
function walk(
  runsNow: () => ClusterRun[],
  size: number,
  sort: ReturnType<typeof parseSort>,
  between: (page: number) => void = () => {},
): string[] {
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; ; page++) {
    const answer = paginate(runsNow(), size, after, sort);
    seen.push(...answer.edges.map((edge) => label(edge.node)));
    if (!answer.pageInfo.hasNextPage) return seen;
    after = answer.pageInfo.endCursor;
    between(page);
  }
}

describe('server-side sort across clusters', () => {
  test('items of several clusters interleave by creation time, ties broken by cluster, namespace and name', () => {
    const runs: ClusterRun[] = [
      { clusterId: 'c-b', items: [pod('c-b', 'b1', at(1)), pod('c-b', 'b3', at(3))] },
      { clusterId: 'c-a', items: [pod('c-a', 'a2', at(2)), pod('c-a', 'a3', at(3))] },
    ];
    const sort = parseSort([{ field: 'createdAt' }], PODS);
    assert.deepEqual(
      walk(() => runs, 1, sort),
      ['c-b/b1', 'c-a/a2', 'c-a/a3', 'c-b/b3'],
    );
    const newestFirst = parseSort([{ field: 'createdAt', direction: 'DESC' }], PODS);
    assert.deepEqual(
      walk(() => runs, 3, newestFirst),
      ['c-a/a3', 'c-b/b3', 'c-a/a2', 'c-b/b1'],
    );
  });

  test('kind fields sort: pods by restarts, most first', () => {
    const runs: ClusterRun[] = [
      { clusterId: 'c-a', items: [pod('c-a', 'calm', at(1), 0), pod('c-a', 'flaky', at(2), 7)] },
      { clusterId: 'c-b', items: [pod('c-b', 'worse', at(3), 12)] },
    ];
    const sort = parseSort([{ field: 'restarts', direction: 'DESC' }], PODS);
    assert.deepEqual(
      walk(() => runs, 2, sort),
      ['c-b/worse', 'c-a/flaky', 'c-a/calm'],
    );
  });

  test('while objects are added and deleted between pages, every object present throughout is seen exactly once, in order', () => {
    const clusters = new Map<string, ResourceItem[]>();
    for (const clusterId of ['c-a', 'c-b', 'c-c']) {
      clusters.set(
        clusterId,
        Array.from({ length: 40 }, (_, i) => pod(clusterId, `${clusterId}-p${i}`, at(i % 60))),
      );
    }
    const original = new Set([...clusters.values()].flat().map(label));
    const deleted = new Set<string>();
    let added = 0;
    const runsNow = () => [...clusters].map(([clusterId, items]) => ({ clusterId, items: [...items] }));
    const sort = parseSort([{ field: 'createdAt' }, { field: 'name', direction: 'DESC' }], PODS);
    const seen = walk(runsNow, 7, sort, (page) => {
      // Each turn: a new pod in every cluster (some before the cursor, some after), one deleted.
      for (const [clusterId, items] of clusters) {
        items.push(pod(clusterId, `${clusterId}-new${added++}`, at((page * 13) % 60)));
        const gone = items.splice((page * 5) % items.length, 1)[0] as ResourceItem;
        deleted.add(label(gone));
      }
    });
    assert.equal(new Set(seen).size, seen.length, 'no object twice');
    for (const name of original) if (!deleted.has(name)) assert.ok(seen.includes(name), `${name} seen`);
    const order = seen.map((name) => {
      const [clusterId] = name.split('/');
      return (runsNow().find((r) => r.clusterId === clusterId)?.items ?? []).find((i) => label(i) === name);
    });
    // What is still there came in the sort's order.
    const present = order.filter((item): item is ResourceItem => item !== undefined);
    for (let i = 1; i < present.length; i++)
      assert.ok(sort.compare(present[i - 1] as ResourceItem, present[i] as ResourceItem) < 0);
  });

  test('totalCount is given per cluster as well as in all', () => {
    const runs: ClusterRun[] = [
      { clusterId: 'c-b', items: [pod('c-b', 'b1', at(1))] },
      { clusterId: 'c-a', items: [pod('c-a', 'a1', at(1)), pod('c-a', 'a2', at(2))] },
    ];
    const page = paginate(runs, 1, null, parseSort([{ field: 'name' }], PODS));
    assert.equal(page.totalCount, 3);
    assert.deepEqual(
      page.clusters.map((c) => [c.clusterId, c.totalCount, c.stale]),
      [
        ['c-a', 2, false],
        ['c-b', 1, false],
      ],
    );
  });

  test('an unknown sort field is refused with the fields the kind accepts', () => {
    assert.throws(
      () => parseSort([{ field: 'colour' }], PODS),
      (error: unknown) =>
        error instanceof GatewayError &&
        error.code === 'BAD_USER_INPUT' &&
        /unknown sort field "colour" for pods: one of cluster, namespace, name, createdAt, phase, restarts, nodeName, ready/.test(
          error.message,
        ),
    );
    assert.throws(() => parseSort([{ field: 'name' }, { field: 'name' }], PODS), /twice/);
  });

  test('a cursor of one sort is refused by another', () => {
    const runs: ClusterRun[] = [
      { clusterId: 'c-a', items: [pod('c-a', 'a1', at(1)), pod('c-a', 'a2', at(2))] },
    ];
    const byTime = parseSort([{ field: 'createdAt' }], PODS);
    const cursor = paginate(runs, 1, null, byTime).pageInfo.endCursor as string;
    assert.throws(
      () => paginate(runs, 1, cursor, parseSort([{ field: 'restarts' }], PODS)),
      /cursor belongs to another sort/,
    );
    assert.throws(() => paginate(runs, 1, cursor), /malformed cursor/);
  });
});
