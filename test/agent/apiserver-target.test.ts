import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { inClusterTarget, kubeconfigTarget } from '../../agent/apiserver-target.ts';

describe('how the agent finds its apiserver', () => {
  test('in a cluster it uses the service host and port and the mounted ServiceAccount token and CA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sa-'));
    await writeFile(join(dir, 'token'), 'first-token\n');
    await writeFile(join(dir, 'ca.crt'), 'CA PEM');
    const target = inClusterTarget(
      { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
      dir,
    );
    assert.equal(target.url.href, 'https://[fd00::1]/');
    assert.equal(target.caPem, 'CA PEM');
    assert.equal(target.bearerToken(), 'first-token');
  });

  test('outside a cluster without a kubeconfig it says what is missing', () => {
    assert.throws(
      () => inClusterTarget({}, '/nonexistent'),
      /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset/,
    );
  });

  test('with a kubeconfig it uses the current context, its CA and token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
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
    const target = kubeconfigTarget(path);
    assert.equal(target.url.origin, 'https://127.0.0.1:6443');
    assert.equal(target.caPem, 'FILE CA');
    assert.equal(target.bearerToken(), 'right');
  });

  test('a kubeconfig that skips TLS verification is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kc-'));
    const path = join(dir, 'config');
    await writeFile(
      path,
      stringify({
        'current-context': 'a',
        contexts: [{ name: 'a', context: { cluster: 'one', user: 'u' } }],
        clusters: [
          { name: 'one', cluster: { server: 'https://x.invalid', 'insecure-skip-tls-verify': true } },
        ],
        users: [{ name: 'u', user: {} }],
      }),
    );
    assert.throws(() => kubeconfigTarget(path), /insecure-skip-tls-verify is not supported/);
  });
});
