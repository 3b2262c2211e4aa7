import type { AddressInfo } from 'node:net';
import type { Logger } from '../shared/log/logger.ts';
import type { Drain } from './drain.ts';
import { createGatewayServer, type GatewayServer } from './http-server.ts';
import { ensureServingTls } from './tls-bootstrap.ts';

/** Where and how the gateway listens. */
export interface ListenSettings {
  /** Where generated TLS files are kept. */
  readonly dataDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly publicUrl?: string;
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  readonly dangerouslyServeHttp?: boolean;
  readonly caPem?: string;
}

/** A server listening before its routes are set, and the URL it listens at. */
export interface GatewayListener extends GatewayServer {
  /** The URL the server listens at. */
  readonly url: string;
  /** The configured public URL, or the listening URL. */
  readonly publicUrl: string;
  /** The CA clients should trust, when the certificate is not a public one (made here when generated). */
  readonly caPem: string | undefined;
  /** Whether it serves TLS. */
  readonly tls: boolean;
}

/**
 * Makes or takes the serving certificate and listens. Listening comes before the routes:
 * with port 0 the public URL, which OIDC's redirect URI needs, is known only then.
 */
export async function listenGateway(
  settings: ListenSettings,
  drain: Drain,
  log: Logger,
): Promise<GatewayListener> {
  let tls = settings.tls;
  let caPem = settings.caPem;
  if (!tls && !settings.dangerouslyServeHttp) {
    const hosts = [
      settings.host,
      settings.publicUrl ? new URL(settings.publicUrl).hostname.replace(/^\[|\]$/g, '') : '',
    ];
    const made = await ensureServingTls(
      settings.dataDir,
      hosts.filter((h) => h && h !== '0.0.0.0' && h !== '::'),
    );
    tls = made;
    caPem ??= made.caPem;
  }
  const { server, setRoutes } = createGatewayServer(log, drain, tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Connections waiting to be accepted: thousands of dashboards reconnect at once after a
    // restart, and Node's default (511) dropped their SYNs, which TCP then retried only after
    // 1, 3, 7, 15 s... (the kernel caps it at net.core.somaxconn).
    server.listen({ port: settings.port, host: settings.host, backlog: 4096 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  return { server, setRoutes, url, publicUrl: settings.publicUrl || url, caPem, tls: tls !== undefined };
}
