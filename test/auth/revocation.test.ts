// Security round 2, row 1: revocation and expiry reach every open connection.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { localPrincipal } from '../../src/auth/local-users.ts';
import type { Gateway } from '../../src/gateway.ts';
import { graphqlWsClient } from '../graphql/people.ts';
import type { TestCluster } from '../harness/index.ts';
import { writeKubeconfig } from '../harness/kubeconfig.ts';
import { kubectlBinary } from '../harness/kubectl.ts';
import {
  type InProcessAgent,
  type OneClusterFleet,
  startOneClusterFleet,
} from '../tunnel/in-process-fleet.ts';

let fleet: OneClusterFleet;
let cluster: TestCluster;
let gateway: Gateway;
let agent: InProcessAgent;

before(async () => {
  fleet = await startOneClusterFleet('revoke');
  ({ cluster, gateway, agent } = fleet);
  await cluster.kubectlOk('admin', ['create', 'namespace', 'work']);
  // A pod to watch: kubectl prints its table header once the list is done and the watch starts.
  await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
    stdin: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'watched', namespace: 'work' },
      spec: { containers: [{ name: 'main', image: 'registry.invalid/watched:1' }] },
    }),
  });
  await cluster.kubectlOk('admin', [
    'create',
    'rolebinding',
    'people-view',
    '-n',
    'work',
    '--clusterrole=view',
    '--group=local:people',
  ]);
});

after(async () => {
  await fleet?.stop();
});

let people = 0;
/** A new local person in the group `people`, and an API token of theirs. */
async function newPerson(ttlSeconds = 3600): Promise<{ principalId: string; token: string }> {
  const user = await gateway.users.create(`person-${++people}`, 'person-password-123456', false, ['people']);
  const principal = localPrincipal(user);
  const { token } = await gateway.tokens.create(principal, { kind: 'api', description: 'test', ttlSeconds });
  return { principalId: principal.principalId, token };
}

/** kubectl get pods -w through the gateway as `token`; resolves with when it exited. */
async function watchPods(
  token: string,
): Promise<{ child: ChildProcess; exited: Promise<number>; output: () => string }> {
  const kubeconfig = join(fleet.run.runDir, `watch-${people}.kubeconfig`);
  await writeKubeconfig(kubeconfig, {
    clusterName: 'revoke',
    server: `${gateway.url}/k8s/clusters/${agent.clusterId}`,
    caPem: gateway.caPem ?? '',
    userName: 'person',
    token,
  });
  const child = spawn(kubectlBinary, ['--kubeconfig', kubeconfig, 'get', 'pods', '-n', 'work', '-w'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
  return { child, exited, output: () => output };
}

/** Resolves once kubectl has listed and started watching (it printed what it found). */
async function watching(watch: { output: () => string }): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!/NAME/.test(watch.output())) {
    if (Date.now() > deadline) throw new Error(`kubectl did not start watching: ${watch.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The list came first; give the watch request a moment to reach the gateway.
  await new Promise((resolve) => setTimeout(resolve, 500));
}

function closedWithin(socket: WebSocket, ms: number): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the socket is still open after ${ms} ms`)), ms);
    socket.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

describe('revocation and expiry reach open connections', () => {
  test('row 1: a revoked person cannot mint a token on a graphql-ws socket opened before, and the socket is closed within 5 s', async () => {
    const person = await newPerson();
    const { client, sockets } = graphqlWsClient(gateway, person.token);
    try {
      const first = await new Promise<unknown>((resolve, reject) =>
        client.subscribe(
          { query: '{ viewer { name } }' },
          { next: resolve, error: reject, complete: () => {} },
        ),
      );
      assert.deepEqual(first, { data: { viewer: { name: `person-${people}` } } });
      const socket = sockets[0] as WebSocket;
      const closed = closedWithin(socket, 5_000);
      const tokensBefore = gateway.tokens.list(person.principalId).length;
      await gateway.tokens.revokeAll(person.principalId);
      // On the still-open socket, the next operation is refused whatever arrives first.
      const minted = await new Promise<unknown>((resolve) =>
        client.subscribe(
          { query: 'mutation { createApiToken(description: "after revocation") { token } }' },
          { next: resolve, error: resolve, complete: () => resolve('completed without data') },
        ),
      );
      assert.doesNotMatch(JSON.stringify(minted), /fgt\./, 'no token was minted');
      const { code } = await closed;
      assert.equal(code, 4403);
      assert.equal(gateway.tokens.list(person.principalId).length, tokensBefore, 'no token was created');
    } finally {
      await client.dispose();
    }
  });

  test('row 1: kubectl get pods -w of a revoked token ends within 5 s', async () => {
    const person = await newPerson();
    const watch = await watchPods(person.token);
    try {
      await watching(watch);
      const revokedAt = Date.now();
      await gateway.tokens.revokeAll(person.principalId);
      const exitedAt = await Promise.race([
        watch.exited,
        new Promise<number>((_, reject) =>
          setTimeout(() => reject(new Error('kubectl still watching after 5 s')), 5_000),
        ),
      ]);
      assert.ok(exitedAt - revokedAt < 5_000, `ended ${exitedAt - revokedAt} ms after revocation`);
    } finally {
      watch.child.kill();
    }
  });

  test('row 1: kubectl get pods -w of a token that expires ends within 5 s of its expiry', async () => {
    const person = await newPerson(6);
    const expiresAt = Date.now() + 6_000;
    const watch = await watchPods(person.token);
    try {
      await watching(watch);
      const exitedAt = await Promise.race([
        watch.exited,
        new Promise<number>((_, reject) =>
          setTimeout(() => reject(new Error('kubectl still watching 5 s after expiry')), 11_000),
        ),
      ]);
      assert.ok(exitedAt - expiresAt < 5_000, `ended ${exitedAt - expiresAt} ms after expiry`);
    } finally {
      watch.child.kill();
    }
  });
});
