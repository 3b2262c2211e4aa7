import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, resolve, sep } from 'node:path';
import { type Cluster, type Context, KubeConfig, type User } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { CredentialSource } from './apiserver-credentials.ts';
import type { ApiserverTarget } from './apiserver-target.ts';

// Loaded only for kubeconfigs: an agent in its cluster reads its ServiceAccount without the
// client library (apiserver-target.ts), which costs ~85 MiB and ~0.4 s to load.

type Shape = Record<string, unknown> | null | undefined;

/**
 * When client-node's cached exec credential for `userName` expires. client-node 2.0.1 keeps
 * the ExecCredential it got from the plugin (`status.expirationTimestamp`) inside its
 * ExecAuth and exposes only the headers; this reads that cache, and answers undefined if
 * the credential has no expiry or the cache is not where 2.0.1 keeps it.
 */
function execCredentialExpiry(config: KubeConfig, userName: string): number | undefined {
  const authenticators = (config as unknown as { authenticators?: unknown }).authenticators;
  if (!Array.isArray(authenticators)) return undefined;
  for (const authenticator of authenticators as Shape[]) {
    const cache = authenticator?.tokenCache as Record<string, Shape> | undefined;
    const status = cache?.[userName]?.status as Shape;
    const stamp = status?.expirationTimestamp;
    if (typeof stamp === 'string') {
      const at = Date.parse(stamp);
      if (!Number.isNaN(at)) return at;
    }
  }
  return undefined;
}

/** The proxy-url schemes the agent can tunnel through (HTTP CONNECT). */
const PROXY_PROTOCOLS = new Set(['http:', 'https:']);

function isExecUser(user: User): boolean {
  const provider = user.authProvider as { name?: unknown; config?: { exec?: unknown } } | null | undefined;
  return Boolean(user.exec) || provider?.name === 'exec' || Boolean(provider?.config?.exec);
}

function parseProxyUrl(source: string, cluster: Cluster): URL | undefined {
  if (!cluster.proxyUrl) return undefined;
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(cluster.proxyUrl);
  } catch {
    throw new Error(`${source}: proxy-url ${JSON.stringify(cluster.proxyUrl)} is not a URL`);
  }
  if (!PROXY_PROTOCOLS.has(proxyUrl.protocol)) {
    throw new Error(
      `${source}: proxy-url ${proxyUrl.protocol}// is not supported; the agent goes through HTTP CONNECT proxies only (http:// or https://)`,
    );
  }
  return proxyUrl;
}

/**
 * Checks the current context of `config` and makes the target the agent dials: its
 * credentials are loaded once here (running an exec plugin if the user has one), so that
 * a configuration that cannot work fails at start.
 */
