import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';

const repoRoot = new URL('../../', import.meta.url).pathname;

/** Where the chart lives in the repository. */
export const chartDir = join(repoRoot, 'deploy/helm/fleetgate');

let cached: Promise<string> | undefined;

/**
 * The helm binary: FLEETGATE_HELM when set, else the build cache. The build script knows
 * the version and the cache; when helm is cached it answers at once, otherwise it builds
 * (minutes) and its progress lines go to this process's standard error as they come.
 */
export function helmBinary(): Promise<string> {
  cached ??= new Promise((resolve, reject) => {
    const child = spawn('bash', [join(repoRoot, 'scripts/build-helm.sh'), '--print-path'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      const path = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && path) resolve(path);
      else reject(new Error(`helm is not available (scripts/build-helm.sh exited ${code})`));
    });
  });
  return cached;
}

/** Output of one helm run. */
export interface HelmResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real helm; never throws on a non-zero exit. Its caches stay under `home`. */
export async function runHelm(args: readonly string[], home: string): Promise<HelmResult> {
  const helm = await helmBinary();
  return new Promise((resolve, reject) => {
    execFile(
      helm,
      args,
      {
        timeout: 120_000,
        maxBuffer: 16 << 20,
        // Helm keeps a cache, config and data folder; these keep it out of the user's own.
        env: {
          ...process.env,
          HELM_CACHE_HOME: join(home, 'cache'),
          HELM_CONFIG_HOME: join(home, 'config'),
          HELM_DATA_HOME: join(home, 'data'),
        },
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`helm ${args.join(' ')}: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}
