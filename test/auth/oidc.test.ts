import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { freePort } from '../harness/ports.ts';
import { type InProcessFleet, startInProcessFleet } from '../tunnel/in-process-fleet.ts';
import { browserSignIn, type ProviderPerson, startOidcProvider } from './oidc-provider.ts';

// A real OpenID provider on loopback, and a gateway that signs people in with it.
let run: TestClusters;
let cluster: TestCluster;
let fleet: InProcessFleet;
let issuerServer: Server;
let issuer: string;
let auditLog: string;
/** The provider's signing key: tests sign with it the tokens this provider never issues. */
let providerKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const PROVIDER_KEY_ID = 'test-signing-key';

/** The provider's people; tests change them to see the gateway follow. */
const PEOPLE: Record<string, ProviderPerson> = {
  carol: { email: 'carol@example.test', groups: ['platform', 'oncall'] },
  dave: { email: 'dave@example.test', groups: [] },
  erin: { email: 'erin@example.test', emailVerified: false, groups: [] },
  heidi: { email: 'heidi@example.test', groups: ['ops\u2603team'] },
  grace: { email: 'grace@example.test', groups: ['platform', 'oncall'] },
  ivan: { email: 'ivan@example.test', groups: ['platform'] },
  judy: { email: 'judy@example.test', groups: [] },
};
// Short, so that the tests see the gateway re-read people from the provider.
const REFRESH_SECONDS = 2;

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'oidc' });
  cluster = run.clusters[0] as TestCluster;
  const [issuerPort, gatewayPort] = [await freePort(), await freePort()];
  const keys = await generateKeyPair('RS256', { extractable: true });
  providerKey = keys.privateKey;
  ({ issuer, server: issuerServer } = startOidcProvider({
    port: issuerPort,
    redirectUris: [`https://127.0.0.1:${gatewayPort}/v1/auth/oidc/callback`],
    people: PEOPLE,
    signingKey: { ...(await exportJWK(keys.privateKey)), kid: PROVIDER_KEY_ID, alg: 'RS256', use: 'sig' },
  }));
  auditLog = join(await mkdtemp(join(tmpdir(), 'fleetgate-oidc-audit-')), 'audit.log');
  fleet = await startInProcessFleet(cluster, {
    port: gatewayPort,
    dangerouslyServeHttp: false,
    auditLog,
    oidc: {
      issuer,
      clientId: 'fleetgate',
      adminGroups: ['oncall'],
      dangerouslyAllowHttpIssuer: true,
      sessionRefreshSeconds: REFRESH_SECONDS,
    },
  });
});

after(async () => {
  await fleet?.stop();
  issuerServer?.close();
  await run?.stop();
});

interface SignedIn {
  token: string;
  expiresAt: string;
  idToken: string;
  principal: Record<string, unknown>;
}

/** A sign-in that must succeed. */
async function signIn(accountId: string): Promise<SignedIn> {
  const answer = await signInAnswer(accountId);
  assert.equal(answer.status, 200, answer.text);
  return JSON.parse(answer.text) as SignedIn;
}

/** Plays the browser through the gateway's sign-in. */
async function signInAnswer(accountId: string): Promise<{ status: number; text: string }> {
  return browserSignIn({
    startUrl: `${fleet.gateway.url}/v1/auth/oidc/login`,
    accountId,
    gatewayCa: { [new URL(fleet.gateway.url).origin]: fleet.gateway.caPem },
  });
}

