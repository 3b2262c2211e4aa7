// fleetgate: the command-line client for people (sign-in and kubeconfig), and the move of a
// gateway's state from SQLite to a management cluster.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { exitWithUsageError, parseCommandLine } from './shared/cli/command-line.ts';

const HELP = `Usage: fleetgate kubeconfig [options]
       fleetgate migrate-store [options]

Signs in to the gateway and writes a kubeconfig with one context per cluster, each
reaching its cluster through the gateway as you.

Options:
  --gateway-url URL     the gateway (FLEETGATE_GATEWAY_URL)
  --username NAME       sign in as this local user; the password is read from
                        FLEETGATE_PASSWORD or, if unset, from standard input
  --token TOKEN         use an existing API token instead (FLEETGATE_TOKEN)
  --ca-file PATH        CA bundle for the gateway's certificate, if it is private
  --ttl-seconds N       lifetime of the kubeconfig's token (default: 30 days)
  --output PATH         write here instead of standard output (mode 0600)
  -h, --help            this text

migrate-store copies a stopped gateway's state (users, tokens, OIDC sign-ins, clusters with
their hashed registration tokens and agent credentials, the access policy) from its SQLite
data directory into
a management cluster, for replicas with --store kubernetes (docs/replicas.md). It never
overwrites: running it again copies only what is missing, and an object there with other
content fails the run.

Options of migrate-store:
  --data-dir PATH                 the gateway's data directory (holds fleetgate.db)
  --management-kubeconfig PATH    kubeconfig of the management cluster (default: in-cluster)
  --management-namespace NS       namespace of the gateway's objects (default fleetgate-system)`;

function fail(message: string): never {
  exitWithUsageError('fleetgate', message);
}

function call(
  url: URL,
  ca: string | undefined,
  options: { method: string; headers: Record<string, string>; body?: string },
) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method: options.method, headers: options.headers, ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.split('\n')[0] ?? '';
}

const [command, ...rest] = process.argv.slice(2);
if (!command || command === '-h' || command === '--help') {
  console.log(HELP);
  process.exit(command ? 0 : 2);
}
if (command === 'migrate-store') {
  const options = parseCommandLine(
    'fleetgate',
    HELP,
    {
      'data-dir': { type: 'string' },
      'management-kubeconfig': { type: 'string' },
      'management-namespace': { type: 'string' },
    },
    rest,
  );
  // Loaded only here: the Kubernetes client weighs on the kubeconfig command's start.
  const [
    { KubeClient },
    { ensureNamespace, installCrds },
    { DEFAULT_MANAGEMENT_NAMESPACE, STORE_CRDS },
    transportModule,
  ] = await Promise.all([
    import('./kube/kube-client.ts'),
    import('./management/crds.ts'),
    import('./management/kubernetes-store.ts'),
    import('./management/management-transport.ts'),
  ]);
  const [{ migrateSqliteStore }, { openDatabase }] = await Promise.all([
    import('./management/migrate-store.ts'),
    import('./store/database.ts'),
  ]);
  const dataDir = options['data-dir'] ?? fail('--data-dir is required');
  if (!existsSync(join(dataDir, 'fleetgate.db'))) fail(`${dataDir} holds no fleetgate.db`);
  const namespace = options['management-namespace'] ?? DEFAULT_MANAGEMENT_NAMESPACE;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    fail(`--management-namespace must be a namespace name, got ${JSON.stringify(namespace)}`);
  const transport = await transportModule.ManagementTransport.connect(options['management-kubeconfig']).catch(
    (error: Error) => fail(`cannot use the management kubeconfig: ${error.message}`),
  );
  const kube = new KubeClient(transport);
  const db = openDatabase(dataDir);
  try {
    await ensureNamespace(kube, namespace);
    // Every kind the store holds, the access policy's included.
    await installCrds(kube, STORE_CRDS);
    const report = await migrateSqliteStore(db, kube, namespace);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.conflicts.length) {
      process.stderr.write(
        `fleetgate: ${report.conflicts.length} objects exist with other content; left alone\n`,
      );
      process.exitCode = 1;
    }
  } catch (error) {
    process.stderr.write(`fleetgate: the migration stopped: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    db.close();
    transport.close();
  }
  process.exit();
}
if (command !== 'kubeconfig') fail(`unknown command ${JSON.stringify(command)} (see --help)`);

const values = parseCommandLine(
  'fleetgate',
  HELP,
  {
    'gateway-url': { type: 'string' },
    username: { type: 'string' },
    token: { type: 'string' },
    'ca-file': { type: 'string' },
    'ttl-seconds': { type: 'string' },
    output: { type: 'string' },
  },
  rest,
);

const gatewayText =
  values['gateway-url'] ?? process.env.FLEETGATE_GATEWAY_URL ?? fail('--gateway-url is required');
let gateway: URL;
try {
  gateway = new URL(gatewayText);
} catch {
  fail(`--gateway-url ${JSON.stringify(gatewayText)} is not a URL`);
}
if (gateway.protocol !== 'https:')
  fail('--gateway-url must be https:// (kubectl sends tokens only over TLS)');
const ca = values['ca-file'] ? readFileSync(values['ca-file'], 'utf8') : undefined;

let token = values.token ?? process.env.FLEETGATE_TOKEN;
if (!token) {
  const username = values.username ?? fail('give --username or --token');
  const password = process.env.FLEETGATE_PASSWORD ?? (await readStdin());
  const login = await call(new URL('/v1/auth/login', gateway), ca, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  }).catch((error: Error) => fail(`cannot reach ${gateway.origin}: ${error.message}`));
  if (login.status !== 200) fail(`sign-in refused (${login.status}): ${login.text}`);
  token = (JSON.parse(login.text) as { token: string }).token;
}
const ttl = values['ttl-seconds'] ? `?ttlSeconds=${encodeURIComponent(values['ttl-seconds'])}` : '';
const answer = await call(new URL(`/v1/kubeconfig${ttl}`, gateway), ca, {
  method: 'GET',
  headers: { authorization: `Bearer ${token}` },
}).catch((error: Error) => fail(`cannot reach ${gateway.origin}: ${error.message}`));
if (answer.status !== 200) fail(`the gateway refused (${answer.status}): ${answer.text}`);
if (values.output) {
  writeFileSync(values.output, answer.text, { mode: 0o600 });
  process.stderr.write(`wrote ${values.output}\n`);
} else {
  process.stdout.write(answer.text);
}
