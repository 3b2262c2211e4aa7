import { readFileSync } from 'node:fs';
import { CredentialSource } from './apiserver-credentials.ts';

/** How the agent reaches its own apiserver, with credentials that never leave the agent. */
export interface ApiserverTarget {
  readonly url: URL;
  /** Names the configuration in messages. */
  readonly source: string;
  /** The kubeconfig's `proxy-url` (HTTP CONNECT, http:// or https://), if any. */
  readonly proxyUrl: URL | undefined;
  readonly credentials: CredentialSource;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * In-cluster configuration, as every Kubernetes client does it: KUBERNETES_SERVICE_HOST
 * and _PORT, and the ServiceAccount's token and CA mounted into the pod (both read again once
 * a minute, since projected tokens rotate). `pathPrefix` is put before the mount path, for
 * tests. The client library is not loaded for this: it is all the agent needs in its cluster.
 */
export async function inClusterTarget(pathPrefix = ''): Promise<ApiserverTarget> {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error(
      'not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset (use --kubeconfig)',
    );
  }
  const dir = `${pathPrefix}${SERVICE_ACCOUNT_DIR}`;
  const source = `in-cluster configuration (${dir})`;
  const url = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
  const credentials = new CredentialSource({
    source,
    load: async () => ({
      options: {
        ca: readFileSync(`${dir}/ca.crt`),
        headers: { Authorization: `Bearer ${readFileSync(`${dir}/token`, 'utf8').trim()}` },
      },
    }),
    exec: false,
  });
  await credentials.refresh();
  return { url, source, proxyUrl: undefined, credentials };
}
