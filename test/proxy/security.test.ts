import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import { AgentProcess, GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';

let run: TestClusters;
let cluster: TestCluster;
let gateway: GatewayProcess;
let agent: AgentProcess;
let clusterId: string;
let pendingClusterId: string;
let aliceToken: string;
const SECRET_VALUE = 'crown-jewels';

/** Sends raw bytes over TLS and returns everything the gateway answers until it closes. */
function rawExchange(request: string, waitMs = 5_000): Promise<string> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(
      { host: '127.0.0.1', port: Number(port), ca: gateway.caPem, servername: 'localhost' },
      () => socket.write(request),
    );
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`${received}\n<<still open after ${waitMs} ms>>`);
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', reject);
  });
}

function httpRequest(
  path: string,
  headers: [string, string][],
  token: string | undefined = aliceToken,
): string {
  const lines = [`GET ${path} HTTP/1.1`, 'Host: gateway', 'Connection: close'];
  if (token) lines.push(`Authorization: Bearer ${token}`);
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

async function login(username: string, password: string): Promise<string> {
  const answer = await gateway.request('/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(answer.status, 200, answer.text);
  return (JSON.parse(answer.text) as { token: string }).token;
}

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'sec' });
  cluster = run.clusters[0] as TestCluster;
  gateway = await GatewayProcess.start({ dir: run.runDir });
  const registration = await registerCluster(gateway, 'sec');
  clusterId = registration.cluster.clusterId;
  pendingClusterId = (await registerCluster(gateway, 'never-connected')).cluster.clusterId;
  agent = await AgentProcess.install(cluster, gateway, registration);
  await gateway.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active');
  assert.equal(
    (await gateway.api('POST', '/v1/users', { username: 'alice', password: 'alice-password-123456' })).status,
    201,
  );
  aliceToken = await login('alice', 'alice-password-123456');
  await cluster.kubectlOk('admin', ['create', 'namespace', 'vault']);
  await cluster.kubectlOk('admin', [
    'create',
    'secret',
    'generic',
    'jewels',
    '-n',
    'vault',
    `--from-literal=value=${SECRET_VALUE}`,
  ]);
  // alice may see pods in the vault namespace, and nothing else there.
  await cluster.kubectlOk('admin', [
    'create',
    'role',
    'pod-reader',
    '-n',
    'vault',
    '--verb=get,list',
    '--resource=pods',
  ]);
  await cluster.kubectlOk('admin', [
    'create',
    'rolebinding',
    'alice-pods',
    '-n',
    'vault',
    '--role=pod-reader',
    '--user=local:alice',
  ]);
});

after(async () => {
  await agent?.stop();
  await gateway?.stop();
  await run?.stop();
});

const secrets = () => `/k8s/clusters/${clusterId}/api/v1/namespaces/vault/secrets`;

interface Attack {
  readonly name: string;
  readonly request: () => string;
  /** Acceptable statuses: every one of them gives alice nothing she may not have. */
  readonly status: number[];
  /** Text the answer must contain (e.g. who the apiserver saw). */
  readonly says?: RegExp;
}

