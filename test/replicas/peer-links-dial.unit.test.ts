import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAILED_DIAL_HOLD_MS, PeerLinks } from '../../src/replicas/peer-links.ts';
import type { ReplicaMembership } from '../../src/replicas/replica-membership.ts';
import { createLogger } from '../../src/shared/log/logger.ts';

// A peer that is in the live set but does not answer (a replica killed before its Lease
// expired): every connection to it is cut at once.
let dials = 0;
const deadPeer: Server = createServer((socket) => {
  dials += 1;
  socket.destroy();
});
await new Promise<void>((resolve) => deadPeer.listen(0, '127.0.0.1', resolve));
const { port } = deadPeer.address() as { port: number };

after(() => deadPeer.close());

// The replica set as the Leases would give it: this replica and the dead one.
const membership = {
  replicaId: 'r1',
  live: () => [{ replicaId: 'r2', peerAddress: `http://127.0.0.1:${port}`, renewedAt: new Date() }],
} as unknown as ReplicaMembership;

describe('peer links', () => {
  test('a failed dial answers the requests of the next second without dialling again, then the peer is dialled anew', async () => {
    const links = new PeerLinks({
      membership,
      holderOf: () => 'r2',
      secret: 'peer secret',
      caPem: undefined,
      log: createLogger('test', 'silent'),
    });
    try {
      await assert.rejects(links.linkTo('r2'));
      const soon = await Promise.allSettled(Array.from({ length: 5 }, () => links.sessionFor('cluster-a')));
      assert.ok(soon.every((answer) => answer.status === 'rejected'));
      assert.equal(dials, 1);
      await sleep(FAILED_DIAL_HOLD_MS + 200);
      await assert.rejects(links.linkTo('r2'));
      assert.equal(dials, 2);
    } finally {
      links.close();
    }
  });
});
