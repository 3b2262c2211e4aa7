import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { SignInSession } from '../auth/api-tokens.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { OpenConnections } from '../auth/open-connections.ts';
import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';

/** Subscriptions one graphql-ws socket may hold at once. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 100;
/** Subscriptions one person may hold at once, over all their sockets. */
export const MAX_SUBSCRIPTIONS_PER_PERSON = 500;
/** graphql-ws's code for a socket whose credential no longer holds (its "Forbidden"). */
export const REVOKED_CLOSE_CODE = 4403;

/** What the gateway keeps on each graphql-ws connection. */
export type SocketState = {
  readonly socket: WebSocket;
  /** The connection the WebSocket runs on, which shared deliveries write to (text-frames.ts). */
  transport?: Duplex;
  principal?: Principal;
  /** The OIDC sign-in the credential belongs to, if any (tokens made on the socket end with it). */
  session?: SignInSession;
  authorization?: string;
  forget?: () => void;
};

/** The parts of a graphql-ws connection context the guard reads. */
export interface GuardedConnection {
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  readonly subscriptions: Readonly<Record<string, unknown>>;
  readonly extra: SocketState;
}

export interface SocketLimits {
  readonly perSocket?: number;
  readonly perPerson?: number;
}

/**
 * Who may hold graphql-ws sockets and how many subscriptions: authenticates a socket when it
 * connects and again before each operation (a revoked or expired credential gets an error
 * and its socket closed), closes sockets whose credential is revoked or expires while they
 * are open, and caps subscriptions per socket and per person.
 */
export class SocketGuard {
  readonly #authenticator: Authenticator;
  readonly #openConnections: OpenConnections;
  readonly #perSocket: number;
  readonly #perPerson: number;
  readonly #socketsOf = new Map<string, Set<GuardedConnection>>();

  constructor(authenticator: Authenticator, openConnections: OpenConnections, limits: SocketLimits = {}) {
    this.#authenticator = authenticator;
    this.#openConnections = openConnections;
    this.#perSocket = limits.perSocket ?? MAX_SUBSCRIPTIONS_PER_SOCKET;
    this.#perPerson = limits.perPerson ?? MAX_SUBSCRIPTIONS_PER_PERSON;
  }

  /** graphql-ws onConnect: false refuses the socket (4403). */
  async connect(connection: GuardedConnection): Promise<boolean> {
    const authorization = connection.connectionParams?.authorization;
    if (typeof authorization !== 'string') return false;
    const auth = await this.#authenticator.authenticate(authorization);
    if (!auth.ok) return false;
    const state = connection.extra;
    // Closed while we were authenticating: onClose has run already, so nothing may be kept.
    if (state.socket.readyState !== state.socket.OPEN) return false;
    state.principal = auth.principal;
    state.session = auth.session;
    state.authorization = authorization;
    // Its subscriptions were decided by who the person is now: a change of their groups or
    // admin right ends the socket, and they subscribe again as who they have become.
    state.forget = this.#openConnections.track(
      authorization,
      (reason) => state.socket.close(REVOKED_CLOSE_CODE, reason.slice(0, 120)),
      auth.principal,
    );
    this.#sockets(auth.principal.principalId).add(connection);
    return true;
  }

  /**
   * graphql-ws onSubscribe: the credential is checked against its live state before every
   * operation, then the caps. Throws the refusal; a refused credential also closes the socket.
   */
  async admit(connection: GuardedConnection): Promise<Principal> {
    const state = connection.extra;
    const auth = await this.#authenticator.authenticate(state.authorization);
    if (!auth.ok) {
      setImmediate(() =>
        state.socket.close(REVOKED_CLOSE_CODE, `Unauthorized: ${auth.reason}`.slice(0, 120)),
      );
      throw new GatewayError('UNAUTHENTICATED', `Unauthenticated: ${auth.reason}`);
    }
    state.principal = auth.principal; // groups and admin rights as they are now
    state.session = auth.session;
    // graphql-ws records an operation before asking us: this one is counted already.
    const onSocket = Object.keys(connection.subscriptions).length;
    if (onSocket > this.#perSocket)
      throw new GatewayError(
        'TOO_MANY_REQUESTS',
        `at most ${this.#perSocket} operations at once on one connection`,
      );
    let ofPerson = 0;
    for (const other of this.#sockets(auth.principal.principalId))
      ofPerson += Object.keys(other.subscriptions).length;
    if (ofPerson > this.#perPerson)
      throw new GatewayError('TOO_MANY_REQUESTS', `at most ${this.#perPerson} operations at once per person`);
    return auth.principal;
  }

  /** graphql-ws onClose. */
  disconnect(connection: GuardedConnection): void {
    const state = connection.extra;
    state.forget?.();
    const principalId = state.principal?.principalId;
    if (principalId === undefined) return;
    const sockets = this.#socketsOf.get(principalId);
    sockets?.delete(connection);
    if (sockets?.size === 0) this.#socketsOf.delete(principalId);
  }

  #sockets(principalId: string): Set<GuardedConnection> {
    let sockets = this.#socketsOf.get(principalId);
    if (!sockets) {
      sockets = new Set();
      this.#socketsOf.set(principalId, sockets);
    }
    return sockets;
  }
}
