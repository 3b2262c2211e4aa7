import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** What a kubeconfig needs to reach one apiserver as one user. */
export interface KubeconfigSpec {
  readonly clusterName: string;
  readonly server: string;
  readonly caPem: string;
  readonly userName: string;
  readonly token: string;
}

/** Renders a single-context kubeconfig. */
export function renderKubeconfig(spec: KubeconfigSpec): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: spec.clusterName,
        cluster: {
          server: spec.server,
          'certificate-authority-data': Buffer.from(spec.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name: spec.userName, user: { token: spec.token } }],
    contexts: [{ name: spec.clusterName, context: { cluster: spec.clusterName, user: spec.userName } }],
    'current-context': spec.clusterName,
  });
}

export async function writeKubeconfig(path: string, spec: KubeconfigSpec): Promise<void> {
  await writeFile(path, renderKubeconfig(spec), { mode: 0o600 });
}