// FIELD-NOTES §3, as a non-admin: none of these may reach the secret.
const attacks: Attack[] = [
  {
    name: 'no attack: alice herself is Forbidden',
    request: () => httpRequest(secrets(), []),
    status: [403],
    says: /User \\"local:alice\\" cannot list resource \\"secrets\\"/,
  },
  {
    name: 'injected Impersonate-Group: system:masters without a user',
    request: () => httpRequest(secrets(), [['Impersonate-Group', 'system:masters']]),
    status: [400],
  },
  {
    name: 'injected Impersonate-Group: system:masters beside her own user',
    request: () =>
      httpRequest(secrets(), [
        ['Impersonate-User', 'local:alice'],
        ['Impersonate-Group', 'system:masters'],
      ]),
    status: [403],
    says: /system:masters/,
  },
  {
    name: 'injected Impersonate-User: admin',
    request: () => httpRequest(secrets(), [['Impersonate-User', 'admin']]),
    status: [403],
    says: /may not impersonate user \\"admin\\"/,
  },
  {
    name: "injected Impersonate-User: the agent's ServiceAccount",
    request: () =>
      httpRequest(secrets(), [
        ['Impersonate-User', 'system:serviceaccount:fleetgate-system:fleetgate-agent'],
      ]),
    status: [403],
  },
  {
    name: 'injected Impersonate-Uid alone',
    request: () => httpRequest(secrets(), [['Impersonate-Uid', 'uid-admin']]),
    status: [400],
  },
  {
    name: 'injected Impersonate-Extra-* alone',
    request: () => httpRequest(secrets(), [['Impersonate-Extra-scopes', 'all']]),
    status: [400],
  },
  {
    name: 'Impersonate-User named in Connection, to strip the gateway’s own impersonation',
    request: () => httpRequest(secrets(), [['Connection', 'Impersonate-User, Impersonate-Group']]),
    status: [403],
    says: /local:alice/,
  },
  {
    name: 'Authorization named in Connection',
    request: () => httpRequest(secrets(), [['Connection', 'Authorization']]),
    status: [403, 401],
  },
  {
    name: 'front-proxy headers X-Remote-User / X-Remote-Group',
    request: () =>
      httpRequest(secrets(), [
        ['X-Remote-User', 'admin'],
        ['X-Remote-Group', 'system:masters'],
      ]),
    status: [403],
    says: /local:alice/,
  },
  {
    name: 'row 4: an impersonated user longer than any header the gateway sends is a 400, asked of nobody',
    request: () => httpRequest(secrets(), [['Impersonate-User', 'u'.repeat(2_000)]]),
    status: [400],
    says: /longer than 1024 characters.*"reason":"BadRequest"/,
  },
  {
    name: 'row 4: an impersonated extra key holding a control character is a 400, asked of nobody',
    request: () =>
      httpRequest(secrets(), [
        ['Impersonate-User', 'local:alice'],
        ['Impersonate-Extra-%01', 'x'],
      ]),
    status: [400],
    says: /no header can carry.*"reason":"BadRequest"/,
  },
  {
    name: 'path traversal to another cluster',
    request: () =>
      httpRequest(`/k8s/clusters/${pendingClusterId}/../${clusterId}/api/v1/namespaces/vault/secrets`, []),
    status: [400],
  },
  {
    name: 'path traversal inside the API',
    request: () => httpRequest(`/k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods/../secrets`, []),
    status: [400],
  },
  {
    name: 'encoded dot segments',
    request: () => httpRequest(`/k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods/%2e%2e/secrets`, []),
    status: [400],
  },
  {
    name: 'encoded slash',
    request: () => httpRequest(`/k8s/clusters/${clusterId}/api/v1/namespaces/vault%2fsecrets`, []),
    status: [400],
  },
  {
    name: 'backslash',
    request: () => httpRequest(`/k8s/clusters/${clusterId}/\\127.0.0.1/api/v1/namespaces/vault/secrets`, []),
    status: [400],
  },
  {
    name: 'percent-encoded cluster id',
    request: () => httpRequest(`/k8s/clusters/%63${clusterId.slice(1)}/api/v1/namespaces/vault/secrets`, []),
    status: [404],
  },
  {
    name: 'cluster id with an encoded suffix',
    request: () => httpRequest(`/k8s/clusters/${clusterId}%2f..%2f${pendingClusterId}/api`, []),
    status: [404],
  },
  {
    name: 'unknown cluster',
    request: () => httpRequest('/k8s/clusters/c-0000000000/api', []),
    status: [404],
    says: /"reason":"NotFound"/,
  },
  { name: 'no token', request: () => httpRequest(secrets(), [], ''), status: [401], says: /"kind":"Status"/ },
  { name: 'a malformed token', request: () => httpRequest(secrets(), [], 'fgt.nope'), status: [401] },
  {
    name: 'a token with a wrong secret',
    request: () => httpRequest(secrets(), [], `${aliceToken.slice(0, -4)}AAAA`),
    status: [401],
  },
];

