import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureServingTls } from '../../src/server/tls-bootstrap.ts';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { runKubectl } from '../harness/kubectl.ts';
import { kubernetesStoreArgs } from './replica-fleet.ts';

// Three replicas share a certificate that names a DNS name only (localhost, no IP address),
// as a certificate for a public host name does; they publish and dial each other by IP
// (their peer addresses), so the link's check of the peer's certificate depends on
// --peer-server-name (docs/replicas.md §5). The agent's tunnel is on replica 1.
const CERTIFICATE_NAME = 'localhost';
let run: TestClusters;
let downstream: TestCluster;
let replicas: GatewayProcess[];
let agent: AgentProcess | undefined;
let dir: string;

const replica = (n: 1 | 2 | 3) => replicas[n - 1] as GatewayProcess;

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'psn' });
  const [management, cluster] = run.clusters as [TestCluster, TestCluster];
  downstream = cluster;
  dir = join(run.runDir, 'replicas');
  await ensureServingTls(join(dir, 'shared'), [CERTIFICATE_NAME], { loopback: false });
  const tls = (file: string) => join(dir, 'shared', 'tls', file);
  const peerServerNames = [CERTIFICATE_NAME, CERTIFICATE_NAME, 'wrong.example'];
  replicas = await Promise.all(
    peerServerNames.map(async (peerServerName, i) => {
      const name = `replica-${i + 1}`;
      // The harness trusts the CA it finds in the data directory.
      await mkdir(join(dir, name, `${name}-data`, 'tls'), { recursive: true });
      await copyFile(tls('ca.crt'), join(dir, name, `${name}-data`, 'tls', 'ca.crt'));
      return GatewayProcess.start({
        dir: join(dir, name),
        name,
        serverName: CERTIFICATE_NAME,
        logLevel: 'info',
        args: [
          ...kubernetesStoreArgs(management, name, 'fleetgate-system'),
          '--tls-cert',
          tls('server.crt'),
          '--tls-key',
          tls('server.key'),
          '--tls-ca',
          tls('ca.crt'),
          '--peer-server-name',
          peerServerName,
        ],
      });
    }),
  );
  const registration = await registerCluster(replica(1), 'named');
  agent = await AgentProcess.install(downstream, replica(1), registration, {
    gatewayUrl: replica(1).url.replace('127.0.0.1', CERTIFICATE_NAME),
  });
  for (const each of replicas)
    await each.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  await downstream.kubectlOk('admin', [
    'create',
    'clusterrolebinding',
    'fleetgate-admin-reads',
    '--clusterrole=view',
    '--user=local:admin',
  ]);
});

after(async () => {
  await agent?.stop();
  await Promise.all((replicas ?? []).map((r) => r.stop()));
  await run?.stop();
});

/** kubectl through replica `n`, dialling it by the certificate's name. */
const kubectlThrough = async (n: 2 | 3) => {
  const kubeconfig = join(dir, `admin-via-${n}.kubeconfig`);
  await downloadKubeconfig(replica(n), 'admin', replica(n).adminPassword, kubeconfig);
  await writeFile(
    kubeconfig,
    (await readFile(kubeconfig, 'utf8')).replaceAll(
      replica(n).url,
      replica(n).url.replace('127.0.0.1', CERTIFICATE_NAME),
    ),
  );
  return runKubectl(kubeconfig, [
    'get',
    'serviceaccounts',
    '-n',
    'default',
    '-o',
    'name',
    '--request-timeout=10s',
  ]);
};

/** The value of a series of replica `n`'s /metrics. */
const metric = async (n: 2 | 3, series: string) => {
  const answer = await replica(n).request('/metrics', {
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${replica(n).adminPassword}`).toString('base64')}`,
    },
  });
  const line = answer.text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
};

describe('replicas check their peers’ certificate against --peer-server-name', () => {
  test('a replica dialling its peer by IP, with the name the certificate holds, reaches the cluster through the link', async () => {
    const result = await kubectlThrough(2);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /serviceaccount\/default/);
    assert.equal(await metric(2, 'fleetgate_peer_links{direction="outbound"}'), 1);
  });

  test('a replica expecting a name the certificate does not hold refuses the link, and the request fails', async () => {
    const result = await kubectlThrough(3);
    console.log(
      `kubectl through the replica with the wrong name: exit ${result.code}, ${result.stderr.trim()}`,
    );
    assert.notEqual(result.code, 0);
    assert.equal(await metric(3, 'fleetgate_peer_links{direction="outbound"}'), 0);
    const log = await readFile(join(dir, 'replica-3', 'replica-3-1.log'), 'utf8');
    const failed = log.split('\n').find((line) => line.includes('peer link failed'));
    assert.ok(failed, 'replica 3 logged no failed link');
    assert.match(failed, /wrong\.example/);
  });
});
