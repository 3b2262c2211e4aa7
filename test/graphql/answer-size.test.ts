// The bound on one GraphQL answer's objects, against a real cluster holding large objects:
// a page within it answers every object whole, a page past it fails with ANSWER_TOO_LARGE
// and a small answer (the large one is never built), and aliases of `object` count each time;
// whether the objects come from the gateway's cache (charged the bytes they were decoded
// from) or from a live list (serialized to be measured).
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { renderInstallManifest } from '../../src/clusters/install-manifest.ts';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { type OneClusterFleet, startOneClusterFleet } from '../tunnel/in-process-fleet.ts';
import { adminAndAlice, graphqlWsClient } from './people.ts';

const MAX_ANSWER_BYTES = 2 * 1024 * 1024;
const CONFIG_MAPS = 5;
// Each ConfigMap's data: five of them are well past the bound, two are within it.
const DATA_BYTES = 700 * 1024;

let fleet: OneClusterFleet;
let adminToken: string;

interface Answer {
  data?: { resources: { edges: { node: { name: string; object?: { data?: { blob?: string } } } }[] } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql(query: string): Promise<{ answer: Answer; bytes: number }> {
  const reply = await gatewayRequest(`${fleet.gateway.url}/graphql`, {
    method: 'POST',
    caPem: fleet.gateway.caPem,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { answer: JSON.parse(reply.text) as Answer, bytes: Buffer.byteLength(reply.text) };
}

const page = (first: number, fields: string, filter = '') =>
  `{ resources(apiVersion: "v1", kind: "ConfigMap", filter: { namespace: "big"${filter} }, first: ${first}, sort: [{ field: "name" }]) { edges { node { name ${fields} } } } }`;
/** A field selector: the cache cannot answer it, so the list is made live. */
const LIVE = ', fieldSelector: "metadata.namespace=big"';

/** Lists answered from the gateway's caches so far. */
const cacheAnswers = () => fleet.gateway.listCaches?.stats().answered ?? 0;

/** Asks `query` until the cache answers it (its first fill may still be under way). */
async function fromCache(query: string): Promise<{ answer: Answer; bytes: number }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const before = cacheAnswers();
    const reply = await graphql(query);
    if (cacheAnswers() > before) return reply;
    if (Date.now() > deadline) throw new Error('the cache never answered');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

before(async () => {
  fleet = await startOneClusterFleet('answer', { maxGraphqlAnswerBytes: MAX_ANSWER_BYTES });
  ({ adminToken } = await adminAndAlice(fleet.gateway));
  // The install manifest's opt-in (readAllKinds) lets the agent read ConfigMaps, so that the
  // gateway caches them and pages are answered from its compact copies as well as live.
  const role = parseAllDocuments(
    renderInstallManifest({
      clusterId: fleet.agent.clusterId,
      gatewayUrl: fleet.gateway.url,
      registrationToken: 'unused',
      agentImage: 'unused',
      readAllKinds: true,
    }),
  )
    .map((document) => document.toJSON())
    .find((document) => document.kind === 'ClusterRole');
  await fleet.cluster.kubectlOk('admin', ['apply', '-f', '-'], { stdin: stringify(role) });
  const dir = await mkdtemp(join(tmpdir(), 'fleetgate-answer-'));
  const blob = join(dir, 'blob');
  await writeFile(blob, 'b'.repeat(DATA_BYTES));
  await fleet.cluster.kubectlOk('admin', ['create', 'namespace', 'big']);
  // Objects whose labels alone are large: 8,000 labels of about 75 bytes each.
  const labels = Object.fromEntries(
    Array.from({ length: 8_000 }, (_, index) => [`label-${index}`, 'v'.repeat(60)]),
  );
  await fleet.cluster.kubectlOk('admin', ['create', 'namespace', 'labelled']);
  for (let index = 0; index < CONFIG_MAPS; index++) {
    const manifest = join(dir, `labelled-${index}.json`);
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `labelled-${index}`, namespace: 'labelled', labels },
    };
    await writeFile(manifest, JSON.stringify(object));
    await fleet.cluster.kubectlOk('admin', ['create', '-f', manifest]);
  }
  for (let index = 0; index < CONFIG_MAPS; index++)
    await fleet.cluster.kubectlOk('admin', [
      'create',
      'configmap',
      `big-${index}`,
      '-n',
      'big',
      `--from-file=blob=${blob}`,
    ]);
});

after(async () => {
  await fleet?.stop();
});

describe('the bound on a GraphQL answer, against a real cluster with large objects', () => {
  test('a page whose objects fit answers every object whole', async () => {
    const { answer } = await graphql(page(2, 'object'));
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const nodes = answer.data?.resources.edges.map((edge) => edge.node) ?? [];
    assert.deepEqual(
      nodes.map((node) => node.name),
      ['big-0', 'big-1'],
    );
    for (const node of nodes) assert.equal(node.object?.data?.blob?.length, DATA_BYTES);
  });

  test('a page whose objects pass the bound fails with ANSWER_TOO_LARGE, and its answer is small', async () => {
    // Twice: a document's second use runs compiled (graphql-jit).
    for (const run of ['interpreted', 'compiled']) {
      const { answer, bytes } = await graphql(page(CONFIG_MAPS, 'object'));
      assert.equal(
        answer.errors?.[0]?.extensions?.code,
        'ANSWER_TOO_LARGE',
        `${run}: ${JSON.stringify(answer.errors)}`,
      );
      assert.equal(answer.errors?.length, 1, run);
      assert.match(answer.errors?.[0]?.message ?? '', new RegExp(`pass ${MAX_ANSWER_BYTES} bytes`));
      assert.ok(bytes < 64 * 1024, `${run}: the refusal took ${bytes} bytes`);
    }
  });

  test('the same page without the object field answers every name', async () => {
    const { answer } = await graphql(page(CONFIG_MAPS, ''));
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.equal(answer.data?.resources.edges.length, CONFIG_MAPS);
  });

  test('each alias of the object field counts against the bound', async () => {
    const { answer } = await graphql(page(2, 'object a: object'));
    assert.equal(answer.errors?.[0]?.extensions?.code, 'ANSWER_TOO_LARGE', JSON.stringify(answer.errors));
  });

  test('labels count against the bound too', async () => {
    const { answer, bytes } = await graphql(page(CONFIG_MAPS, 'labels').replace('"big"', '"labelled"'));
    assert.equal(answer.errors?.[0]?.extensions?.code, 'ANSWER_TOO_LARGE', JSON.stringify(answer.errors));
    assert.ok(bytes < MAX_ANSWER_BYTES, `the answer took ${bytes} bytes`);
  });

  test('a query over graphql-ws is bounded as over HTTP', async () => {
    const { client } = graphqlWsClient(fleet.gateway, adminToken);
    try {
      const codes = await new Promise<(string | undefined)[]>((resolve, reject) => {
        let result: (string | undefined)[] = [];
        client.subscribe(
          { query: page(CONFIG_MAPS, 'object') },
          {
            next: (value) => {
              result = (value.errors ?? []).map((error) => error.extensions?.code as string | undefined);
            },
            error: reject,
            complete: () => resolve(result),
          },
        );
      });
      assert.deepEqual(codes, ['ANSWER_TOO_LARGE']);
    } finally {
      await client.dispose();
    }
  });

  test('cached objects are charged the bytes they were decoded from: within the bound whole, past it ANSWER_TOO_LARGE, each alias charged', async () => {
    const { answer: fits } = await fromCache(page(2, 'object'));
    assert.equal(fits.errors, undefined, JSON.stringify(fits.errors));
    for (const edge of fits.data?.resources.edges ?? [])
      assert.equal(edge.node.object?.data?.blob?.length, DATA_BYTES);
    const { answer: past, bytes } = await fromCache(page(CONFIG_MAPS, 'object'));
    assert.deepEqual(
      past.errors?.map((error) => error.extensions?.code),
      ['ANSWER_TOO_LARGE'],
    );
    assert.ok(bytes < 64 * 1024, `the refusal took ${bytes} bytes`);
    const { answer: aliased } = await fromCache(page(2, 'object a: object'));
    assert.deepEqual(
      aliased.errors?.map((error) => error.extensions?.code),
      ['ANSWER_TOO_LARGE'],
    );
  });

  test('objects listed live are measured: within the bound whole, past it ANSWER_TOO_LARGE', async () => {
    const before = cacheAnswers();
    const { answer: fits } = await graphql(page(2, 'object', LIVE));
    assert.equal(fits.errors, undefined, JSON.stringify(fits.errors));
    assert.equal(fits.data?.resources.edges.length, 2);
    const { answer: past } = await graphql(page(CONFIG_MAPS, 'object', LIVE));
    assert.deepEqual(
      past.errors?.map((error) => error.extensions?.code),
      ['ANSWER_TOO_LARGE'],
    );
    assert.equal(cacheAnswers(), before, 'both lists were made live');
  });
});
