import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

const main = new URL('../../agent/main.ts', import.meta.url).pathname;

/** Runs the agent program until it exits (each case here fails before it connects). */
function agent(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('row 8: the agent sends its registration token over http:// only when told to, dangerously', () => {
  test('an http:// gateway URL is refused with a clear error', () => {
    const run = agent(['--gateway-url', 'http://gateway.example.com']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /http:\/\/, which would send the registration token in clear text/);
    assert.match(run.stderr, /--dangerously-allow-http-gateway/);
  });

  test('the environment variable may only be true or false', () => {
    const run = agent(['--gateway-url', 'http://gateway.example.com'], {
      FLEETGATE_DANGEROUSLY_ALLOW_HTTP_GATEWAY: 'yes',
    });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /FLEETGATE_DANGEROUSLY_ALLOW_HTTP_GATEWAY must be true or false/);
  });

  test('with the flag or its environment variable, an http:// URL gets past the check', () => {
    for (const run of [
      agent(['--gateway-url', 'http://127.0.0.1:1', '--dangerously-allow-http-gateway']),
      agent(['--gateway-url', 'http://127.0.0.1:1'], { FLEETGATE_DANGEROUSLY_ALLOW_HTTP_GATEWAY: 'true' }),
    ]) {
      assert.equal(run.status, 2);
      assert.match(run.stderr, /a registration token is required/, 'the next check is the token');
    }
  });

  test('an https:// URL needs no flag, and --help says how http:// is allowed', () => {
    assert.match(agent(['--gateway-url', 'https://127.0.0.1:1']).stderr, /a registration token is required/);
    const help = agent(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--dangerously-allow-http-gateway/);
    assert.match(help.stdout, /clear\s+text/);
  });
});
