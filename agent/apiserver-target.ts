import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

/** How the agent reaches its own apiserver, with credentials that never leave the agent. */
export interface ApiserverTarget {
  readonly url: URL;
  readonly caPem: string | undefined;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  /** The current bearer token (re-read from its file, since projected tokens rotate). */
  readonly bearerToken: () => string | undefined;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_REREAD_MS = 60_000;

/** Reads a token file at most once a minute. */
function tokenFileReader(path: string): () => string {
  let cached = '';
  let readAt = 0;
  return () => {
    if (!cached || Date.now() - readAt > TOKEN_REREAD_MS) {
      cached = readFileSync(path, 'utf8').trim();
      readAt = Date.now();
    }
    return cached;
  };
}

/**
 * In-cluster configuration, as every Kubernetes client does it: KUBERNETES_SERVICE_HOST
 * and _PORT, and the ServiceAccount's token and CA mounted into the pod.
 */
export function inClusterTarget(
  env: NodeJS.ProcessEnv = process.env,
  saDir = SERVICE_ACCOUNT_DIR,
): ApiserverTarget {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error(
      'not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset (use --kubeconfig)',
    );
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: new URL(`https://${hostPart}:${port}`),
    caPem: readFileSync(`${saDir}/ca.crt`, 'utf8'),
    bearerToken: tokenFileReader(`${saDir}/token`),
  };
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
}

function fileOrData(base: string, entry: Record<string, unknown>, key: string): string | undefined {
  const data = entry[`${key}-data`];
  if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
  const path = entry[key];
  if (typeof path === 'string') return readFileSync(resolve(base, path), 'utf8');
  return undefined;
}

/** The current context of a kubeconfig file, for development outside a cluster. */
export function kubeconfigTarget(path: string): ApiserverTarget {
  const config = parse(readFileSync(path, 'utf8')) as KubeconfigFile;
  const base = dirname(path);
  const contextName = config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context)
    throw new Error(`kubeconfig ${path}: current-context ${JSON.stringify(contextName)} not found`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (!cluster || typeof cluster.server !== 'string')
    throw new Error(`kubeconfig ${path}: cluster ${context.cluster} has no server`);
  if (cluster['insecure-skip-tls-verify'] === true) {
    throw new Error(`kubeconfig ${path}: insecure-skip-tls-verify is not supported; give the apiserver's CA`);
  }
  const token = typeof user.token === 'string' ? user.token : undefined;
  const tokenFile = typeof user.tokenFile === 'string' ? resolve(base, user.tokenFile) : undefined;
  return {
    url: new URL(cluster.server),
    caPem: fileOrData(base, cluster, 'certificate-authority'),
    clientCertPem: fileOrData(base, user, 'client-certificate'),
    clientKeyPem: fileOrData(base, user, 'client-key'),
    bearerToken: tokenFile ? tokenFileReader(tokenFile) : () => token,
  };
}
