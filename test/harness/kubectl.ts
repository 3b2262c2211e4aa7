import { execFile, spawn } from 'node:child_process';

/** The kubectl the tests run: KUBECTL when set, else the one on PATH. */
export const kubectlBinary = process.env.KUBECTL ?? 'kubectl';

/** Output of one kubectl run. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  readonly stdin?: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs the real kubectl with a kubeconfig; never throws on a non-zero exit. */
export function runKubectl(
  kubeconfig: string,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlBinary,
      ['--kubeconfig', kubeconfig, ...args],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`kubectl ${args.join(' ')}: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}

/** Runs kubectl and returns stdout, throwing with stderr on failure. */
export async function kubectlOk(
  kubeconfig: string,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<string> {
  const result = await runKubectl(kubeconfig, args, options);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** A long-running kubectl (a watch, logs -f) whose output lines can be awaited. */
export interface KubectlStream {
  readonly lines: string[];
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when kubectl exits on its own or is stopped: its exit code and stderr. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  stop(): void;
}

/** Starts kubectl in the background, e.g. `get pods -w`. */
export function streamKubectl(
  kubeconfig: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): KubectlStream {
  const child = spawn(kubectlBinary, ['--kubeconfig', kubeconfig, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stderr })),
  );
  return {
    lines,
    exited,
    waitForLine(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(predicate);
          if (found === undefined) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no matching line from kubectl ${args.join(' ')} in ${timeoutMs} ms; got:\n${lines.join('\n')}\n${stderr}`,
            ),
          );
        }, timeoutMs);
        const wake = () => void check();
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
        check();
      });
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}
