import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlPlaneBinaries } from './binaries.ts';
import { probe } from './http-probe.ts';
import { ManagedProcess } from './managed-process.ts';
import { freePort } from './ports.ts';

/** A running etcd that one or more test apiservers store their state in. */
export interface TestEtcd {
  readonly clientUrl: string;
  readonly process: ManagedProcess;
}

const ETCD_READY_TIMEOUT_MS = 30_000;

/** Starts a single-member etcd on loopback with fsync off (test data is throwaway). */
export async function startEtcd(
  binaries: ControlPlaneBinaries,
  dir: string,
  name = 'etcd',
): Promise<TestEtcd> {
  await mkdir(dir, { recursive: true });
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = ManagedProcess.start({
    name,
    command: binaries.etcd,
    logFile: join(dir, '..', `${name}.log`),
    args: [
      `--name=${name}`,
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${name}=${peerUrl}`,
      '--unsafe-no-fsync',
      '--quota-backend-bytes=4294967296',
      '--log-level=warn',
    ],
  });
  await etcd.waitUntil(
    'healthy',
    async () => (await probe(`${clientUrl}/health`)).body.includes('"health":"true"'),
    ETCD_READY_TIMEOUT_MS,
  );
  return { clientUrl, process: etcd };
}
