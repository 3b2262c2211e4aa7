// Security round 2, row 8: every change made through the API reaches the audit log.
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Gateway } from '../../src/gateway.ts';
import { adminAndAlice } from '../graphql/people.ts';
import { gatewayRequest } from '../harness/gateway-http.ts';
import {
  type InProcessAgent,
  type OneClusterFleet,
  startOneClusterFleet,
} from '../tunnel/in-process-fleet.ts';

let fleet: OneClusterFleet;
let gateway: Gateway;
let agent: InProcessAgent;
let auditFile: string;
let adminToken: string;
let aliceToken: string;

before(async () => {
  auditFile = join(await mkdtemp(join(tmpdir(), 'audit-')), 'audit.log');
  fleet = await startOneClusterFleet('audit', { auditLog: auditFile });
  ({ gateway, agent } = fleet);
  ({ adminToken, aliceToken } = await adminAndAlice(gateway));
});

after(async () => {
  await fleet?.stop();
});

async function graphql(query: string, token: string): Promise<{ data?: unknown; errors?: unknown[] }> {
  const answer = await gatewayRequest(`${gateway.url}/graphql`, {
    method: 'POST',
    caPem: gateway.caPem,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return JSON.parse(answer.text) as { data?: unknown; errors?: unknown[] };
}

interface Line {
  kind: string;
  action?: string;
  principal?: string;
  as?: string;
  clusterId?: string;
  target?: string;
  outcome?: string;
  code?: string;
}

async function actions(): Promise<{ lines: Line[]; text: string }> {
  gateway.audit.flush();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const text = await readFile(auditFile, 'utf8');
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line)
    .filter((line) => line.kind === 'action');
  return { lines, text };
}

describe('the audit log records every change made through the API', () => {
  test('row 8: GraphQL mutations and administrative calls are recorded with who, as whom, where, what and the outcome; never a secret', async () => {
    const created = await graphql(
      `mutation { createNamespace(clusterId: "${agent.clusterId}", name: "audited") { clusterId } }`,
      adminToken,
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const refused = await graphql(
      `mutation { createNamespace(clusterId: "${agent.clusterId}", name: "not-alice") { clusterId } }`,
      aliceToken,
    );
    assert.ok(refused.errors?.length);
    const notAdmin = await graphql(
      'mutation { registerCluster(name: "sneaky") { registrationToken } }',
      aliceToken,
    );
    assert.ok(notAdmin.errors?.length);
    const minted = await graphql(
      'mutation { createApiToken(description: "audited") { token tokenId } }',
      aliceToken,
    );
    const { token } = (minted.data as { createApiToken: { token: string } }).createApiToken;
    const user = await gatewayRequest(`${gateway.url}/v1/users`, {
      method: 'POST',
      caPem: gateway.caPem,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'bob-password-123456' }),
    });
    assert.equal(user.status, 201, user.text);

    const { lines, text } = await actions();
    const find = (action: string, principal: string) =>
      lines.find((line) => line.action === action && line.principal === principal);
    assert.deepEqual(
      { ...find('createNamespace', 'admin'), time: undefined, level: undefined },
      {
        kind: 'action',
        principal: 'admin',
        principalId: 'local:admin',
        as: 'local:admin',
        action: 'createNamespace',
        clusterId: agent.clusterId,
        target: 'Namespace/audited',
        outcome: 'success',
        time: undefined,
        level: undefined,
      },
    );
    assert.equal(find('createNamespace', 'alice')?.outcome, 'failure');
    assert.equal(find('createNamespace', 'alice')?.code, 'CLUSTER_FORBIDDEN');
    assert.equal(find('registerCluster', 'alice')?.code, 'FORBIDDEN');
    assert.equal(find('createApiToken', 'alice')?.outcome, 'success');
    assert.equal(find('createUser', 'admin')?.target, 'bob');
    assert.ok(!text.includes(token), 'the minted token is not in the audit log');
    assert.ok(!text.includes('bob-password-123456'), 'no password is in the audit log');
  });

  test('a kubeconfig download (a new token) and a sign-out (a revoked token) are recorded, without the token', async () => {
    const login = await gatewayRequest(`${gateway.url}/v1/auth/login`, {
      method: 'POST',
      caPem: gateway.caPem,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'bob-password-123456' }),
    });
    assert.equal(login.status, 200, login.text);
    const bobToken = (JSON.parse(login.text) as { token: string }).token;
    const kubeconfig = await gatewayRequest(`${gateway.url}/v1/kubeconfig`, {
      caPem: gateway.caPem,
      headers: { authorization: `Bearer ${bobToken}` },
    });
    assert.equal(kubeconfig.status, 200, kubeconfig.text);
    const refused = await gatewayRequest(`${gateway.url}/v1/kubeconfig?ttlSeconds=0`, {
      caPem: gateway.caPem,
      headers: { authorization: `Bearer ${bobToken}` },
    });
    assert.equal(refused.status, 400, refused.text);
    const minted = /token: (\S+)/.exec(kubeconfig.text)?.[1];
    assert.ok(minted, 'the kubeconfig holds a token');
    const tokens = await gatewayRequest(`${gateway.url}/v1/tokens`, {
      caPem: gateway.caPem,
      headers: { authorization: `Bearer ${bobToken}` },
    });
    const kubeconfigToken = (
      JSON.parse(tokens.text) as { tokens: { tokenId: string; kind: string }[] }
    ).tokens.find((t) => t.kind === 'kubeconfig');
    assert.ok(kubeconfigToken);
    const logout = await gatewayRequest(`${gateway.url}/v1/auth/logout`, {
      method: 'POST',
      caPem: gateway.caPem,
      headers: { authorization: `Bearer ${bobToken}` },
    });
    assert.equal(logout.status, 200, logout.text);

    const { lines, text } = await actions();
    const download = lines.find((line) => line.action === 'createKubeconfig' && line.principal === 'bob');
    assert.equal(download?.outcome, 'success', 'the kubeconfig download is in the audit log');
    assert.equal(download?.target, kubeconfigToken.tokenId);
    const refusedDownload = lines.find(
      (line) => line.action === 'createKubeconfig' && line.principal === 'bob' && line.outcome === 'failure',
    );
    assert.ok(refusedDownload, 'the refused kubeconfig download is in the audit log');
    const signOut = lines.find((line) => line.action === 'logout' && line.principal === 'bob');
    assert.equal(signOut?.outcome, 'success', 'the sign-out is in the audit log');
    assert.ok(!text.includes(minted), 'the kubeconfig token is not in the audit log');
    assert.ok(!text.includes(bobToken), 'the session token is not in the audit log');
  });
});
