// The questions to a cluster's owner and its answers (docs/replicas.md §6): parsed and
// bounded at the edge; and windows paged by the asker give the pages of the whole list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeCursor } from '../../src/graphql/cursor.ts';
import { type ClusterRun, pageShape, paginate } from '../../src/graphql/fan-out.ts';
import {
  MAX_OWNER_ASK_BYTES,
  type OwnerQuestion,
  OwnerWireError,
  parseOwnerAnswer,
  parseOwnerQuestion,
  type WindowQuestion,
} from '../../src/graphql/owner-wire.ts';
import { windowAfter } from '../../src/graphql/pages.ts';
import { parseSort } from '../../src/graphql/sort.ts';
import {
  impersonationHeaders,
  type PersonIdentity,
  personFromImpersonation,
} from '../../src/kube/identity.ts';
import { kindProfile } from '../../src/kube/kind-fields.ts';
import { liveItem, type ResourceItem } from '../../src/kube/resource-item.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const window: WindowQuestion = {
  ask: 'window',
  path: '/api/v1/pods',
  sort: [
    ['name', 'DESC'],
    ['cluster', 'ASC'],
    ['namespace', 'ASC'],
  ],
  first: 3,
  allowStale: false,
};

describe('questions to the owner are parsed and bounded', () => {
  test('a window, a count and a stats question parse to what was sent', () => {
    assert.deepEqual(parseOwnerQuestion(json(window)), {
      ...window,
      after: undefined,
      labelSelector: undefined,
      nameContains: undefined,
    });
    const groups = {
      ask: 'groups',
      path: '/api/v1/pods',
      groupBy: ['namespace', 'phase'],
      allowStale: true,
      nameContains: 'web',
    };
    assert.deepEqual(parseOwnerQuestion(json(groups)), { ...groups, labelSelector: undefined });
    assert.deepEqual(parseOwnerQuestion(json({ ask: 'stats' })), { ask: 'stats' });
  });

  const refused: [string, unknown, RegExp][] = [
    ['not JSON', '{', /must be JSON/],
    ['an array', [], /JSON object/],
    ['an unknown ask', { ask: 'everything' }, /ask must be/],
    ['a path that is not one', { ...window, path: 'pods' }, /path/],
    ['allowStale missing', { ...window, allowStale: undefined }, /allowStale/],
    ['no sort', { ...window, sort: [] }, /sort must list/],
    [
      'eight sort fields',
      { ...window, sort: Array.from({ length: 8 }, () => ['name', 'ASC']) },
      /sort must list/,
    ],
    ['a direction that is not one', { ...window, sort: [['name', 'UP']] }, /sort\[0\]/],
    ['a field that is not a name', { ...window, sort: [['a b', 'ASC']] }, /sort\[0\]\[0\]/],
    ['first over the page size', { ...window, first: 1001 }, /first/],
    ['first not an integer', { ...window, first: 1.5 }, /first/],
    ['a label selector too long', { ...window, labelSelector: 'a'.repeat(2049) }, /labelSelector/],
    ['a cursor that is not text', { ...window, after: 7 }, /after/],
    [
      'four group fields',
      { ask: 'groups', path: '/api/v1/pods', groupBy: ['a', 'b', 'c', 'd'], allowStale: false },
      /groupBy/,
    ],
    ['no group field', { ask: 'groups', path: '/api/v1/pods', groupBy: [], allowStale: false }, /groupBy/],
  ];
  for (const [what, body, message] of refused) {
    test(`${what} is refused, naming the field`, () => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : json(body);
      assert.throws(
        () => parseOwnerQuestion(bytes),
        (error: Error) => error instanceof OwnerWireError && message.test(error.message),
      );
    });
  }

  test('a question over 16 KiB is refused before it is parsed', () => {
    const big = json({ ...window, padding: 'x'.repeat(MAX_OWNER_ASK_BYTES) });
    assert.throws(() => parseOwnerQuestion(big), /at most 16384 bytes/);
  });
});

