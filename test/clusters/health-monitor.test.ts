import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { afterEach, describe, mock, test } from 'node:test';
import type { Cluster } from '../../src/clusters/cluster.ts';
import type { ClusterConnections } from '../../src/clusters/cluster-connections.ts';
import type { ClusterRegistry } from '../../src/clusters/cluster-registry.ts';
import { HEALTH_SLICES, HealthMonitor } from '../../src/clusters/health-monitor.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { createLogger } from '../../src/shared/log/logger.ts';

const INTERVAL_MS = 1_500;
const SLICE_MS = INTERVAL_MS / HEALTH_SLICES;

function activeCluster(index: number): Cluster {
  return {
    clusterId: `cluster-${index}`,
    name: `c${index}`,
    state: 'Active',
    stateReason: 'agent connected',
    stateChangedAt: '2026-01-01T00:00:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    kubernetesVersion: 'v1.35.4',
    agentVersion: 'test',
    lastConnectedAt: '2026-01-01T00:00:00.000Z',
    health: 'ok',
    healthCheckedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** A monitor over `count` Active clusters whose checks are only counted. */
function monitorOf(count: number, connected: (clusterId: string) => boolean = () => true) {
  const clusters = Array.from({ length: count }, (_, i) => activeCluster(i));
  const asked: string[] = [];
  const registry = { list: () => clusters, recordHealth: () => {} } as unknown as ClusterRegistry;
  const connections = Object.assign(new EventEmitter(), {
    sessionCount: (clusterId: string) => (connected(clusterId) ? 1 : 0),
  }) as unknown as ClusterConnections;
  // A transport that answers every /readyz at once: this test is about when checks are made.
  const client = new KubeClient({
    send: async (clusterId: string) => {
      asked.push(clusterId);
      return { status: 200, headers: [], body: Readable.from([]) as unknown as Duplex };
    },
  });
  const monitor = new HealthMonitor(
    registry,
    connections,
    client,
    createLogger('test', 'silent'),
    INTERVAL_MS,
  );
  return { monitor, asked };
}

describe('health monitor', () => {
  afterEach(() => mock.timers.reset());

  test('spreads each interval’s checks evenly over the interval, each cluster once', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    const { monitor, asked } = monitorOf(300);
    const perSlice: number[] = [];
    for (let slice = 0; slice < HEALTH_SLICES; slice++) {
      const before = asked.length;
      mock.timers.tick(SLICE_MS);
      perSlice.push(asked.length - before);
    }
    monitor.stop();
    assert.deepEqual(perSlice, Array(HEALTH_SLICES).fill(300 / HEALTH_SLICES));
    assert.equal(new Set(asked).size, 300);
  });

  test('skips a cluster whose tunnel closed since the interval began', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    const { monitor, asked } = monitorOf(30, (clusterId) => clusterId !== 'cluster-29');
    for (let slice = 0; slice < HEALTH_SLICES; slice++) mock.timers.tick(SLICE_MS);
    monitor.stop();
    assert.equal(asked.length, 29);
    assert.ok(!asked.includes('cluster-29'));
  });
});
