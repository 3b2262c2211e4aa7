// fleetgate gateway: the command that runs the gateway process.
import './runtime-mode.ts';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from './gateway.ts';
import { DRAIN_DEADLINE_MS } from './server/drain.ts';
import { DEFAULT_TUNNEL_TIMING } from './server/tunnel-endpoint.ts';
import { exitWithUsageError, parseCommandLine } from './shared/cli/command-line.ts';
import { createLogger } from './shared/log/logger.ts';

const HELP = `Usage: fleetgate-gateway [options]

Runs the gateway: the agent tunnel endpoint, the cluster registry, sign-in, the
Kubernetes passthrough at /k8s/clusters/<id>/ and the GraphQL API at /graphql.

Options:
  --listen HOST:PORT     where to listen (default 127.0.0.1:8443; FLEETGATE_LISTEN)
  --data-dir PATH        where the embedded store lives (default ~/.local/share/fleetgate;
                         FLEETGATE_DATA_DIR)
  --store KIND           where the gateway's state lives: sqlite (default: one file under
                         --data-dir) or kubernetes (custom resources in a management
                         cluster, for several replicas; docs/replicas.md; FLEETGATE_STORE)
  --management-kubeconfig PATH
                         kubeconfig of the management cluster (--store kubernetes; default:
                         the pod's in-cluster configuration; FLEETGATE_MANAGEMENT_KUBECONFIG)
  --management-namespace NS
                         namespace of the gateway's objects there (default fleetgate-system;
                         FLEETGATE_MANAGEMENT_NAMESPACE)
  --replica-id NAME      this replica's name, stable across restarts (default: POD_NAME, else
                         the host name; FLEETGATE_REPLICA_ID)
  --peer-address URL     where other replicas reach this one, published in its Lease
                         (default: the URL it listens at; FLEETGATE_PEER_ADDRESS)
  --peer-server-name NAME
                         the name peers' certificates are checked against (default: the peer
                         address's host); replicas sharing one certificate for the public name
                         but reached at pod addresses set it to that name
                         (FLEETGATE_PEER_SERVER_NAME)
  --public-url URL       the URL agents and kubeconfigs use to reach this gateway
                         (default: derived from --listen; FLEETGATE_PUBLIC_URL)
  --tls-cert PATH        serve HTTPS with this certificate chain (with --tls-key); without
  --tls-key PATH         them a CA and certificate are made under the data directory
  --tls-ca PATH          CA bundle behind --tls-cert to hand to agents and kubeconfigs
  --dangerously-serve-http
                         plain HTTP, only behind a TLS-terminating proxy
  --agent-image IMAGE    the agent image install manifests use (FLEETGATE_AGENT_IMAGE)
  --audit-log PATH       audit log file, or - for standard output
                         (default <data-dir>/audit.log; FLEETGATE_AUDIT_LOG)
  --no-list-cache        answer every GraphQL list live from the clusters instead of from
                         watch-backed caches of pods, nodes and namespaces
                         (FLEETGATE_LIST_CACHE=off; see docs/list-cache.md)
  --cluster-lists-per-second N
                         live lists GraphQL queries may make to one cluster a second
                         (default 20; FLEETGATE_CLUSTER_LISTS_PER_SECOND; docs/list-cache.md)
  --max-streams-per-person N
                         open passthrough requests one person may have on one cluster
                         (default 100; FLEETGATE_MAX_STREAMS_PER_PERSON)
  --max-subscriber-queue N
                         undelivered messages a GraphQL subscriber may have before it gets
                         only the latest state of each object, and distinct objects before
                         it is ended with SUBSCRIBER_TOO_SLOW (default 1000)
  -h, --help             this text

OpenID Connect sign-in (all optional; the client secret only from FLEETGATE_OIDC_CLIENT_SECRET):
  --oidc-issuer URL           the provider's issuer URL (FLEETGATE_OIDC_ISSUER)
  --oidc-client-id ID         this gateway's client id there (FLEETGATE_OIDC_CLIENT_ID)
  --oidc-username-claim NAME  claim naming the person (default email, else sub)
  --oidc-groups-claim NAME    claim listing the person's groups (default groups)
  --oidc-admin-group GROUP    provider group whose members administer the gateway (repeatable)
  --oidc-scope SCOPE          a scope to ask for, e.g. offline_access for refresh tokens (repeatable;
                              default openid email profile groups)

GraphQL: FLEETGATE_GRAPHQL_INTROSPECTION=false turns schema introspection off.

Tunnel timing, for tests and unusual networks (milliseconds):
  FLEETGATE_TUNNEL_HEARTBEAT_MS  ping interval (default ${DEFAULT_TUNNEL_TIMING.heartbeatIntervalMs})
  FLEETGATE_TUNNEL_LIVENESS_MS   silence after which a tunnel is dropped (default ${DEFAULT_TUNNEL_TIMING.livenessTimeoutMs})

On the first start an admin account is created, with FLEETGATE_ADMIN_PASSWORD as its
password when set, else a random password printed once. Logs are JSON lines on standard
error; LOG_LEVEL sets the level (default info).`;

