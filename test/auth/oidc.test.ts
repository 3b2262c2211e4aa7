import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import Provider from 'oidc-provider';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { freePort } from '../harness/ports.ts';
import { type InProcessFleet, startInProcessFleet } from '../tunnel/in-process-fleet.ts';

// A real OpenID provider on loopback, and a gateway that signs people in with it.
let run: TestClusters;
let cluster: TestCluster;
let fleet: InProcessFleet;
let issuerServer: Server;
let issuer: string;

const PEOPLE: Record<string, { email: string; groups: string[] }> = {
  carol: { email: 'carol@example.test', groups: ['platform', 'oncall'] },
  dave: { email: 'dave@example.test', groups: [] },
};

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'oidc' });
  cluster = run.clusters[0] as TestCluster;
  const [issuerPort, gatewayPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${issuerPort}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'fleetgate',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`https://127.0.0.1:${gatewayPort}/v1/auth/oidc/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    // Put the requested claims in the ID token, as Kubernetes-style consumers expect.
    conformIdTokenClaims: false,
    cookies: { keys: ['test-cookie-key'] },
    findAccount: (_ctx: unknown, accountId: string) => {
      const person = PEOPLE[accountId];
      if (!person) return undefined;
      return { accountId, claims: () => ({ sub: accountId, email: person.email, groups: person.groups }) };
    },
  });
  issuerServer = provider.listen(issuerPort, '127.0.0.1');
  fleet = await startInProcessFleet(cluster, {
    port: gatewayPort,
    dangerouslyServeHttp: false,
    oidc: { issuer, clientId: 'fleetgate', adminGroups: ['oncall'], dangerouslyAllowHttpIssuer: true },
  });
});

after(async () => {
  await fleet?.stop();
  issuerServer?.close();
  await run?.stop();
});

/** Plays the browser: follows redirects, keeps cookies, fills in the provider's dev login and consent forms. */
async function signIn(
  accountId: string,
): Promise<{ token: string; idToken: string; principal: Record<string, unknown> }> {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const gatewayCa = fleet.gateway.caPem;
  let next: { url: string; method: string; body?: string } = {
    url: `${fleet.gateway.url}/v1/auth/oidc/login`,
    method: 'GET',
  };
  for (let hop = 0; hop < 20; hop++) {
    if (next.url.startsWith(fleet.gateway.url)) {
      const answer = await gatewayRequest(next.url, { caPem: gatewayCa });
      if (answer.status === 302) {
        next = { url: new URL(answer.headers.location as string, next.url).href, method: 'GET' };
        continue;
      }
      assert.equal(answer.status, 200, answer.text);
      return JSON.parse(answer.text);
    }
    const res = await fetch(next.url, {
      method: next.method,
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: next.body,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      cookies.set((pair ?? '').slice(0, eq), (pair ?? '').slice(eq + 1));
    }
    if (res.status >= 300 && res.status < 400) {
      next = { url: new URL(res.headers.get('location') as string, next.url).href, method: 'GET' };
      continue;
    }
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && prompt, `no form in:\n${html.slice(0, 500)}`);
    const fields: Record<string, string> =
      prompt === 'login' ? { prompt, login: accountId, password: 'any' } : { prompt };
    next = {
      url: new URL(action, next.url).href,
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
    };
  }
  throw new Error('sign-in did not finish within 20 redirects');
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
});
