// Test people and clients for a gateway running in the test process.
import { type Client, createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { localPrincipal } from '../../src/auth/local-users.ts';
import type { Gateway } from '../../src/gateway.ts';

/** An API token for the bootstrap admin and one for a new local user alice (with `groups`). */
export async function adminAndAlice(
  gateway: Gateway,
  groups: string[] = [],
): Promise<{ adminToken: string; aliceToken: string }> {
  const admin = gateway.users.get('admin');
  if (!admin) throw new Error('the gateway has no admin');
  const issue = async (user: Parameters<typeof localPrincipal>[0]) =>
    (
      await gateway.tokens.create(localPrincipal(user), {
        kind: 'api',
        description: 'test',
        ttlSeconds: 3600,
      })
    ).token;
  const alice = await gateway.users.create('alice', 'alice-password-123456', false, groups);
  return { adminToken: await issue(admin), aliceToken: await issue(alice) };
}

/** A graphql-ws client that trusts the gateway's CA; `sockets` lets a test stall one like a slow reader. */
export function graphqlWsClient(
  gateway: Pick<Gateway, 'url' | 'caPem'>,
  token: string,
  /** How the client names its operations (graphql-ws: a random UUID each). */
  generateID?: () => string,
): { client: Client; sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  const caPem = gateway.caPem;
  const client = createClient({
    url: `${gateway.url.replace('https', 'wss')}/graphql`,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { ca: caPem });
        sockets.push(this);
      }
    },
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    ...(generateID ? { generateID } : {}),
  });
  return { client, sockets };
}
