import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Paths of the control-plane binaries a test cluster runs. */
export interface ControlPlaneBinaries {
  readonly dir: string;
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kwok: string;
  /** Folder of KWOK stage YAML files (node and pod lifecycles). */
  readonly kwokStages: string;
}

const repoRoot = new URL('../../', import.meta.url).pathname;

let cached: Promise<ControlPlaneBinaries> | undefined;

/**
 * Finds the control-plane binaries: FLEETGATE_ASSETS when set, else the build cache. The
 * build script is the one place that knows versions and cache layout, so it is asked; when
 * everything is cached it answers in milliseconds, otherwise it builds (minutes).
 */
export function controlPlaneBinaries(): Promise<ControlPlaneBinaries> {
  cached ??= locate();
  return cached;
}

async function locate(): Promise<ControlPlaneBinaries> {
  const script = join(repoRoot, 'scripts/build-control-plane.sh');
  let dir: string;
  try {
    const { stdout } = await execFileAsync('bash', [script, '--print-dir'], {
      maxBuffer: 1 << 20,
      timeout: 40 * 60_000,
    });
    dir = stdout.trim().split('\n').at(-1) ?? '';
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`control-plane binaries are not available:\n${stderr.trim()}`);
  }
  const binaries: ControlPlaneBinaries = {
    dir,
    etcd: join(dir, 'etcd'),
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubeScheduler: join(dir, 'kube-scheduler'),
    kwok: join(dir, 'kwok'),
    kwokStages: join(dir, 'kwok-stages'),
  };
  for (const path of [
    binaries.etcd,
    binaries.kubeApiserver,
    binaries.kubeControllerManager,
    binaries.kubeScheduler,
    binaries.kwok,
  ]) {
    await access(path, constants.X_OK);
  }
  return binaries;
}
