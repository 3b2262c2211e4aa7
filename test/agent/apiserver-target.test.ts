import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import type { ApiserverCredentials } from '../../agent/apiserver-credentials.ts';
import { type ApiserverTarget, inClusterTarget } from '../../agent/apiserver-target.ts';
import { kubeconfigTarget } from '../../agent/kubeconfig-target.ts';

const SA_PATH = 'var/run/secrets/kubernetes.io/serviceaccount';

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A single-context kubeconfig; `cluster` and `user` add to a server on 127.0.0.1:6443. */
function kubeconfig(cluster: Record<string, unknown> = {}, user: Record<string, unknown> = {}): string {
  return stringify({
    'current-context': 'only',
    contexts: [{ name: 'only', context: { cluster: 'c', user: 'u' } }],
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
    users: [{ name: 'u', user }],
  });
}

async function writeKubeconfig(text: string): Promise<string> {
  const path = join(await tempDir('kc-'), 'config');
  await writeFile(path, text);
  return path;
}

async function credentialsOf(target: ApiserverTarget): Promise<ApiserverCredentials> {
  return target.credentials.current();
}

/** Writes an exec credential plugin (a node script) that counts its runs in `dir/runs`. */
async function writePlugin(dir: string, body: string): Promise<string> {
  const path = join(dir, 'plugin.mjs');
  await writeFile(
    path,
    `import { readFileSync, writeFileSync } from 'node:fs';
const runsFile = ${JSON.stringify(join(dir, 'runs'))};
let runs = 0;
try { runs = Number(readFileSync(runsFile, 'utf8')); } catch {}
runs++;
writeFileSync(runsFile, String(runs));
${body}
`,
  );
  return path;
}

function execUser(plugin: string, env: { name: string; value: string }[] = []) {
  return {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: [plugin],
      env,
      interactiveMode: 'Never',
    },
  };
}

const runsOf = async (dir: string) => Number(await readFile(join(dir, 'runs'), 'utf8'));