function fail(message: string): never {
  exitWithUsageError('fleetgate-gateway', message);
}

const values = parseCommandLine('fleetgate-gateway', HELP, {
  listen: { type: 'string' },
  'data-dir': { type: 'string' },
  store: { type: 'string' },
  'management-kubeconfig': { type: 'string' },
  'management-namespace': { type: 'string' },
  'replica-id': { type: 'string' },
  'peer-address': { type: 'string' },
  'peer-server-name': { type: 'string' },
  'public-url': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'dangerously-serve-http': { type: 'boolean' },
  'agent-image': { type: 'string' },
  'audit-log': { type: 'string' },
  'no-list-cache': { type: 'boolean' },
  'max-streams-per-person': { type: 'string' },
  'cluster-lists-per-second': { type: 'string' },
  'max-subscriber-queue': { type: 'string' },
  'oidc-issuer': { type: 'string' },
  'oidc-client-id': { type: 'string' },
  'oidc-username-claim': { type: 'string' },
  'oidc-groups-claim': { type: 'string' },
  'oidc-admin-group': { type: 'string', multiple: true },
  'oidc-scope': { type: 'string', multiple: true },
});

const env = process.env;
const listen = values.listen ?? env.FLEETGATE_LISTEN ?? '127.0.0.1:8443';
const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
if (!match) fail(`--listen must be HOST:PORT, got ${JSON.stringify(listen)}`);
const host = (match[1] as string).replace(/^\[|\]$/g, '');
const port = Number(match[2]);
if (port > 65535) fail(`--listen port ${port} is out of range`);

const publicUrl = values['public-url'] ?? env.FLEETGATE_PUBLIC_URL;
if (publicUrl) {
  try {
    const parsed = new URL(publicUrl);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error();
  } catch {
    fail(`--public-url must be an http(s) URL, got ${JSON.stringify(publicUrl)}`);
  }
}
if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) fail('--tls-cert and --tls-key go together');
const tls = values['tls-cert']
  ? {
      certPem: readFileSync(values['tls-cert'], 'utf8'),
      keyPem: readFileSync(values['tls-key'] as string, 'utf8'),
    }
  : undefined;

function envMs(name: string): number | undefined {
  const text = env[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 50) fail(`${name} must be an integer >= 50`);
  return value;
}
const heartbeatIntervalMs =
  envMs('FLEETGATE_TUNNEL_HEARTBEAT_MS') ?? DEFAULT_TUNNEL_TIMING.heartbeatIntervalMs;
const livenessTimeoutMs = envMs('FLEETGATE_TUNNEL_LIVENESS_MS') ?? DEFAULT_TUNNEL_TIMING.livenessTimeoutMs;
if (livenessTimeoutMs <= heartbeatIntervalMs)
  fail('the tunnel liveness timeout must exceed the heartbeat interval');

const oidcIssuer = values['oidc-issuer'] ?? env.FLEETGATE_OIDC_ISSUER;
const oidcClientId = values['oidc-client-id'] ?? env.FLEETGATE_OIDC_CLIENT_ID;
if (Boolean(oidcIssuer) !== Boolean(oidcClientId)) fail('--oidc-issuer and --oidc-client-id go together');
const oidc = oidcIssuer
  ? {
      issuer: oidcIssuer,
      clientId: oidcClientId as string,
      clientSecret: env.FLEETGATE_OIDC_CLIENT_SECRET,
      usernameClaim: values['oidc-username-claim'],
      groupsClaim: values['oidc-groups-claim'],
      adminGroups: values['oidc-admin-group'],
      scopes: values['oidc-scope'],
      dangerouslyAllowHttpIssuer:
        new URL(oidcIssuer).protocol === 'http:' &&
        ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(oidcIssuer).hostname),
    }
  : undefined;

/** A whole number from 1 up, from a flag or its environment variable. */
function positiveInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) fail(`--${flag} must be a whole number of 1 or more`);
  return value;
}
const maxStreamsPerPerson = positiveInteger(
  'max-streams-per-person',
  values['max-streams-per-person'] ?? env.FLEETGATE_MAX_STREAMS_PER_PERSON,
);
const maxSubscriberQueue = positiveInteger('max-subscriber-queue', values['max-subscriber-queue']);
const clusterListsPerSecond = positiveInteger(
  'cluster-lists-per-second',
  values['cluster-lists-per-second'] ?? env.FLEETGATE_CLUSTER_LISTS_PER_SECOND,
);

