import type { RequestOptions } from 'node:https';

/** TLS material for connections to the apiserver: the same object for as long as it does not change. */
export interface ApiserverTls {
  readonly ca: Buffer | string | undefined;
  readonly cert: Buffer | string | undefined;
  readonly key: Buffer | string | undefined;
  /** The kubeconfig's `tls-server-name`: sent as SNI and checked against the certificate. */
  readonly servername: string | undefined;
}

/** What the agent adds to each request to its apiserver. */
export interface ApiserverCredentials {
  /** The `Authorization` header value, if the user has a token, a plugin or a password. */
  readonly authorization: string | undefined;
  readonly tls: ApiserverTls;
}

/**
 * Token files and certificate files are read again at most this often (client-go and
 * client-node re-read token files once a minute; projected ServiceAccount tokens rotate).
 */
export const CREDENTIAL_REREAD_MS = 60_000;
/** An exec plugin's credential is replaced this long before it expires, at most. */
export const EXEC_REFRESH_AHEAD_MS = 60_000;
/** No two refreshes start closer than this, whatever a plugin or the apiserver says. */
export const MIN_REFRESH_GAP_MS = 5_000;

function sameBytes(a: Buffer | string | undefined, b: Buffer | string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(a).equals(Buffer.from(b));
}

function sameTls(a: ApiserverTls, b: ApiserverTls): boolean {
  return (
    a.servername === b.servername &&
    sameBytes(a.ca, b.ca) &&
    sameBytes(a.cert, b.cert) &&
    sameBytes(a.key, b.key)
  );
}

/** What one load of the credentials found. */
export interface LoadedCredentials {
  /** TLS material and the Authorization header, as node:https options. */
  readonly options: RequestOptions;
  /** When the credential expires (an exec plugin's), if it says. */
  readonly expiresAt?: number;
}

function authorizationOf(options: RequestOptions): string | undefined {
  const header = (options.headers as Record<string, unknown> | undefined)?.Authorization;
  // client-node's FileAuth keeps a token file's trailing newline.
  if (typeof header === 'string' && header.trim()) return header.trim();
  if (typeof options.auth === 'string') return `Basic ${Buffer.from(options.auth).toString('base64')}`;
  return undefined;
}

/** What the credential source needs to know of its configuration. */
export interface CredentialSourceOptions {
  /** Names the configuration in error messages ("kubeconfig /path", "in-cluster configuration"). */
  readonly source: string;
  /** Reads the credentials afresh (token files again, an exec plugin run again). */
  readonly load: () => Promise<LoadedCredentials>;
  /** Whether the user's credential comes from an exec plugin (refreshed by its expiry, not by the clock). */
  readonly exec: boolean;
}

/**
 * The agent's current credentials for its apiserver, kept ready for the hot path: each
 * request takes them synchronously, and they are loaded again in the background (token
 * and certificate files once a minute, an exec plugin shortly before its credential expires,
 * either at once when the apiserver answers 401). Only once a plugin's credential has
 * expired without a replacement does a request wait for the refresh.
 */
export class CredentialSource {
  readonly #options: CredentialSourceOptions;
  #current: ApiserverCredentials | undefined;
  #expiresAt = Number.POSITIVE_INFINITY;
  #refreshing: Promise<ApiserverCredentials> | undefined;
  #lastRefreshAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: CredentialSourceOptions) {
    this.#options = options;
  }

  /** The credentials to use now, or, once they have expired, the refresh that replaces them. */
  current(): ApiserverCredentials | Promise<ApiserverCredentials> {
    const current = this.#current;
    if (current && Date.now() < this.#expiresAt) return current;
    // A plugin that answers with an already expired credential is not run for every request.
    if (current && !this.#refreshing && Date.now() - this.#lastRefreshAt < MIN_REFRESH_GAP_MS) return current;
    return this.refresh();
  }

  /** Loads the credentials again; concurrent calls share one refresh. */
  refresh(): Promise<ApiserverCredentials> {
    this.#refreshing ??= this.#load().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** The apiserver refused `used` with 401: they are replaced, unless that was done moments ago. */
  rejected(used: ApiserverCredentials): void {
    if (used !== this.#current || this.#closed) return;
    if (Date.now() - this.#lastRefreshAt < MIN_REFRESH_GAP_MS) return;
    this.refresh().catch(() => this.#schedule(MIN_REFRESH_GAP_MS));
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #load(): Promise<ApiserverCredentials> {
    this.#lastRefreshAt = Date.now();
    let loaded: LoadedCredentials;
    try {
      loaded = await this.#options.load();
    } catch (error) {
      const message = (error as Error).message?.trim() || String(error);
      const what = this.#options.exec ? 'the exec credential plugin failed' : 'cannot load credentials';
      throw new Error(`${this.#options.source}: ${what}: ${message}`);
    }
    const { options } = loaded;
    const tls: ApiserverTls = {
      ca: options.ca as Buffer | string | undefined,
      cert: options.cert as Buffer | string | undefined,
      key: options.key as Buffer | string | undefined,
      servername: options.servername,
    };
    const previous = this.#current;
    const next: ApiserverCredentials = {
      authorization: authorizationOf(options),
      tls: previous && sameTls(previous.tls, tls) ? previous.tls : tls,
    };
    const unchanged = previous?.authorization === next.authorization && previous?.tls === next.tls;
    const current = unchanged && previous ? previous : next;
    const expiresAt = this.#options.exec ? loaded.expiresAt : undefined;
    const previousExpiry = this.#expiresAt;
    this.#current = current;
    this.#expiresAt = expiresAt ?? Number.POSITIVE_INFINITY;
    this.#schedule(this.#nextRefreshIn(expiresAt, previousExpiry));
    return current;
  }

  #nextRefreshIn(expiresAt: number | undefined, previousExpiry: number): number | undefined {
    // A plugin credential without an expiry is kept until the apiserver refuses it (as client-go does).
    if (!this.#options.exec) return CREDENTIAL_REREAD_MS;
    if (expiresAt === undefined) return undefined;
    const left = expiresAt - Date.now();
    // A plugin that hands out the same credential again (it has a cache of its own) is asked
    // again only when that credential has expired.
    const ahead = expiresAt > previousExpiry || previousExpiry === Number.POSITIVE_INFINITY;
    const at = ahead ? left - Math.min(EXEC_REFRESH_AHEAD_MS, left / 5) : left;
    return Math.max(at, MIN_REFRESH_GAP_MS);
  }

  #schedule(delayMs: number | undefined): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed || delayMs === undefined) return;
    this.#timer = setTimeout(() => {
      // A failed background refresh keeps what works and tries again; a request that finds
      // the credentials expired gets the error.
      this.refresh().catch(() => this.#schedule(MIN_REFRESH_GAP_MS));
    }, delayMs);
    this.#timer.unref();
  }
}
