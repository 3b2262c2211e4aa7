import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { ApiserverConnections } from '../../agent/apiserver-connections.ts';
import { kubeconfigTarget } from '../../agent/kubeconfig-target.ts';
import { type ConnectProxy, startConnectProxy } from '../harness/connect-proxy.ts';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { kubectlOk } from '../harness/kubectl.ts';

// The agent's kubeconfig names its apiserver by a name no resolver knows: only the
// kubeconfig's proxy-url can reach it, and only tls-server-name matches its certificate.
const APISERVER_NAME = 'apiserver.fleet.invalid';
// A name in the self-signed serving certificate kube-apiserver makes for itself.
const CERTIFICATE_NAME = 'kubernetes.default.svc';

let run: TestClusters;
let cluster: TestCluster;
let gateway: GatewayProcess;
let agent: AgentProcess;
let proxy: ConnectProxy;
let apiserverPort: number;
let pluginRunsFile: string;
let agentKubeconfig: string;
let adminKubeconfig: string;

interface Kubeconfig {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
}

/**
 * Turns the agent's kubeconfig into one a managed Kubernetes service would hand out: the
 * user is an exec credential plugin (a shell script beside the kubeconfig, named by a
 * relative path) that prints the ServiceAccount's token as an ExecCredential, and the
 * apiserver is reached through an HTTP CONNECT proxy under another name.
 */
async function useExecPluginAndProxy(kubeconfigPath: string): Promise<void> {
  const config = parse(await readFile(kubeconfigPath, 'utf8')) as Kubeconfig;
  const user = config.users[0];
  const clusterEntry = config.clusters[0];
  assert.ok(user && clusterEntry);
  const token = user.user.token;
  assert.equal(typeof token, 'string');
  const dir = dirname(kubeconfigPath);
  pluginRunsFile = join(dir, 'exec-plugin.runs');
  const credential = {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token, expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString() },
  };
  await writeFile(
    join(dir, 'exec-plugin.sh'),
    `#!/bin/sh\necho run >> '${pluginRunsFile}'\ncat <<'EOF'\n${JSON.stringify(credential)}\nEOF\n`,
    { mode: 0o700 },
  );
  user.user = {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: './exec-plugin.sh',
      interactiveMode: 'Never',
    },
  };
  clusterEntry.cluster = {
    ...clusterEntry.cluster,
    server: `https://${APISERVER_NAME}:${apiserverPort}`,
    'tls-server-name': CERTIFICATE_NAME,
    'proxy-url': proxy.url,
  };
  await writeFile(kubeconfigPath, stringify(config), { mode: 0o600 });
  agentKubeconfig = kubeconfigPath;
}

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'exec' });
  cluster = run.clusters[0] as TestCluster;
  apiserverPort = Number(new URL(cluster.server).port);
  proxy = await startConnectProxy(new Map([[`${APISERVER_NAME}:${apiserverPort}`, apiserverPort]]));
  gateway = await GatewayProcess.start({ dir: run.runDir });
  const registration = await registerCluster(gateway, 'exec');
  agent = await AgentProcess.install(cluster, gateway, registration, {
    prepareKubeconfig: useExecPluginAndProxy,
  });
  await gateway.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  await cluster.grantGatewayAdmin();
  adminKubeconfig = join(run.runDir, 'gateway-admin.kubeconfig');
  await downloadKubeconfig(gateway, 'admin', gateway.adminPassword, adminKubeconfig);
});

after(async () => {
  await agent?.stop();
  await gateway?.stop();
  await proxy?.close();
  await run?.stop();
});

/** GET /version through fresh connections made for `kubeconfigPath`'s TLS material and proxy. */
async function versionThrough(kubeconfigPath: string): Promise<number> {
  const target = await kubeconfigTarget(kubeconfigPath);
  const credentials = await target.credentials.current();
  const connections = new ApiserverConnections(credentials.tls, target.proxyUrl);
  try {
    return await new Promise<number>((resolve, reject) => {
      get(new URL('/version', target.url), { agent: connections.pooled }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
  } finally {
    connections.close();
    target.credentials.close();
  }
}

describe('an agent whose kubeconfig user is an exec credential plugin', () => {
  test('connects, and kubectl through the gateway reaches its cluster with the token the plugin printed', async () => {
    // The gateway impersonates its user: only the agent's ServiceAccount may do that, so
    // the answer proves the plugin's token reached the apiserver.
    const whoami = JSON.parse(await kubectlOk(adminKubeconfig, ['auth', 'whoami', '-o', 'json'])) as {
      status: { userInfo: { username: string } };
    };
    assert.equal(whoami.status.userInfo.username, 'local:admin');
    const namespaces = await kubectlOk(adminKubeconfig, ['get', 'namespaces', '-o', 'name']);
    assert.match(namespaces, /namespace\/fleetgate-system/);
  });

  test('runs the plugin once for a credential that has not expired, however many requests pass', async () => {
    await Promise.all(
      Array.from({ length: 5 }, () =>
        kubectlOk(adminKubeconfig, ['get', 'namespace', 'default', '-o', 'name']),
      ),
    );
    const runs = (await readFile(pluginRunsFile, 'utf8')).trim().split('\n');
    assert.equal(runs.length, 1);
  });

  test('goes only through the kubeconfig proxy-url, to the apiserver by the name in its server field', () => {
    assert.ok(proxy.targets.length > 0, 'the agent went through the proxy');
    assert.deepEqual(new Set(proxy.targets), new Set([`${APISERVER_NAME}:${apiserverPort}`]));
  });

  test('checks the apiserver certificate against tls-server-name, and fails on a name the certificate lacks', async () => {
    assert.equal(await versionThrough(agentKubeconfig), 200);
    const config = parse(await readFile(agentKubeconfig, 'utf8')) as Kubeconfig;
    const clusterEntry = config.clusters[0];
    assert.ok(clusterEntry);
    clusterEntry.cluster['tls-server-name'] = 'not-the-apiserver.invalid';
    const wrongName = join(dirname(agentKubeconfig), 'wrong-tls-server-name.kubeconfig');
    await writeFile(wrongName, stringify(config), { mode: 0o600 });
    await assert.rejects(versionThrough(wrongName), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      assert.match(error.message, /not-the-apiserver\.invalid/);
      return true;
    });
  });
});