const storeKind = values.store ?? env.FLEETGATE_STORE ?? 'sqlite';
if (storeKind !== 'sqlite' && storeKind !== 'kubernetes')
  fail(`--store must be sqlite or kubernetes, got ${JSON.stringify(storeKind)}`);
const managementKubeconfig = values['management-kubeconfig'] ?? env.FLEETGATE_MANAGEMENT_KUBECONFIG;
const managementNamespace = values['management-namespace'] ?? env.FLEETGATE_MANAGEMENT_NAMESPACE;
const replicaId = values['replica-id'] ?? env.FLEETGATE_REPLICA_ID;
if (storeKind === 'sqlite' && (managementKubeconfig || managementNamespace))
  fail('--management-kubeconfig and --management-namespace go with --store kubernetes');
if (managementNamespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(managementNamespace))
  fail(`--management-namespace must be a namespace name, got ${JSON.stringify(managementNamespace)}`);
if (replicaId !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(replicaId))
  fail(
    `--replica-id must be 1-63 lower-case letters, digits, dots or dashes, got ${JSON.stringify(replicaId)}`,
  );
const peerAddress = values['peer-address'] ?? env.FLEETGATE_PEER_ADDRESS;
if (peerAddress !== undefined) {
  if (storeKind !== 'kubernetes') fail('--peer-address goes with --store kubernetes');
  try {
    if (!['https:', 'http:'].includes(new URL(peerAddress).protocol)) throw new Error();
  } catch {
    fail(`--peer-address must be an http(s) URL, got ${JSON.stringify(peerAddress)}`);
  }
}
const peerServerName = values['peer-server-name'] ?? env.FLEETGATE_PEER_SERVER_NAME;
if (peerServerName !== undefined) {
  if (storeKind !== 'kubernetes') fail('--peer-server-name goes with --store kubernetes');
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/i.test(peerServerName))
    fail(`--peer-server-name must be a DNS name, got ${JSON.stringify(peerServerName)}`);
}
const store =
  storeKind === 'kubernetes'
    ? {
        kind: 'kubernetes' as const,
        kubeconfigPath: managementKubeconfig,
        namespace: managementNamespace,
        replicaId,
      }
    : { kind: 'sqlite' as const };

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const log = createLogger('fleetgate-gateway');
const gateway = await startGateway({
  dataDir: values['data-dir'] ?? env.FLEETGATE_DATA_DIR ?? join(homedir(), '.local/share/fleetgate'),
  store,
  peerAddress,
  peerServerName,
  host,
  port,
  publicUrl,
  tls,
  agentImage: values['agent-image'] ?? env.FLEETGATE_AGENT_IMAGE ?? `fleetgate/agent:${version}`,
  adminPassword: env.FLEETGATE_ADMIN_PASSWORD,
  dangerouslyServeHttp: values['dangerously-serve-http'],
  version,
  graphqlIntrospection: env.FLEETGATE_GRAPHQL_INTROSPECTION !== 'false',
  caPem: values['tls-ca'] ? readFileSync(values['tls-ca'], 'utf8') : undefined,
  tunnelTiming: { heartbeatIntervalMs, livenessTimeoutMs },
  oidc,
  auditLog: values['audit-log'] ?? env.FLEETGATE_AUDIT_LOG,
  listCache: !values['no-list-cache'] && env.FLEETGATE_LIST_CACHE !== 'off',
  maxStreamsPerPerson,
  maxSubscriberQueue,
  clusterListsPerSecond,
  log,
}).catch((error: Error) => fail(error.message));

if (gateway.generatedAdminPassword) {
  // Printed once, on the first start; only its hash is stored.
  process.stdout.write(
    `\nCreated the admin account. User: admin  Password: ${gateway.generatedAdminPassword}\n\n`,
  );
}
process.stdout.write(`fleetgate gateway ${version} listening on ${gateway.url}\n`);

// SIGTERM drains (docs/replicas.md, "Drain"); a second signal, or a drain that outlives its
// deadline by 5 s, ends the process at once.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(0);
    stopping = true;
    log.info({ signal }, 'stopping');
    void gateway.drain(DRAIN_DEADLINE_MS).then(() => process.exit(0));
    setTimeout(() => process.exit(0), DRAIN_DEADLINE_MS + 5_000).unref();
  });
}
