import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ControlPlaneBinaries } from './binaries.ts';
import { probe } from './http-probe.ts';
import { ManagedProcess } from './managed-process.ts';

// Stage files (inside the KWOK module's kustomize/stage folder) that make fake nodes Ready,
// keep their leases fresh, and move pods to Running, Succeeded and deleted without delay.
const STAGE_FILES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
];

/** The annotation that marks a node as one this cluster's KWOK simulates. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export interface KwokOptions {
  readonly dir: string;
  readonly kubeconfig: string;
  /** Port of KWOK's kubelet-like server (logs, exec, attach, port-forward). */
  readonly serverPort: number;
  /** What `kubectl logs` shows for every container: CRI log lines are written here. */
  readonly containerLogFile: string;
  /** Where `kubectl port-forward` to any pod ends up. */
  readonly portForwardTarget: { readonly address: string; readonly port: number };
}

/**
 * Debugging rules: `kubectl exec` runs the command on this machine (in a scratch folder),
 * logs come from one file, and port-forward reaches one loopback address. That is what
 * lets tests use exec, logs -f and port-forward for real against simulated pods.
 */
function debuggingRules(options: KwokOptions): object[] {
  const meta = (name: string) => ({ apiVersion: 'kwok.x-k8s.io/v1alpha1', metadata: { name } });
  return [
    { kind: 'ClusterExec', ...meta('exec-locally'), spec: { execs: [{ local: { workDir: options.dir } }] } },
    {
      kind: 'ClusterLogs',
      ...meta('logs-from-file'),
      spec: { logs: [{ logsFile: options.containerLogFile, follow: true }] },
    },
    {
      kind: 'ClusterAttach',
      ...meta('attach-to-file'),
      spec: { attaches: [{ logsFile: options.containerLogFile }] },
    },
    {
      kind: 'ClusterPortForward',
      ...meta('forward-to-loopback'),
      spec: {
        forwards: [
          { target: { address: options.portForwardTarget.address, port: options.portForwardTarget.port } },
        ],
      },
    },
  ];
}

/** Starts KWOK managing the nodes annotated with KWOK_NODE_ANNOTATION=fake. */
export async function startKwok(
  binaries: ControlPlaneBinaries,
  options: KwokOptions,
): Promise<ManagedProcess> {
  const stages = await Promise.all(
    STAGE_FILES.map((file) => readFile(join(binaries.kwokStages, file), 'utf8')),
  );
  const rules = debuggingRules(options).map((rule) => stringify(rule));
  const configFile = join(options.dir, 'kwok.yaml');
  await writeFile(configFile, [...stages, ...rules].map((doc) => doc.trim()).join('\n---\n'));
  await writeFile(options.containerLogFile, `${new Date().toISOString()} stdout F container started\n`, {
    flag: 'a',
  });

  const kwok = ManagedProcess.start({
    name: 'kwok',
    command: binaries.kwok,
    logFile: join(options.dir, 'kwok.log'),
    args: [
      `--kubeconfig=${options.kubeconfig}`,
      `--config=${configFile}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      '--node-ip=127.0.0.1',
      '--node-name=localhost',
      `--node-port=${options.serverPort}`,
      `--server-address=127.0.0.1:${options.serverPort}`,
    ],
  });
  await kwok.waitUntil(
    'serving',
    async () =>
      (await probe(`https://127.0.0.1:${options.serverPort}/healthz`, { dangerouslySkipTlsVerify: true }))
        .status < 500,
    30_000,
  );
  return kwok;
}

/** A Node object for KWOK to simulate, with a realistic capacity. */
export function fakeNode(name: string): object {
  const capacity = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    status: { capacity, allocatable: capacity },
  };
}
