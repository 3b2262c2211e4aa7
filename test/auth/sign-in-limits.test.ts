import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SIGN_IN_LIMITS } from '../../src/auth/sign-in-limiter.ts';
import type { Gateway } from '../../src/gateway.ts';
import { type GatewayAnswer, gatewayRequest } from '../harness/gateway-http.ts';
import { startInProcessGateway } from '../tunnel/in-process-fleet.ts';

// A real gateway (no cluster needed): local sign-in and HTTP Basic against its limits.
const gateways: Gateway[] = [];
const PASSWORD = 'a long enough password';

after(async () => {
  for (const gateway of gateways) await gateway.close();
});

async function gatewayWithUser(username: string) {
  const auditLog = join(await mkdtemp(join(tmpdir(), 'fleetgate-limits-')), 'audit.log');
  // The first refusal lasts 1 s by default: a password check slowed by a loaded machine could
  // outlast it between two requests. A longer first block keeps the test about the counting.
  const gateway = await startInProcessGateway({
    auditLog,
    signInLimits: { ...SIGN_IN_LIMITS, firstBlockMs: 120_000 },
  });
  gateways.push(gateway);
  await gateway.users.create(username, PASSWORD, false);
  return { gateway, auditLog };
}

function login(gateway: Gateway, username: string, password: string): Promise<GatewayAnswer> {
  return gatewayRequest(`${gateway.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

function basic(gateway: Gateway, username: string, password: string): Promise<GatewayAnswer> {
  return gatewayRequest(`${gateway.url}/v1/auth/whoami`, {
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
  });
}

/** The audit log's sign-in lines. */
async function signInLines(gateway: Gateway, auditLog: string): Promise<Record<string, unknown>[]> {
  gateway.audit.flush();
  await sleep(200);
  return (await readFile(auditLog, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.kind === 'sign-in');
}

function assertTooMany(answer: GatewayAnswer): void {
  assert.equal(answer.status, 429, answer.text);
  assert.match(String(answer.headers['retry-after']), /^[1-9][0-9]*$/);
  assert.match(answer.text, /too many failed sign-ins/);
}

describe('sign-in limits', () => {
  test('repeated wrong passwords for one user name are answered 429 with Retry-After, even with the right password, and each refusal is audited', async () => {
    const { gateway, auditLog } = await gatewayWithUser('alice');
    for (let i = 0; i < SIGN_IN_LIMITS.userFailures; i++)
      assert.equal((await login(gateway, 'alice', `wrong ${i}`)).status, 401);
    assertTooMany(await login(gateway, 'alice', PASSWORD));
    assertTooMany(await login(gateway, 'alice', 'wrong again'));
    const refusals = (await signInLines(gateway, auditLog)).filter((line) =>
      /too many failed sign-ins/.test(String(line.reason)),
    );
    assert.equal(refusals.length, 2);
    assert.equal(refusals[0]?.outcome, 'failure');
    assert.equal(refusals[0]?.principal, 'alice');
  });

  test('HTTP Basic on the API counts against the same limits as the sign-in route', async () => {
    const { gateway } = await gatewayWithUser('bob');
    assert.equal((await basic(gateway, 'bob', PASSWORD)).status, 200);
    for (let i = 0; i < SIGN_IN_LIMITS.userFailures; i++)
      assert.equal((await basic(gateway, 'bob', `wrong ${i}`)).status, 401);
    assertTooMany(await basic(gateway, 'bob', 'wrong again'));
    assertTooMany(await login(gateway, 'bob', PASSWORD));
  });

  test('a burst of concurrent wrong passwords cannot outrun the limit', async () => {
    const { gateway } = await gatewayWithUser('carol');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => basic(gateway, 'carol', `wrong ${i}`)),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.equal(statuses.filter((s) => s === 401).length, SIGN_IN_LIMITS.userFailures);
    assert.equal(statuses.filter((s) => s === 429).length, 20 - SIGN_IN_LIMITS.userFailures);
  });

  test('one source address is refused after failures across many user names', async () => {
    const { gateway } = await gatewayWithUser('dave');
    for (let i = 0; i < SIGN_IN_LIMITS.addressFailures; i++)
      assert.equal((await login(gateway, `nobody-${i}`, 'wrong')).status, 401);
    const refused = await login(gateway, 'dave', PASSWORD);
    assertTooMany(refused);
    assert.match(refused.text, /address/);
  });
});