async function whoami(token: string) {
  const answer = await gatewayRequest(
    `${fleet.gateway.url}/k8s/clusters/${fleet.clusterId}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
    {
      method: 'POST',
      caPem: fleet.gateway.caPem,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    },
  );
  assert.equal(answer.status, 201, answer.text);
  return (JSON.parse(answer.text) as { status: { userInfo: { username: string; groups: string[] } } }).status
    .userInfo;
}

async function listPods(token: string): Promise<number> {
  const answer = await gatewayRequest(
    `${fleet.gateway.url}/k8s/clusters/${fleet.clusterId}/api/v1/namespaces/platform/pods`,
    {
      caPem: fleet.gateway.caPem,
      headers: { authorization: `Bearer ${token}` },
    },
  );
  return answer.status;
}

/** The gateway's view of a token's holder, or the status it refused the token with. */
async function gatewayWhoami(
  token: string,
): Promise<{ status: number; principal?: Record<string, unknown> }> {
  const answer = await gatewayRequest(`${fleet.gateway.url}/v1/auth/whoami`, {
    caPem: fleet.gateway.caPem,
    headers: { authorization: `Bearer ${token}` },
  });
  if (answer.status !== 200) return { status: answer.status };
  return {
    status: 200,
    principal: (JSON.parse(answer.text) as { principal: Record<string, unknown> }).principal,
  };
}

/** An API token and a kubeconfig's token, made with `token`. */
async function tokensMadeWith(token: string, ttlSeconds: number) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = await gatewayRequest(`${fleet.gateway.url}/v1/tokens`, {
    method: 'POST',
    caPem: fleet.gateway.caPem,
    headers,
    body: JSON.stringify({ description: 'script', ttlSeconds }),
  });
  assert.equal(api.status, 201, api.text);
  const kubeconfig = await gatewayRequest(`${fleet.gateway.url}/v1/kubeconfig?ttlSeconds=${ttlSeconds}`, {
    caPem: fleet.gateway.caPem,
    headers,
  });
  assert.equal(kubeconfig.status, 200, kubeconfig.text);
  const kubeconfigToken = /token: (fgt\.\S+)/.exec(kubeconfig.text)?.[1];
  assert.ok(kubeconfigToken, kubeconfig.text);
  const created = JSON.parse(api.text) as { token: string; expiresAt: string };
  return { apiToken: created.token, apiExpiresAt: created.expiresAt, kubeconfigToken };
}

/** The audit log's sign-in lines, once one matching `wanted` is there. */
async function auditedSignIn(wanted: (line: Record<string, unknown>) => boolean) {
  for (let attempt = 0; attempt < 50; attempt++) {
    fleet.gateway.audit.flush();
    const text = await readFile(auditLog, 'utf8').catch(() => '');
    const line = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.kind === 'sign-in' && wanted(l));
    if (line) return line;
    await sleep(100);
  }
  assert.fail('no such sign-in in the audit log');
}

describe('OIDC sign-in against a real OpenID provider', () => {
  test('the authorization-code flow with PKCE signs carol in, with her groups from the groups claim', async () => {
    const { token, principal } = await signIn('carol');
    assert.match(token, /^fgt\./);
    assert.equal(principal.name, 'carol@example.test');
    assert.deepEqual(principal.groups, ['platform', 'oncall']);
    assert.equal(principal.isAdmin, true, 'oncall is an admin group');
    const user = await whoami(token);
    assert.equal(user.username, 'oidc:carol@example.test');
    assert.deepEqual(user.groups, ['oidc:platform', 'oidc:oncall', 'system:authenticated']);
  });

  test('downstream RBAC bound to a provider group applies to its members only', async () => {
    await cluster.kubectlOk('admin', ['create', 'namespace', 'platform']);
    const carol = await signIn('carol');
    const dave = await signIn('dave');
    assert.equal(await listPods(carol.token), 403);
    await cluster.kubectlOk('admin', [
      'create',
      'rolebinding',
      'platform-view',
      '-n',
      'platform',
      '--clusterrole=view',
      '--group=oidc:platform',
    ]);
    assert.equal(await listPods(carol.token), 200);
    assert.equal(await listPods(dave.token), 403);
  });

  test("the provider's ID token is accepted as a bearer token, and a forged one is not", async () => {
    const { idToken } = await signIn('carol');
    const user = await whoami(idToken);
    assert.equal(user.username, 'oidc:carol@example.test');
    const [header, payload] = idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, groups: ['system:masters'] })).toString(
      'base64url',
    );
    assert.equal(await listPods(`${header}.${forgedPayload}.${idToken.split('.')[2]}`), 401);
  });

  test('an ID token listing several audiences is accepted only when its authorized party (azp) is the gateway', async () => {
    const { idToken } = await signIn('carol');
    const claims = JSON.parse(
      Buffer.from(idToken.split('.')[1] as string, 'base64url').toString(),
    ) as JWTPayload;
    // The provider's own key signs what a provider serving several clients issues.
    const issued = (extra: JWTPayload) =>
      new SignJWT({ ...claims, ...extra })
        .setProtectedHeader({ alg: 'RS256', kid: PROVIDER_KEY_ID })
        .sign(providerKey);
    const status = async (token: string) => (await gatewayWhoami(token)).status;
    assert.equal(await status(await issued({})), 200, 'the sign-in token itself, signed again');
    assert.equal(await status(await issued({ aud: ['other-app', 'fleetgate'], azp: 'fleetgate' })), 200);
    assert.equal(await status(await issued({ aud: ['other-app', 'fleetgate'], azp: 'other-app' })), 401);
    assert.equal(await status(await issued({ aud: ['other-app', 'fleetgate'] })), 401);
    const refused = await gatewayRequest(
      `${fleet.gateway.url}/k8s/clusters/${fleet.clusterId}/api/v1/namespaces/platform/pods`,
      {
        caPem: fleet.gateway.caPem,
        headers: {
          authorization: `Bearer ${await issued({ aud: ['other-app', 'fleetgate'], azp: 'other-app' })}`,
        },
      },
    );
    assert.equal(refused.status, 401);
    assert.match(refused.text, /authorized party \(azp\) is not this gateway/);
  });

  test('a callback with an unknown state is refused', async () => {
    const answer = await gatewayRequest(`${fleet.gateway.url}/v1/auth/oidc/callback?code=x&state=forged`, {
      caPem: fleet.gateway.caPem,
    });
    assert.equal(answer.status, 401);
    assert.match(answer.text, /unknown or expired sign-in state/);
  });

  test('logout revokes the session token and points to the provider’s logout', async () => {
    const { token } = await signIn('dave');
    const answer = await gatewayRequest(`${fleet.gateway.url}/v1/auth/logout`, {
      method: 'POST',
      caPem: fleet.gateway.caPem,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(answer.status, 200);
    const body = JSON.parse(answer.text) as { revoked: boolean; logoutUrl: string | null };
    assert.equal(body.revoked, true);
    assert.ok(body.logoutUrl?.startsWith(issuer), String(body.logoutUrl));
    assert.equal(await listPods(token), 401);
  });

  test('an unverified email is refused as a user name, with a clear error, audited as a failed sign-in', async () => {
    const answer = await signInAnswer('erin');
    assert.equal(answer.status, 401);
    assert.match(answer.text, /email.*not verified/);
    const line = await auditedSignIn((l) => /not verified/.test(String(l.reason)));
    assert.equal(line.outcome, 'failure');
    assert.equal(line.provider, 'oidc');
  });

  test('a sign-in whose group names no header can carry is refused with a clear error', async () => {
    const answer = await signInAnswer('heidi');
    assert.equal(answer.status, 401);
    assert.match(answer.text, /no header can carry/);
  });

  test('removal from an admin group takes effect within the refresh interval, for the session and every token made with it', async () => {
    const grace = await signIn('grace');
    assert.equal(grace.principal.isAdmin, true);
    const { apiToken, kubeconfigToken } = await tokensMadeWith(grace.token, 30 * 24 * 3600);
    assert.equal((await gatewayWhoami(apiToken)).principal?.isAdmin, true);
    (PEOPLE.grace as { groups: string[] }).groups = ['platform'];
    await sleep(REFRESH_SECONDS * 1000 + 500);
    for (const token of [grace.token, apiToken, kubeconfigToken]) {
      const { status, principal } = await gatewayWhoami(token);
      assert.equal(status, 200);
      assert.equal(principal?.isAdmin, false);
      assert.deepEqual(principal?.groups, ['platform']);
    }
  });

  test('a person the provider no longer vouches for loses the sign-in: its tokens stop working', async () => {
    const ivan = await signIn('ivan');
    const { apiToken } = await tokensMadeWith(ivan.token, 3600);
    delete PEOPLE.ivan;
    await sleep(REFRESH_SECONDS * 1000 + 500);
    assert.equal((await gatewayWhoami(ivan.token)).status, 401);
    assert.equal((await gatewayWhoami(apiToken)).status, 401);
  });

  test('tokens made while signed in through OIDC live no longer than the sign-in and end with it at logout', async () => {
    const judy = await signIn('judy');
    const { apiToken, apiExpiresAt, kubeconfigToken } = await tokensMadeWith(judy.token, 365 * 24 * 3600);
    assert.ok(apiExpiresAt <= judy.expiresAt, `${apiExpiresAt} outlives the sign-in's ${judy.expiresAt}`);
    assert.equal((await gatewayWhoami(kubeconfigToken)).status, 200);
    const logout = await gatewayRequest(`${fleet.gateway.url}/v1/auth/logout`, {
      method: 'POST',
      caPem: fleet.gateway.caPem,
      headers: { authorization: `Bearer ${judy.token}` },
    });
    assert.equal(logout.status, 200);
    assert.equal((await gatewayWhoami(apiToken)).status, 401);
    assert.equal((await gatewayWhoami(kubeconfigToken)).status, 401);
  });

  test('an ID token mints no gateway tokens, and is refused once older than the refresh interval', async () => {
    const { idToken } = await signIn('dave');
    const minted = await gatewayRequest(`${fleet.gateway.url}/v1/tokens`, {
      method: 'POST',
      caPem: fleet.gateway.caPem,
      headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 3600 }),
    });
    assert.equal(minted.status, 403, minted.text);
    await sleep(REFRESH_SECONDS * 1000 + 1500);
    assert.equal((await gatewayWhoami(idToken)).status, 401);
  });
});
