import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type AgentAuthentication, ClusterRegistry } from '../../src/clusters/cluster-registry.ts';
import { SqliteClusterRepository } from '../../src/clusters/sqlite-cluster-repository.ts';
import { openDatabase } from '../../src/store/database.ts';

/** A registry on a fresh database, with a clock the test moves. */
async function registryAt(start = Date.parse('2030-01-01T00:00:00Z')) {
  let now = start;
  const registry = new ClusterRegistry(
    new SqliteClusterRepository(openDatabase(await mkdtemp(join(tmpdir(), 'registry-')))),
    () => new Date(now),
  );
  return {
    registry,
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

function issued(auth: AgentAuthentication): string {
  assert.ok(auth.ok, `refused: ${auth.ok ? '' : auth.reason}`);
  assert.ok(auth.issuedCredential, 'no credential issued');
  return auth.issuedCredential;
}

function refusal(auth: AgentAuthentication): string {
  assert.equal(auth.ok, false, 'accepted');
  return auth.ok ? '' : auth.reason;
}

describe('a registration token is for installing only', () => {
  test('its first use mints a credential of the cluster; any later use is refused', async () => {
    const { registry } = await registryAt();
    const { cluster, token } = await registry.register('one');
    const credential = issued(await registry.authenticateAgent(token));
    assert.ok(credential.startsWith(`${cluster.clusterId}.agent.`));
    assert.equal(refusal(await registry.authenticateAgent(token)), 'registration token already used');
    const again = await registry.authenticateAgent(credential);
    assert.ok(again.ok);
    assert.equal(again.issuedCredential, undefined);
  });

  test('the install manifest check does not use the token up, and refuses a used one', async () => {
    const { registry } = await registryAt();
    const { token } = await registry.register('one');
    assert.ok(registry.checkRegistrationToken(token).ok);
    assert.ok(registry.checkRegistrationToken(token).ok);
    issued(await registry.authenticateAgent(token));
    assert.deepEqual(registry.checkRegistrationToken(token), {
      ok: false,
      reason: 'registration token already used',
    });
  });

  test('an expired token opens nothing, used or not', async () => {
    const { registry, advance } = await registryAt();
    const { token } = await registry.register('one', { tokenTtlSeconds: 60 });
    advance(61);
    assert.equal(refusal(await registry.authenticateAgent(token)), 'registration token expired');
  });

  test('a fresh token re-installs the agent: its exchange retires every earlier credential at once', async () => {
    const { registry } = await registryAt();
    const { cluster, token } = await registry.register('one');
    const first = issued(await registry.authenticateAgent(token));
    const firstHash = ((await registry.authenticateAgent(first)) as { credentialHash: string })
      .credentialHash;
    const fresh = await registry.rotateToken(cluster.clusterId, { graceSeconds: 3600 });
    const second = issued(await registry.authenticateAgent(fresh));
    assert.notEqual(second, first);
    assert.equal(refusal(await registry.authenticateAgent(first)), 'agent credential rotated out');
    assert.deepEqual(registry.credentialStanding(cluster.clusterId, firstHash), {
      valid: false,
      reason: 'agent credential rotated out',
    });
    // The old token, used already, stays refused within its grace.
    assert.equal(refusal(await registry.authenticateAgent(token)), 'registration token already used');
  });
});

describe('agent credentials', () => {
  test('a credential of cluster A opens nothing for cluster B', async () => {
    const { registry } = await registryAt();
    const a = await registry.register('a');
    const b = await registry.register('b');
    const ofA = issued(await registry.authenticateAgent(a.token));
    issued(await registry.authenticateAgent(b.token));
    const secretOfA = ofA.split('.agent.')[1];
    assert.equal(
      refusal(await registry.authenticateAgent(`${b.cluster.clusterId}.agent.${secretOfA}`)),
      'invalid agent credential',
    );
    // Nor is A's credential good as B's registration token.
    assert.equal(
      refusal(await registry.authenticateAgent(`${b.cluster.clusterId}.${secretOfA}`)),
      'invalid registration token',
    );
  });

  test('rotated with a grace: the old one holds tunnels until the grace ends, then opens nothing', async () => {
    const { registry, advance } = await registryAt();
    const { cluster, token } = await registry.register('one');
    const old = issued(await registry.authenticateAgent(token));
    const oldHash = ((await registry.authenticateAgent(old)) as { credentialHash: string }).credentialHash;
    const { minted, graceUntil } = await registry.rotateAgentCredential(cluster.clusterId, {
      graceSeconds: 60,
      mint: true,
    });
    assert.ok(minted);
    assert.equal(graceUntil, '2030-01-01T00:01:00.000Z');
    assert.deepEqual(registry.credentialStanding(cluster.clusterId, oldHash), {
      valid: true,
      graceUntilMs: Date.parse(graceUntil),
    });
    assert.deepEqual(registry.credentialStanding(cluster.clusterId, minted.credentialHash), { valid: true });
    // Within the grace the old one still opens a tunnel, and is not handed a new one
    // (the cluster has a current credential, which its agents hold).
    const within = await registry.authenticateAgent(old);
    assert.ok(within.ok);
    assert.equal(within.issuedCredential, undefined);
    advance(60);
    assert.equal(refusal(await registry.authenticateAgent(old)), 'agent credential rotated out');
    assert.equal(registry.credentialStanding(cluster.clusterId, oldHash).valid, false);
    assert.ok((await registry.authenticateAgent(minted.credential)).ok);
  });

  test('rotated while no agent was connected: the first agent back with the old one is handed the new one', async () => {
    const { registry } = await registryAt();
    const { cluster, token } = await registry.register('one');
    const old = issued(await registry.authenticateAgent(token));
    const { minted } = await registry.rotateAgentCredential(cluster.clusterId, {
      graceSeconds: 60,
      mint: false,
    });
    assert.equal(minted, undefined);
    const next = issued(await registry.authenticateAgent(old));
    assert.notEqual(next, old);
    // Only once: the cluster has a current credential again.
    const later = await registry.authenticateAgent(old);
    assert.ok(later.ok);
    assert.equal(later.issuedCredential, undefined);
    assert.ok((await registry.authenticateAgent(next)).ok);
  });

  test('a grace of 0 retires the old credential at once', async () => {
    const { registry } = await registryAt();
    const { cluster, token } = await registry.register('one');
    const old = issued(await registry.authenticateAgent(token));
    await registry.rotateAgentCredential(cluster.clusterId, { graceSeconds: 0, mint: true });
    assert.equal(refusal(await registry.authenticateAgent(old)), 'agent credential rotated out');
  });

  test('a negative or fractional grace is refused', async () => {
    const { registry } = await registryAt();
    const { cluster } = await registry.register('one');
    for (const graceSeconds of [-1, 0.5]) {
      await assert.rejects(
        () => registry.rotateAgentCredential(cluster.clusterId, { graceSeconds, mint: true }),
        /graceSeconds must be a whole number >= 0/,
      );
    }
  });
});
