import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { browserSignIn, type ProviderPerson, startOidcProvider } from '../auth/oidc-provider.ts';
import { GatewayProcess } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { freePort } from '../harness/ports.ts';
import { kubernetesStoreArgs, within } from './replica-fleet.ts';

// Two replicas behind what plays a load balancer that sends the provider's callback to the
// other replica: replica 1's public URL is replica 2's, so a sign-in started on replica 1
// comes back to replica 2.
let run: TestClusters;
let issuerServer: Server;
let first: GatewayProcess;
let second: GatewayProcess;

const PEOPLE: Record<string, ProviderPerson> = {
  olivia: { email: 'olivia@example.test', groups: ['platform'] },
};

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'roidc' });
  const management = run.clusters[0] as TestCluster;
  const [issuerPort, secondPort] = [await freePort(), await freePort()];
  const secondUrl = `https://127.0.0.1:${secondPort}`;
  let issuer: string;
  ({ issuer, server: issuerServer } = startOidcProvider({
    port: issuerPort,
    redirectUris: [`${secondUrl}/v1/auth/oidc/callback`],
    people: PEOPLE,
  }));
  const oidcArgs = ['--oidc-issuer', issuer, '--oidc-client-id', 'fleetgate'];
  const dir = join(run.runDir, 'oidc-replicas');
  await mkdir(dir, { recursive: true });
  [first, second] = await Promise.all([
    GatewayProcess.start({
      dir,
      name: 'replica-1',
      args: [
        ...kubernetesStoreArgs(management, 'replica-1', 'fleetgate-system'),
        ...oidcArgs,
        '--public-url',
        secondUrl,
      ],
    }),
    GatewayProcess.start({
      dir,
      name: 'replica-2',
      port: secondPort,
      args: [...kubernetesStoreArgs(management, 'replica-2', 'fleetgate-system'), ...oidcArgs],
    }),
  ]);
});

after(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  issuerServer?.close();
  await run?.stop();
});

const gatewayCa = () => ({
  [new URL(first.url).origin]: first.caPem,
  [new URL(second.url).origin]: second.caPem,
});

async function whoamiStatus(gateway: GatewayProcess, token: string): Promise<number> {
  return (await gateway.request('/v1/auth/whoami', { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('OIDC sign-in across replicas', () => {
  test('a sign-in started on replica 1 finishes on replica 2, and its tokens work on both until logout on one', async () => {
    const answer = await browserSignIn({
      startUrl: `${first.url}/v1/auth/oidc/login`,
      accountId: 'olivia',
      gatewayCa: gatewayCa(),
    });
    assert.equal(answer.status, 200, answer.text);
    assert.ok(answer.callbackUrl?.startsWith(second.url), `the callback went to ${answer.callbackUrl}`);
    const { token, principal } = JSON.parse(answer.text) as { token: string; principal: { name: string } };
    assert.equal(principal.name, 'olivia@example.test');
    await within(
      'replica 1 knows the session token',
      2_000,
      async () => (await whoamiStatus(first, token)) === 200,
    );
    // An API token made on replica 1 under the sign-in made on replica 2.
    const made = await first.request('/v1/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'script' }),
    });
    assert.equal(made.status, 201, made.text);
    const apiToken = (JSON.parse(made.text) as { token: string }).token;
    await within(
      'replica 2 knows the API token',
      2_000,
      async () => (await whoamiStatus(second, apiToken)) === 200,
    );
    // Logging out on replica 1 ends the sign-in everywhere: its tokens stop on replica 2 too.
    const logout = await first.request('/v1/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(logout.status, 200, logout.text);
    await within('replica 2 refuses the API token of the ended sign-in', 2_000, async () => {
      return (await whoamiStatus(second, apiToken)) === 401;
    });
  });

  test('the provider callback of a sign-in is taken once: replayed on the other replica it is refused', async () => {
    const answer = await browserSignIn({
      startUrl: `${first.url}/v1/auth/oidc/login`,
      accountId: 'olivia',
      gatewayCa: gatewayCa(),
    });
    assert.equal(answer.status, 200, answer.text);
    const callback = new URL(answer.callbackUrl as string);
    const replay = await first.request(`${callback.pathname}${callback.search}`);
    assert.equal(replay.status, 401, replay.text);
    assert.match(replay.text, /unknown or expired sign-in state/);
  });
});