describe('the passthrough gives a non-admin nothing beyond their own rights', () => {
  for (const attack of attacks) {
    test(attack.name, async () => {
      const response = await rawExchange(attack.request());
      assert.ok(
        attack.status.includes(statusOf(response)),
        `status ${statusOf(response)}:\n${response.slice(0, 600)}`,
      );
      assert.ok(!response.includes(Buffer.from(SECRET_VALUE).toString('base64')), 'the secret leaked');
      if (attack.says) assert.match(response, attack.says);
    });
  }

  test('row 4: an identity with an extra key no header name may hold (Impersonate-Extra-%28) neither ends the tunnel nor touches another stream', async () => {
    await cluster.grantGatewayAdmin();
    const adminToken = await login('admin', gateway.adminPassword);
    type Shown = { cluster: { state: string; lastConnectedAt: string; stateChangedAt: string } };
    const before = (await gateway.api<Shown>('GET', `/v1/clusters/${clusterId}`)).body.cluster;
    // A watch is a stream on the same tunnel, open while the finding's request runs.
    const watch = rawExchange(
      httpRequest(`/k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods?watch=1`, [], adminToken),
      6_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    const finding = await rawExchange(
      httpRequest(
        `/k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods`,
        [
          ['Impersonate-User', 'local:admin'],
          ['Impersonate-Extra-%28', 'x'],
        ],
        adminToken,
      ),
    );
    // The cluster itself answers, having read the key back as "(": the agent's ServiceAccount
    // may impersonate only the provider extra, so the answer is the apiserver's own 403.
    assert.equal(statusOf(finding), 403, finding.slice(0, 600));
    assert.match(finding, /cannot impersonate resource \\"userextras\/\(\\"/);
    const watched = await watch;
    assert.equal(statusOf(watched), 200, watched.slice(0, 600));
    assert.match(watched, /<<still open after 6000 ms>>/, 'the watch on the same tunnel was not reset');

    const afterwards = (await gateway.api<Shown>('GET', `/v1/clusters/${clusterId}`)).body.cluster;
    assert.equal(afterwards.state, 'Active');
    assert.equal(afterwards.lastConnectedAt, before.lastConnectedAt, 'the agent did not reconnect');
    assert.equal(afterwards.stateChangedAt, before.stateChangedAt, 'the cluster never left Active');
    const next = await rawExchange(
      httpRequest(`/k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods`, []),
    );
    assert.equal(statusOf(next), 200, next.slice(0, 600));
  });

  test('a failed upgrade closes the connection, so nothing can ride on it', async () => {
    const upgrade = [
      `GET /k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods/nope/exec?command=sh&stdout=true HTTP/1.1`,
      'Host: gateway',
      `Authorization: Bearer ${aliceToken}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Protocol: v5.channel.k8s.io',
    ].join('\r\n');
    // A second request rides right behind the upgrade, as in CVE-2018-1002105.
    const smuggled = `GET /api/v1/namespaces/vault/secrets HTTP/1.1\r\nHost: x\r\n\r\n`;
    const response = await rawExchange(`${upgrade}\r\n\r\n${smuggled}`);
    assert.ok(!response.includes('<<still open'), `the connection stayed open:\n${response}`);
    assert.equal(response.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, `exactly one answer:\n${response}`);
    assert.equal(statusOf(response), 403);
    assert.match(response, /connection: close/i);
    assert.ok(!response.includes(Buffer.from(SECRET_VALUE).toString('base64')));
  });

  test('a cluster without a connected agent answers 503 as a Status', async () => {
    const response = await rawExchange(httpRequest(`/k8s/clusters/${pendingClusterId}/api`, []));
    assert.equal(statusOf(response), 503);
    assert.match(response, /"reason":"ServiceUnavailable"/);
  });

  test('expired and revoked tokens get 401', async () => {
    const short = await gateway.request('/v1/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'short', ttlSeconds: 1 }),
    });
    const shortToken = (JSON.parse(short.text) as { token: string }).token;
    assert.equal(
      statusOf(
        await rawExchange(
          httpRequest(`/k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods`, [], shortToken),
        ),
      ),
      200,
    );
    await new Promise((r) => setTimeout(r, 1_100));
    const expired = await rawExchange(
      httpRequest(`/k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods`, [], shortToken),
    );
    assert.equal(statusOf(expired), 401);
    assert.match(expired, /token expired/);

    const revocable = await login('alice', 'alice-password-123456');
    assert.equal(
      statusOf(
        await rawExchange(
          httpRequest(`/k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods`, [], revocable),
        ),
      ),
      200,
    );
    // An administrator revokes every token alice has.
    const revoked = await gateway.api<{ revoked: number }>('DELETE', '/v1/users/local%3Aalice/tokens');
    assert.ok(revoked.body.revoked >= 2);
    const after = await rawExchange(
      httpRequest(`/k8s/clusters/${clusterId}/api/v1/namespaces/vault/pods`, [], revocable),
    );
    assert.equal(statusOf(after), 401);
    assert.match(after, /token revoked/);
  });

  test('the audit log records who did what where, and never a token', async () => {
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(`${gateway.dataDir}/audit.log`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const listing = lines.find(
      (l) => l.kind === 'request' && l.as === 'local:alice' && l.resource === 'secrets' && l.status === 403,
    );
    assert.ok(listing, 'a line for alice listing secrets');
    assert.equal(listing.verb, 'list');
    assert.equal(listing.clusterId, clusterId);
    assert.equal(listing.namespace, 'vault');
    assert.equal(typeof listing.durationMs, 'number');
    assert.ok(lines.some((l) => l.kind === 'sign-in' && l.principal === 'alice' && l.outcome === 'success'));
    const text = JSON.stringify(lines);
    assert.ok(!text.includes(aliceToken.split('.')[2] as string), 'no token secret in the audit log');
    assert.ok(!text.includes('alice-password'), 'no password in the audit log');
  });
});
