import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LivenessWatch } from '../../../src/shared/tunnel/liveness.ts';
import { holdEventLoop } from './hold-event-loop.ts';

function watch(heartbeatMs: number, livenessMs: number) {
  const seen = { pings: 0, deaths: [] as { reason: string; atMs: number }[] };
  const startedAt = performance.now();
  const liveness = new LivenessWatch(
    {
      ping: () => seen.pings++,
      dead: (reason) => seen.deaths.push({ reason, atMs: performance.now() - startedAt }),
    },
    heartbeatMs,
    livenessMs,
  );
  return { liveness, seen };
}

describe('liveness watch', () => {
  test('a peer heard from keeps the tunnel, and is pinged every heartbeat', async () => {
    const { liveness, seen } = watch(100, 1000);
    for (let i = 0; i < 12; i++) {
      await sleep(50);
      liveness.heard();
    }
    liveness.stop();
    assert.deepEqual(seen.deaths, []);
    assert.ok(seen.pings >= 3, `${seen.pings} pings`);
  });

  test('a silent peer is declared dead once, after the liveness timeout and not before', async () => {
    const { liveness, seen } = watch(100, 300);
    while (seen.deaths.length === 0) await sleep(20);
    await sleep(200);
    liveness.stop();
    assert.equal(seen.deaths.length, 1);
    assert.equal(seen.deaths[0]?.reason, 'no sign of life for 300 ms');
    assert.ok((seen.deaths[0]?.atMs ?? 0) > 300, `declared dead after ${seen.deaths[0]?.atMs} ms`);
  });

  test('stopping it clears its timers: no verdict comes after', async () => {
    const { liveness, seen } = watch(100, 150);
    liveness.stop();
    await sleep(400);
    assert.deepEqual(seen, { pings: 0, deaths: [] });
  });

  test('how long this side was held lately is reported when it stops, and nothing when it kept time', async () => {
    const kept = watch(1000, 60_000);
    await sleep(100);
    assert.equal(kept.liveness.stop(), undefined);

    const held = watch(1000, 60_000);
    await holdEventLoop(1500);
    await sleep(10);
    const stallMs = held.liveness.stop();
    assert.ok(stallMs !== undefined && stallMs >= 900 && stallMs <= 5000, `held ${stallMs} ms`);
  });
});