describe("the owner's answers are checked against the question", () => {
  test('a window may not hold more items than asked, nor counts that disagree', () => {
    const key = ['default', 'web-0', '2026-01-01T00:00:00Z', 'Running', 0, 'node-1', 1];
    const answer = { status: 'window', keys: [key, key], totalCount: 9, afterCursor: 4, staleSince: null };
    assert.equal(parseOwnerAnswer(json(answer), window).status, 'window');
    assert.throws(
      () => parseOwnerAnswer(json({ ...answer, keys: [key, key, key, key] }), window),
      /at most 3/,
    );
    assert.throws(() => parseOwnerAnswer(json({ ...answer, afterCursor: 10 }), window), /afterCursor/);
    assert.throws(() => parseOwnerAnswer(json({ ...answer, afterCursor: 1 }), window), /afterCursor/);
    assert.throws(
      () => parseOwnerAnswer(json({ ...answer, keys: [['default', 'web-0']] }), window),
      /each key/,
    );
    assert.throws(() => parseOwnerAnswer(json({ ...answer, keys: [[...key, {}]] }), window), /each key/);
    assert.throws(() => parseOwnerAnswer(json({ ...answer, staleSince: 'yesterday' }), window), /staleSince/);
  });

  test('an answer of another kind than asked, or an unknown error code, is refused', () => {
    const stats: OwnerQuestion = { ask: 'stats' };
    assert.throws(
      () => parseOwnerAnswer(json({ status: 'groups', groups: [] }), stats),
      /does not answer stats/,
    );
    assert.throws(
      () => parseOwnerAnswer(json({ status: 'error', code: 'NOPE', message: 'x' }), stats),
      /error code/,
    );
    assert.deepEqual(
      parseOwnerAnswer(json({ status: 'error', code: 'CLUSTER_TIMEOUT', message: 'slow' }), stats),
      {
        status: 'error',
        code: 'CLUSTER_TIMEOUT',
        message: 'slow',
      },
    );
    assert.deepEqual(parseOwnerAnswer(json({ status: 'live' }), window), { status: 'live' });
  });

  test('the objects of a page come one per name asked, or null for one deleted since', () => {
    const objects: OwnerQuestion = {
      ask: 'objects',
      path: '/api/v1/pods',
      allowStale: false,
      names: [
        ['default', 'a'],
        ['default', 'b'],
      ],
    };
    assert.deepEqual(parseOwnerQuestion(json(objects)), {
      ...objects,
      labelSelector: undefined,
      nameContains: undefined,
    });
    assert.deepEqual(parseOwnerAnswer(json({ status: 'objects', items: [{ kind: 'Pod' }, null] }), objects), {
      status: 'objects',
      items: [{ kind: 'Pod' }, null],
    });
    assert.throws(
      () => parseOwnerAnswer(json({ status: 'objects', items: [null] }), objects),
      /2 objects or nulls/,
    );
    assert.throws(() => parseOwnerAnswer(json({ status: 'objects', items: [7, null] }), objects), /an item/);
    assert.throws(
      () => parseOwnerQuestion(json({ ...objects, names: Array.from({ length: 1001 }, () => ['a', 'b']) })),
      /names must list 1 to 1000/,
    );
    assert.throws(() => parseOwnerQuestion(json({ ...objects, names: [['a']] })), /names\[0\]/);
  });

  test('each group holds a value per grouped field and a count', () => {
    const groups: OwnerQuestion = {
      ask: 'groups',
      path: '/api/v1/pods',
      groupBy: ['phase'],
      allowStale: false,
    };
    assert.deepEqual(
      parseOwnerAnswer(
        json({
          status: 'groups',
          groups: [
            ['Running', 3],
            [null, 1],
          ],
        }),
        groups,
      ),
      {
        status: 'groups',
        groups: [
          ['Running', 3],
          [null, 1],
        ],
        staleSince: null,
      },
    );
    assert.throws(
      () => parseOwnerAnswer(json({ status: 'groups', groups: [['Running', 'Pending', 3]] }), groups),
      /1 values and a count/,
    );
    assert.throws(
      () => parseOwnerAnswer(json({ status: 'groups', groups: [['Running', -1]] }), groups),
      /a count/,
    );
  });
});