export async function targetFromKubeConfig(config: KubeConfig, source: string): Promise<ApiserverTarget> {
  const contextName = config.getCurrentContext();
  const context = contextName ? config.getContextObject(contextName) : null;
  if (!context) throw new Error(`${source}: current-context ${JSON.stringify(contextName)} not found`);
  const cluster = config.getCluster(context.cluster);
  if (!cluster)
    throw new Error(
      `${source}: context ${contextName} names cluster ${context.cluster}, which is not defined`,
    );
  const user = context.user ? config.getUser(context.user) : null;
  if (!user)
    throw new Error(
      `${source}: context ${contextName} names user ${context.user ?? '(none)'}, which is not defined`,
    );
  if (cluster.skipTLSVerify) {
    throw new Error(`${source}: insecure-skip-tls-verify is not supported; give the apiserver's CA`);
  }
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw new Error(`${source}: server ${JSON.stringify(cluster.server)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new Error(`${source}: server ${url.origin} is not https://`);
  if (user.impersonateUser) {
    throw new Error(
      `${source}: user ${user.name} impersonates ${user.impersonateUser} ("as"); the agent impersonates each request's user itself`,
    );
  }
  const proxyUrl = parseProxyUrl(source, cluster);
  const options = {
    clusters: [cluster],
    users: [user],
    contexts: [{ ...context, name: contextName }],
    currentContext: contextName,
  };
  const credentials = new CredentialSource({
    source,
    load: async () => {
      // A new KubeConfig each time: its credential caches start empty, so a plugin runs again.
      const fresh = new KubeConfig();
      fresh.loadFromOptions(options);
      const requestOptions = {};
      await fresh.applyToHTTPSOptions(requestOptions);
      return { options: requestOptions, expiresAt: execCredentialExpiry(fresh, user.name) };
    },
    exec: isExecUser(user),
  });
  await credentials.refresh();
  return { url, source, proxyUrl, credentials };
}

interface RawKubeconfig {
  users?: { name?: unknown; user?: { tokenFile?: unknown; token?: unknown } | null }[];
}

/**
 * One kubeconfig file as client-node reads it, with the paths kubectl resolves against the
 * file's folder resolved the same way: client-node makes certificate paths absolute, but
 * not `exec.command` (when it holds a path separator), and it does not know `tokenFile`
 * (it reads a `token-file` key once): a `tokenFile` becomes client-node's token-file
 * provider, which reads the file again once a minute.
 */
function loadKubeconfigFile(path: string): KubeConfig {
  const text = readFileSync(path, 'utf8');
  const dir = dirname(resolve(path));
  const one = new KubeConfig();
  one.loadFromString(text);
  one.makePathsAbsolute(dir);
  const raw = (parse(text) ?? {}) as RawKubeconfig;
  const tokenFiles = new Map<string, string>();
  for (const entry of raw.users ?? []) {
    const tokenFile = entry.user?.tokenFile;
    if (typeof entry.name === 'string' && typeof tokenFile === 'string' && !entry.user?.token)
      tokenFiles.set(entry.name, resolve(dir, tokenFile));
  }
  one.users = one.users.map((user) => {
    let resolved: User = user;
    const exec = user.exec as { command?: unknown } | null | undefined;
    if (typeof exec?.command === 'string' && !isAbsolute(exec.command) && exec.command.includes(sep))
      resolved = { ...resolved, exec: { ...exec, command: resolve(dir, exec.command) } };
    const tokenFile = tokenFiles.get(user.name);
    if (tokenFile && !user.authProvider)
      resolved = { ...resolved, authProvider: { name: 'tokenFile', config: { tokenFile } } };
    return resolved;
  });
  return one;
}

function addFirst<T extends { name: string }>(into: T[], from: readonly T[]): void {
  for (const entry of from) if (!into.some((known) => known.name === entry.name)) into.push(entry);
}

/**
 * Loads a list of kubeconfig files (separated by the OS path delimiter, as in KUBECONFIG)
 * merged the way kubectl merges them: the first file to define a cluster, user or context
 * of a name wins, the first current-context set wins, files of a longer list that do not
 * exist are skipped.
 */
export function loadKubeconfigFiles(pathList: string): KubeConfig {
  const paths = pathList.split(delimiter).filter(Boolean);
  if (!paths.length) throw new Error('no kubeconfig path given');
  const existing = paths.length === 1 ? paths : paths.filter((path) => existsSync(path));
  if (!existing.length) throw new Error(`none of the kubeconfig files ${paths.join(', ')} exists`);
  const clusters: Cluster[] = [];
  const users: User[] = [];
  const contexts: Context[] = [];
  let currentContext = '';
  for (const path of existing) {
    let one: KubeConfig;
    try {
      one = loadKubeconfigFile(path);
    } catch (error) {
      throw new Error(`kubeconfig ${path}: ${(error as Error).message}`);
    }
    currentContext ||= one.getCurrentContext() ?? '';
    addFirst(clusters, one.getClusters());
    addFirst(users, one.getUsers());
    addFirst(contexts, one.getContexts());
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters, users, contexts, currentContext });
  return merged;
}

/** The current context of a kubeconfig, or of several merged (`a.yaml:b.yaml`). */
export async function kubeconfigTarget(pathList: string): Promise<ApiserverTarget> {
  const config = loadKubeconfigFiles(pathList);
  const paths = pathList.split(delimiter).filter(Boolean);
  return targetFromKubeConfig(config, `kubeconfig ${paths.join(delimiter)}`);
}
