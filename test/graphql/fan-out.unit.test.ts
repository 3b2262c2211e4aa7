import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { decodeCursor, encodeCursor } from '../../src/graphql/cursor.ts';
import { type ClusterRun, MAX_PAGE_SIZE, paginate } from '../../src/graphql/fan-out.ts';
import { liveItem, type ResourceItem } from '../../src/kube/resource-item.ts';

const item = (clusterId: string, namespace: string, name: string): ResourceItem =>
  liveItem(clusterId, { metadata: namespace ? { namespace, name } : { name } });
const label = (node: ResourceItem) =>
  `${node.clusterId}/${node.object.metadata?.namespace ?? ''}/${node.object.metadata?.name}`;

// Given out of order on purpose: clusters unsorted, one cluster's items unsorted, and one
// cluster split over two runs (its list came back per namespace).
const runs: ClusterRun[] = [
  { clusterId: 'c-b', items: [item('c-b', 'shop', 'web-1'), item('c-b', 'db', 'pg-0')] },
  {
    clusterId: 'c-a',
    items: [item('c-a', '', 'node-1'), item('c-a', 'shop', 'web-0')],
    order: 'cluster+,namespace+,name+',
  },
  { clusterId: 'c-c', items: [item('c-c', 'team-b', 'x')] },
  { clusterId: 'c-c', items: [item('c-c', 'team-a', 'y')] },
];
const globalOrder = [
  'c-a//node-1',
  'c-a/shop/web-0',
  'c-b/db/pg-0',
  'c-b/shop/web-1',
  'c-c/team-a/y',
  'c-c/team-b/x',
];

/** Every page of `size`, following endCursor until hasNextPage is false. */
function walk(size: number): string[][] {
  const pages: string[][] = [];
  let after: string | null = null;
  for (;;) {
    const page = paginate(runs, size, after);
    pages.push(page.edges.map((edge) => label(edge.node)));
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
  }
}

describe('pages across clusters in one global (cluster, namespace, name) order', () => {
  test('one page holds every item in the global order, with the total', () => {
    const page = paginate(runs, 100, null);
    assert.deepEqual(
      page.edges.map((edge) => label(edge.node)),
      globalOrder,
    );
    assert.equal(page.totalCount, 6);
    assert.equal(page.pageInfo.hasNextPage, false);
    assert.equal(page.pageInfo.endCursor, encodeCursor(['c-c', 'team-b', 'x']));
  });

  const sizes: [number, string[][]][] = [
    [1, globalOrder.map((name) => [name])],
    [2, [globalOrder.slice(0, 2), globalOrder.slice(2, 4), globalOrder.slice(4)]],
    [4, [globalOrder.slice(0, 4), globalOrder.slice(4)]],
    [6, [globalOrder]],
  ];
  for (const [size, pages] of sizes) {
    test(`pages of ${size} follow endCursor through every item once, across cluster boundaries`, () => {
      assert.deepEqual(walk(size), pages);
    });
  }

  test('each edge has the cursor of its own item', () => {
    const page = paginate(runs, 3, null);
    assert.deepEqual(
      page.edges.map((edge) => decodeCursor(edge.cursor)),
      [
        ['c-a', '', 'node-1'],
        ['c-a', 'shop', 'web-0'],
        ['c-b', 'db', 'pg-0'],
      ],
    );
  });

  test('totalCount counts every item whatever the page', () => {
    assert.equal(paginate(runs, 1, encodeCursor(['c-b', 'db', 'pg-0'])).totalCount, 6);
  });

  test('a cursor of an item that is gone continues at the next key', () => {
    const page = paginate(runs, 2, encodeCursor(['c-b', 'e', 'deleted']));
    assert.deepEqual(
      page.edges.map((edge) => label(edge.node)),
      ['c-b/shop/web-1', 'c-c/team-a/y'],
    );
  });

  test('a cursor of a cluster that is gone continues at the next cluster', () => {
    const page = paginate(runs, 1, encodeCursor(['c-aa', 'z', 'z']));
    assert.deepEqual(
      page.edges.map((edge) => label(edge.node)),
      ['c-b/db/pg-0'],
    );
  });

  test('a cursor after the last item gives an empty last page', () => {
    const page = paginate(runs, 10, encodeCursor(['c-z', '', '']));
    assert.deepEqual(page.edges, []);
    assert.deepEqual(page.pageInfo, { hasNextPage: false, endCursor: null });
  });

  test('first: 0 gives no items but says whether there are any', () => {
    const page = paginate(runs, 0, null);
    assert.deepEqual(page.edges, []);
    assert.deepEqual(page.pageInfo, { hasNextPage: true, endCursor: null });
  });

  test('no clusters give an empty page', () => {
    assert.deepEqual(paginate([], 10, null), {
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
      totalCount: 0,
      clusters: [],
    });
  });

  test('without first, a page holds 100 items', () => {
    const many = Array.from({ length: 150 }, (_, i) =>
      item('c-a', 'ns', `pod-${String(i).padStart(3, '0')}`),
    );
    const page = paginate([{ clusterId: 'c-a', items: many }], undefined, undefined);
    assert.equal(page.edges.length, 100);
    assert.equal(page.pageInfo.hasNextPage, true);
  });
});

describe('page size limits', () => {
  const many = Array.from({ length: MAX_PAGE_SIZE + 1 }, (_, i) =>
    item('c-a', 'ns', `pod-${String(i).padStart(4, '0')}`),
  );

  test(`first: ${MAX_PAGE_SIZE} is allowed and leaves the rest for the next page`, () => {
    const page = paginate(
      [{ clusterId: 'c-a', items: many, order: 'cluster+,namespace+,name+' }],
      MAX_PAGE_SIZE,
      null,
    );
    assert.equal(page.edges.length, MAX_PAGE_SIZE);
    assert.equal(page.pageInfo.hasNextPage, true);
  });

  for (const first of [MAX_PAGE_SIZE + 1, -1, 1.5, Number.NaN]) {
    test(`first: ${first} is refused as BAD_USER_INPUT`, () => {
      assert.throws(
        () => paginate([], first, null),
        (error: unknown) =>
          error instanceof GatewayError &&
          error.extensions.code === 'BAD_USER_INPUT' &&
          error.message === `first must be from 0 to ${MAX_PAGE_SIZE}`,
      );
    });
  }

  test('a malformed after cursor is refused as BAD_USER_INPUT', () => {
    assert.throws(
      () => paginate(runs, 1, 'bm90IGEgY3Vyc29y'),
      (error: unknown) => error instanceof GatewayError && error.extensions.code === 'BAD_USER_INPUT',
    );
  });
});