describe('windows answered by owners page like whole lists', () => {
  const pods = (clusterId: string, count: number): ResourceItem[] =>
    Array.from({ length: count }, (_, i) =>
      liveItem(clusterId, {
        metadata: { namespace: `ns-${i % 3}`, name: `pod-${String(i).padStart(2, '0')}` },
        status: { phase: i % 4 ? 'Running' : 'Pending' },
      }),
    );
  const spec = parseSort([{ field: 'phase', direction: 'DESC' }, { field: 'name' }], kindProfile('', 'pods'));
  const clusters = { 'c-a': pods('c-a', 17), 'c-b': pods('c-b', 9), 'c-c': pods('c-c', 0) };
  const sorted = Object.fromEntries(
    Object.entries(clusters).map(([clusterId, items]) => [
      clusterId,
      [...items].sort((a, b) => spec.compare(a, b)),
    ]),
  );

  /** Every page, the way an asker builds it from each owner's window. */
  function walk(size: number, fromOwners: boolean) {
    const pages: { names: string[]; totalCount: number; perCluster: number[] }[] = [];
    let after: string | null = null;
    for (;;) {
      const shape = pageShape(size, after, spec);
      assert.equal(shape.kind, 'window');
      const runs: ClusterRun[] = Object.entries(sorted).map(([clusterId, items]) => {
        if (!fromOwners) return { clusterId, items };
        const cursor = after ? decodeCursor(after, spec) : undefined;
        return { clusterId, ...windowAfter(items, spec, cursor, size), order: spec.key };
      });
      const page = paginate(runs, size, after, spec);
      pages.push({
        names: page.edges.map((edge) => `${edge.node.clusterId}/${edge.node.name}`),
        totalCount: page.totalCount,
        perCluster: page.clusters.map((c) => c.totalCount),
      });
      if (!page.pageInfo.hasNextPage) return pages;
      after = page.pageInfo.endCursor;
    }
  }

  for (const size of [1, 4, 7, 26, 100]) {
    test(`pages of ${size} from windows equal pages of the whole lists`, () => {
      const whole = walk(size, false);
      assert.deepEqual(walk(size, true), whole);
      assert.equal(whole.flatMap((page) => page.names).length, 26);
      assert.deepEqual(whole[0]?.perCluster, [17, 9, 0]);
    });
  }

  test('a window holds at most first items and says how many follow the cursor', () => {
    const items = sorted['c-a'] as ResourceItem[];
    const cursor = spec.valuesOf(items[4] as ResourceItem);
    const { items: slice, window: counts } = windowAfter(items, spec, cursor, 5);
    assert.deepEqual(slice, items.slice(5, 10));
    assert.deepEqual(counts, { totalCount: 17, afterCursor: 12 });
    assert.deepEqual(windowAfter(items, spec, undefined, 0).window, { totalCount: 17, afterCursor: 17 });
  });
});

describe('the person travels to the owner as impersonation headers', () => {
  test('the headers a person is sent with give the same person back', () => {
    const alice: PersonIdentity = {
      kind: 'person',
      user: 'oidc:alice',
      groups: ['team-a', 'system:authenticated'],
      uid: 'u-1',
      // JSON.parse makes __proto__ a key like any other, as a token's claims could.
      extra: JSON.parse('{"Scopes.Example/Key": ["a", "b"], "__proto__": ["c"]}') as Record<string, string[]>,
    };
    const back = personFromImpersonation([['content-type', 'x'], ...impersonationHeaders(alice)]);
    assert.ok(back);
    assert.deepEqual(impersonationHeaders(back), impersonationHeaders(alice));
    assert.deepEqual(Object.keys(back.extra), ['Scopes.Example/Key', '__proto__']);
  });

  test('an extra key is read as the apiserver reads it: the header name lower-cased, then percent-decoded', () => {
    const back = personFromImpersonation([
      ['Impersonate-User', 'local:alice'],
      ['Impersonate-Extra-Team', 'raw'],
      ['Impersonate-Extra-%4Fwner', 'encoded'],
    ]);
    assert.ok(back);
    assert.deepEqual({ ...back.extra }, { team: ['raw'], Owner: ['encoded'] });
  });

  const refused: [string, [string, string][]][] = [
    ['no user', [['Impersonate-Group', 'team-a']]],
    [
      'two users',
      [
        ['Impersonate-User', 'a'],
        ['Impersonate-User', 'b'],
      ],
    ],
    [
      'two uids',
      [
        ['Impersonate-User', 'a'],
        ['Impersonate-Uid', '1'],
        ['Impersonate-Uid', '2'],
      ],
    ],
    ['a system: user', [['Impersonate-User', 'system:admin']]],
    [
      'system:masters',
      [
        ['Impersonate-User', 'a'],
        ['Impersonate-Group', 'system:masters'],
      ],
    ],
    [
      'an extra key that does not decode',
      [
        ['Impersonate-User', 'a'],
        ['Impersonate-Extra-%zz', 'v'],
      ],
    ],
  ];
  for (const [what, headers] of refused) {
    test(`${what} names nobody`, () => assert.equal(personFromImpersonation(headers), undefined));
  }
});
