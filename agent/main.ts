// fleetgate-agent: runs in a downstream cluster, opens the tunnel to the gateway and
// carries the gateway's requests to this cluster's apiserver.
import { readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { exitWithUsageError, parseCommandLine } from '../src/shared/cli/command-line.ts';
import { createLogger } from '../src/shared/log/logger.ts';
import { ApiserverProxy } from './apiserver-proxy.ts';
import { type ApiserverTarget, inClusterTarget } from './apiserver-target.ts';
import { AgentConnector } from './connector.ts';
import { CredentialSecret, DEFAULT_CREDENTIAL_SECRET, parseSecretRef } from './credential-secret.ts';

const HELP = `Usage: fleetgate-agent [options]

Opens an outbound tunnel to the fleetgate gateway and serves the gateway's requests
against this cluster's own kube-apiserver, with this agent's credentials.

Options (each also read from the environment variable named after it):
  --gateway-url URL        the gateway's base URL, e.g. https://gateway.example.com
                           (FLEETGATE_GATEWAY_URL); must be https:// unless
                           --dangerously-allow-http-gateway is given
  --dangerously-allow-http-gateway
                           accept an http:// gateway URL: the registration token and
                           every request and answer then cross the network in clear
                           text. Only for a gateway on loopback in tests
                           (FLEETGATE_DANGEROUSLY_ALLOW_HTTP_GATEWAY=true)
  --token-file PATH        file holding the cluster's registration token, exchanged on
                           first connect for an agent credential
                           (FLEETGATE_TOKEN_FILE; or the token itself in FLEETGATE_TOKEN)
  --credential-secret NS/NAME
                           the Secret where the agent keeps its credential, read and
                           written through the apiserver (FLEETGATE_CREDENTIAL_SECRET;
                           default ${DEFAULT_CREDENTIAL_SECRET})
  --gateway-ca-file PATH   CA bundle to trust for the gateway's certificate
                           (FLEETGATE_GATEWAY_CA_FILE; default: the system's CAs)
  --kubeconfig PATHS       reach the apiserver with this kubeconfig's current context;
                           several files separated by '${delimiter}' are merged as kubectl merges
                           KUBECONFIG. Tokens, token files, client certificates and exec
                           credential plugins work; tls-server-name and an http(s)
                           proxy-url are honoured; insecure-skip-tls-verify is refused
                           (KUBECONFIG; default: in-cluster ServiceAccount configuration)
  --reconnect-max-ms N     cap of the reconnect backoff (default 30000)
  -h, --help               this text

Logs are JSON lines on standard error; LOG_LEVEL sets the level (default info).`;

function fail(message: string): never {
  exitWithUsageError('fleetgate-agent', message);
}

const values = parseCommandLine('fleetgate-agent', HELP, {
  'gateway-url': { type: 'string' },
  'dangerously-allow-http-gateway': { type: 'boolean' },
  'token-file': { type: 'string' },
  'credential-secret': { type: 'string' },
  'gateway-ca-file': { type: 'string' },
  kubeconfig: { type: 'string' },
  'reconnect-max-ms': { type: 'string' },
});

const env = process.env;
const gatewayUrlText =
  values['gateway-url'] ?? env.FLEETGATE_GATEWAY_URL ?? fail('--gateway-url is required');
let gatewayUrl: URL;
try {
  gatewayUrl = new URL(gatewayUrlText);
} catch {
  fail(`--gateway-url ${JSON.stringify(gatewayUrlText)} is not a URL`);
}
const allowHttpText = env.FLEETGATE_DANGEROUSLY_ALLOW_HTTP_GATEWAY;
if (allowHttpText !== undefined && !['', 'true', 'false'].includes(allowHttpText))
  fail('FLEETGATE_DANGEROUSLY_ALLOW_HTTP_GATEWAY must be true or false');
const allowHttpGateway = values['dangerously-allow-http-gateway'] ?? allowHttpText === 'true';
if (gatewayUrl.protocol === 'http:' && !allowHttpGateway) {
  fail(
    '--gateway-url is http://, which would send the registration token in clear text: use https://, ' +
      'or pass --dangerously-allow-http-gateway for a gateway on loopback in tests',
  );
}
if (gatewayUrl.protocol !== 'https:' && gatewayUrl.protocol !== 'http:')
  fail('--gateway-url must be https://');

const tokenFile = values['token-file'] ?? env.FLEETGATE_TOKEN_FILE;
const inlineToken = env.FLEETGATE_TOKEN;
if (!tokenFile && !inlineToken) fail('a registration token is required: --token-file or FLEETGATE_TOKEN');
// The token file is read at every attempt without a credential, so a re-installed agent's
// new token is picked up.
const registrationToken = () =>
  tokenFile ? readFileSync(tokenFile, 'utf8').trim() : (inlineToken as string);

let credentialSecret: { namespace: string; name: string };
try {
  credentialSecret = parseSecretRef(
    values['credential-secret'] ?? env.FLEETGATE_CREDENTIAL_SECRET ?? DEFAULT_CREDENTIAL_SECRET,
  );
} catch (error) {
  fail((error as Error).message);
}

const caFile = values['gateway-ca-file'] ?? env.FLEETGATE_GATEWAY_CA_FILE;
const gatewayCaPem = caFile ? readFileSync(caFile, 'utf8') : undefined;

const kubeconfig = values.kubeconfig ?? env.KUBECONFIG;
let target: ApiserverTarget;
try {
  // Loads the credentials once (running an exec plugin if the user has one), so that a
  // configuration that cannot work fails here.
  // The kubeconfig reader (and the client library under it) is loaded only when needed.
  target = kubeconfig
    ? await (await import('./kubeconfig-target.ts')).kubeconfigTarget(kubeconfig)
    : await inClusterTarget();
} catch (error) {
  fail((error as Error).message);
}

const reconnectMaxText = values['reconnect-max-ms'];
const reconnectMaxMs = reconnectMaxText === undefined ? undefined : Number(reconnectMaxText);
if (reconnectMaxMs !== undefined && !(Number.isInteger(reconnectMaxMs) && reconnectMaxMs >= 10)) {
  fail('--reconnect-max-ms must be an integer >= 10');
}

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const log = createLogger('fleetgate-agent');
if (gatewayUrl.protocol === 'http:')
  log.warn(
    { gateway: gatewayUrl.origin },
    'the gateway URL is http://: the registration token travels in clear text',
  );
log.info(
  { gateway: gatewayUrl.origin, apiserver: target.url.origin, proxy: target.proxyUrl?.origin, version },
  'starting',
);

const proxy = new ApiserverProxy(target, log);
const connector = new AgentConnector({
  gatewayUrl,
  registrationToken,
  credentials: new CredentialSecret(proxy, credentialSecret),
  gatewayCaPem,
  agentVersion: version,
  proxy,
  log,
  reconnectMaxMs,
});
connector.start();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'stopping');
    connector.stop();
    proxy.close();
    setTimeout(() => process.exit(0), 200).unref();
  });
}
