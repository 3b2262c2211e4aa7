import { AGENT_NAME, AGENT_NAMESPACE } from '../../src/clusters/install-manifest.ts';
import type { TestCluster } from './cluster.ts';
import { writeKubeconfig } from './kubeconfig.ts';

/**
 * Applies an agent's install manifest to a test cluster the way an administrator does, and
 * writes a kubeconfig with the agent ServiceAccount's token, for an agent that runs outside
 * the cluster (the simulated nodes cannot run its container).
 */
export async function installAgentIdentity(
  cluster: TestCluster,
  manifest: string,
  kubeconfigPath: string,
  userName = `system:serviceaccount:${AGENT_NAMESPACE}:${AGENT_NAME}`,
): Promise<void> {
  await cluster.kubectlOk('admin', ['apply', '-f', '-'], { stdin: manifest });
  const token = (
    await cluster.kubectlOk('admin', ['create', 'token', AGENT_NAME, '-n', AGENT_NAMESPACE, '--duration=24h'])
  ).trim();
  await writeKubeconfig(kubeconfigPath, {
    clusterName: cluster.name,
    server: cluster.server,
    caPem: cluster.caPem,
    userName,
    token,
  });
}
