// fleetgate: the command-line client for people (sign-in and kubeconfig).
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { exitWithUsageError, parseCommandLine } from './shared/cli/command-line.ts';

const HELP = `Usage: fleetgate kubeconfig [options]

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
  -h, --help            this text`;

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