describe('how the agent finds its apiserver', () => {
  test('in a cluster it uses the service host and port and the mounted ServiceAccount token and CA, and reads the rotated token again', async (t) => {
    const root = await tempDir('sa-');
    const saDir = join(root, SA_PATH);
    await mkdir(saDir, { recursive: true });
    await writeFile(join(saDir, 'token'), 'first-token\n');
    await writeFile(join(saDir, 'ca.crt'), 'CA PEM');
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    t.after(() => {
      process.env.KUBERNETES_SERVICE_HOST = saved.host;
      process.env.KUBERNETES_SERVICE_PORT = saved.port;
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    });
    process.env.KUBERNETES_SERVICE_HOST = 'fd00::1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    const target = await inClusterTarget(`${root}/`);
    t.after(() => target.credentials.close());
    assert.equal(target.url.href, 'https://[fd00::1]/');
    const first = await credentialsOf(target);
    assert.equal(first.authorization, 'Bearer first-token');
    assert.equal(String(first.tls.ca), 'CA PEM');

    await writeFile(join(saDir, 'token'), 'second-token');
    const second = await target.credentials.refresh();
    assert.equal(second.authorization, 'Bearer second-token');
    assert.equal(
      second.tls,
      first.tls,
      'unchanged TLS material stays the same object, so connections are kept',
    );
  });

  test('outside a cluster without a kubeconfig it says what is missing', async (t) => {
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    t.after(() => {
      if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
    });
    delete process.env.KUBERNETES_SERVICE_HOST;
    await assert.rejects(
      inClusterTarget('/nonexistent'),
      /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset/,
    );
  });

  test('with a kubeconfig it uses the current context, its CA file relative to the kubeconfig, and its token', async (t) => {
    const dir = await tempDir('kc-');
    await writeFile(join(dir, 'ca.pem'), 'FILE CA');
    const path = join(dir, 'config');
    await writeFile(
      path,
      stringify({
        'current-context': 'b',
        contexts: [
          { name: 'a', context: { cluster: 'one', user: 'u1' } },
          { name: 'b', context: { cluster: 'two', user: 'u2' } },
        ],
        clusters: [
          { name: 'one', cluster: { server: 'https://one.invalid' } },
          { name: 'two', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority': 'ca.pem' } },
        ],
        users: [
          { name: 'u1', user: { token: 'wrong' } },
          { name: 'u2', user: { token: 'right' } },
        ],
      }),
    );
    const target = await kubeconfigTarget(path);
    t.after(() => target.credentials.close());
    assert.equal(target.url.origin, 'https://127.0.0.1:6443');
    const credentials = await credentialsOf(target);
    assert.equal(String(credentials.tls.ca), 'FILE CA');
    assert.equal(credentials.authorization, 'Bearer right');
  });

  test('several kubeconfig paths are merged as kubectl merges KUBECONFIG: the first definition and current-context win, missing files are skipped', async (t) => {
    const first = await writeKubeconfig(
      stringify({
        'current-context': 'b',
        contexts: [{ name: 'b', context: { cluster: 'two', user: 'u2' } }],
        clusters: [],
        users: [{ name: 'u2', user: { token: 'from-the-first-file' } }],
      }),
    );
    const second = await writeKubeconfig(
      stringify({
        'current-context': 'a',
        contexts: [
          { name: 'a', context: { cluster: 'one', user: 'u1' } },
          { name: 'b', context: { cluster: 'one', user: 'u1' } },
        ],
        clusters: [
          { name: 'one', cluster: { server: 'https://one.invalid' } },
          {
            name: 'two',
            cluster: { server: 'https://127.0.0.2:6443', 'tls-server-name': 'apiserver.internal' },
          },
        ],
        users: [
          { name: 'u1', user: { token: 'wrong' } },
          { name: 'u2', user: { token: 'shadowed' } },
        ],
      }),
    );
    const missing = join(tmpdir(), 'no-such-kubeconfig');
    const target = await kubeconfigTarget([first, missing, second].join(delimiter));
    t.after(() => target.credentials.close());
    assert.equal(target.url.origin, 'https://127.0.0.2:6443');
    const credentials = await credentialsOf(target);
    assert.equal(credentials.authorization, 'Bearer from-the-first-file');
    assert.equal(credentials.tls.servername, 'apiserver.internal');
  });

  test('tls-server-name and an http proxy-url are carried to the connections', async (t) => {
    const target = await kubeconfigTarget(
      await writeKubeconfig(
        kubeconfig({
          'tls-server-name': 'kubernetes.default.svc',
          'proxy-url': 'http://proxy.internal:3128',
        }),
      ),
    );
    t.after(() => target.credentials.close());
    assert.equal((await credentialsOf(target)).tls.servername, 'kubernetes.default.svc');
    assert.equal(target.proxyUrl?.href, 'http://proxy.internal:3128/');
  });

  test('a tokenFile relative to the kubeconfig is read, without its newline', async (t) => {
    const dir = await tempDir('kc-');
    await writeFile(join(dir, 'token'), 'file-token\n');
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({}, { tokenFile: 'token' }));
    const target = await kubeconfigTarget(path);
    t.after(() => target.credentials.close());
    assert.equal((await credentialsOf(target)).authorization, 'Bearer file-token');
  });

  test('configurations the agent cannot honour are refused at start with the reason', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'skips TLS verification',
        kubeconfig({ 'insecure-skip-tls-verify': true }),
        /insecure-skip-tls-verify is not supported; give the apiserver's CA/,
      ],
      [
        'a SOCKS proxy',
        kubeconfig({ 'proxy-url': 'socks5://127.0.0.1:1080' }),
        /proxy-url socks5:\/\/ is not supported; the agent goes through HTTP CONNECT proxies only/,
      ],
      [
        'plain HTTP',
        kubeconfig({ server: 'http://127.0.0.1:8080' }),
        /server http:\/\/127\.0\.0\.1:8080 is not https:\/\//,
      ],
      [
        'impersonation in the kubeconfig',
        kubeconfig({}, { token: 't', as: 'someone' }),
        /user u impersonates someone \("as"\); the agent impersonates each request's user itself/,
      ],
      [
        'a current-context that does not exist',
        stringify({ 'current-context': 'gone', contexts: [], clusters: [], users: [] }),
        /current-context "gone" not found/,
      ],
    ];
    for (const [name, text, expected] of cases) {
      const path = await writeKubeconfig(text);
      await assert.rejects(kubeconfigTarget(path), (error: Error) => {
        assert.match(error.message, expected, name);
        assert.ok(error.message.startsWith(`kubeconfig ${path}: `), `${name}: names the file`);
        return true;
      });
    }
    await assert.rejects(
      kubeconfigTarget('/nonexistent/kubeconfig'),
      /kubeconfig \/nonexistent\/kubeconfig: ENOENT/,
    );
  });

  test('an exec credential plugin that fails stops the agent at start with what the plugin said', async () => {
    const dir = await tempDir('exec-');
    const plugin = await writePlugin(
      dir,
      `process.stderr.write('no cloud credentials found'); process.exit(1);`,
    );
    await assert.rejects(
      kubeconfigTarget(await writeKubeconfig(kubeconfig({}, execUser(plugin)))),
      /the exec credential plugin failed: no cloud credentials found/,
    );
  });

  test('an exec plugin runs once per credential, not per request, and runs again before its credential expires', async (t) => {
    const CREDENTIAL_LIFETIME_MS = 20_000;
    const dir = await tempDir('exec-');
    const plugin = await writePlugin(
      dir,
      `process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: { token: 'token-' + runs, expirationTimestamp: new Date(Date.now() + ${CREDENTIAL_LIFETIME_MS}).toISOString() },
}));`,
    );
    const target = await kubeconfigTarget(await writeKubeconfig(kubeconfig({}, execUser(plugin))));
    t.after(() => target.credentials.close());
    const first = target.credentials.current();
    assert.ok(!(first instanceof Promise), 'a valid credential is there without waiting');
    assert.equal(first.authorization, 'Bearer token-1');
    for (let i = 0; i < 1000; i++) assert.equal(target.credentials.current(), first);
    assert.equal(await runsOf(dir), 1);

    // The credential is replaced ahead of its expiry (a fifth of its life before it), without a
    // request waiting. Its life leaves the replacement run of the plugin 4 s: starting a Node
    // process takes seconds on a loaded machine.
    const deadline = Date.now() + CREDENTIAL_LIFETIME_MS;
    let current = target.credentials.current();
    while (current === first && Date.now() < deadline) {
      await sleep(100);
      current = target.credentials.current();
    }
    assert.ok(!(current instanceof Promise), 'the replacement came before the old credential expired');
    assert.equal(current.authorization, 'Bearer token-2');
    assert.equal(await runsOf(dir), 2);
  });
});
