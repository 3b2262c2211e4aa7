// Large answers cross the tunnel compressed when the client accepts gzip, and a client that
// does not accept it still gets the plain answer (docs/tunnel-protocol.md §4, "Compression").
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { localPrincipal } from '../../src/auth/local-users.ts';
import { downstreamIdentity } from '../../src/auth/principal.ts';
import type { PersonIdentity } from '../../src/kube/identity.ts';
import { writeKubeconfig } from '../harness/kubeconfig.ts';
import { kubectlOk } from '../harness/kubectl.ts';
import { type OneClusterFleet, startOneClusterFleet } from '../tunnel/in-process-fleet.ts';

const NAMESPACE = 'big';
const CONFIGMAPS = 300;
const LIST_PATH = `/api/v1/namespaces/${NAMESPACE}/configmaps`;

let fleet: OneClusterFleet;
let token: string;
let kubeconfig: string;
let adminIdentity: PersonIdentity;

before(async () => {
  fleet = await startOneClusterFleet('gzip');
  const { cluster, gateway, agent } = fleet;
  await cluster.kubectlOk('admin', ['create', 'namespace', NAMESPACE]);
  // 300 ConfigMaps of 2 KiB: a list of about 700 KB, above the 128 KiB from which the
  // apiserver compresses an answer for a client that accepts gzip.
  await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
    stdin: stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: Array.from({ length: CONFIGMAPS }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, namespace: NAMESPACE },
        data: { value: `${i}:${'x'.repeat(2048)}` },
      })),
    }),
  });
  const admin = gateway.users.get('admin');
  assert.ok(admin);
  adminIdentity = downstreamIdentity(localPrincipal(admin));
  token = (
    await gateway.tokens.create(localPrincipal(admin), {
      kind: 'api',
      description: 'test',
      ttlSeconds: 3600,
    })
  ).token;
  kubeconfig = join(fleet.run.runDir, 'gzip-admin.kubeconfig');
  await writeKubeconfig(kubeconfig, {
    clusterName: 'gzip',
    server: `${gateway.url}/k8s/clusters/${agent.clusterId}`,
    caPem: gateway.caPem ?? '',
    userName: 'admin',
    token,
  });
});

after(async () => {
  await fleet?.stop();
});

/** One GET through the passthrough; the body's bytes as they arrived and the response headers. */
function passthroughGet(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; encoding?: string; body: Buffer }>((resolve, reject) => {
    const req = request(
      `${fleet.gateway.url}/k8s/clusters/${fleet.agent.clusterId}${path}`,
      { headers: { authorization: `Bearer ${token}`, ...headers }, ca: fleet.gateway.caPem },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            encoding: res.headers['content-encoding'],
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The test's ConfigMaps in a JSON list (the namespace also holds kube-root-ca.crt). */
const itemCount = (json: Buffer) =>
  (JSON.parse(json.toString('utf8')) as { items: { metadata: { name: string } }[] }).items.filter((item) =>
    item.metadata.name.startsWith('cm-'),
  ).length;

describe('compression through the passthrough', () => {
  test('a large list crosses the tunnel gzip-compressed when the request accepts gzip', async () => {
    // The gateway's own view of the stream: the bytes its agent sent on the tunnel.
    const answer = await fleet.gateway.kube.send(
      { clusterId: fleet.agent.clusterId, as: adminIdentity },
      { method: 'GET', path: LIST_PATH, headers: [['Accept-Encoding', 'gzip']] },
    );
    const chunks: Buffer[] = [];
    for await (const chunk of answer.body as AsyncIterable<Buffer>) chunks.push(chunk);
    const crossed = Buffer.concat(chunks);
    assert.equal(answer.status, 200);
    assert.ok(
      answer.headers.some(([name, value]) => name.toLowerCase() === 'content-encoding' && value === 'gzip'),
      'the answer is marked gzip',
    );
    const plain = gunzipSync(crossed);
    assert.equal(itemCount(plain), CONFIGMAPS);
    assert.ok(
      crossed.length * 5 < plain.length,
      `${crossed.length} bytes crossed for ${plain.length} bytes of JSON`,
    );
  });

  test('a client that accepts gzip gets the compressed answer as the apiserver made it', async () => {
    const answer = await passthroughGet(LIST_PATH, { 'accept-encoding': 'gzip' });
    assert.equal(answer.status, 200);
    assert.equal(answer.encoding, 'gzip');
    assert.equal(itemCount(gunzipSync(answer.body)), CONFIGMAPS);
  });

  test('a client that does not accept gzip gets the list uncompressed', async () => {
    const answer = await passthroughGet(LIST_PATH, {});
    assert.equal(answer.status, 200);
    assert.equal(answer.encoding, undefined);
    assert.equal(itemCount(answer.body), CONFIGMAPS);
  });

  test('kubectl, which asks for gzip, lists every ConfigMap of the large list', async () => {
    const names = await kubectlOk(kubeconfig, ['get', 'configmaps', '-n', NAMESPACE, '-o', 'name']);
    const listed = names.split('\n').filter((line) => line.startsWith('configmap/cm-'));
    assert.equal(listed.length, CONFIGMAPS);
    // Without compression too (kubectl's own switch), the same list comes back whole.
    const plain = await kubectlOk(kubeconfig, [
      'get',
      'configmaps',
      '-n',
      NAMESPACE,
      '-o',
      'name',
      '--disable-compression',
    ]);
    assert.equal(plain.split('\n').filter((line) => line.startsWith('configmap/cm-')).length, CONFIGMAPS);
  });
});
