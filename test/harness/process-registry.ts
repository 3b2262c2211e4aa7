import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every process the harness starts is listed here and in a pid file, so that:
 *  - a normal or failing exit of the test process kills them (exit handler);
 *  - Ctrl-C or SIGTERM kills them;
 *  - a test process that was itself SIGKILLed leaves a pid file that the next harness
 *    start (or the post-test leftover check) uses to reap the orphans.
 */
const live = new Map<number, string>();
let pidFile: string | undefined;

/** Where the pid files of harness owners live. */
export const pidFileDir = join(new URL('../../', import.meta.url).pathname, '.test-runs', 'owners');

function writePidFile(): void {
  if (!pidFile) {
    mkdirSync(pidFileDir, { recursive: true });
    pidFile = join(pidFileDir, `${process.pid}.pids`);
    installHandlers();
  }
  const lines = [...live].map(([pid, name]) => `${pid} ${name}`);
  writeFileSync(pidFile, lines.length ? `${lines.join('\n')}\n` : '');
}

export function rememberProcess(pid: number, name: string): void {
  live.set(pid, name);
  writePidFile();
}

export function forgetProcess(pid: number): void {
  live.delete(pid);
  if (pidFile) writePidFile();
}

function killAllNow(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  if (pidFile) rmSync(pidFile, { force: true });
}

function installHandlers(): void {
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** True when the process still runs one of the harness's commands (pids get reused). */
function isHarnessProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(
      new URL('../../.test-runs/', import.meta.url).pathname,
    );
  } catch {
    return false;
  }
}

/** The pids recorded by harness owners that still run: another test run's clusters, never leftovers. */
export function processesOfLiveOwners(): Set<number> {
  const owned = new Set<number>();
  let files: string[];
  try {
    files = readdirSync(pidFileDir);
  } catch {
    return owned;
  }
  for (const file of files) {
    const ownerPid = Number.parseInt(file, 10);
    if (!Number.isFinite(ownerPid) || ownerPid === process.pid || !isAlive(ownerPid)) continue;
    let text: string;
    try {
      text = readFileSync(join(pidFileDir, file), 'utf8');
    } catch {
      continue; // its owner ended meanwhile
    }
    for (const line of text.split('\n')) {
      const pid = Number.parseInt(line.split(' ')[0] ?? '', 10);
      if (Number.isFinite(pid)) owned.add(pid);
    }
  }
  return owned;
}

/** Whether a process of this pid runs (another test run of this checkout, say). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills processes recorded by harness owners that no longer exist. Returns what it killed,
 * as "pid name" strings.
 */
export function reapOrphans(): string[] {
  const reaped: string[] = [];
  let files: string[];
  try {
    files = readdirSync(pidFileDir);
  } catch {
    return reaped;
  }
  for (const file of files) {
    const ownerPid = Number.parseInt(file, 10);
    if (!Number.isFinite(ownerPid) || ownerPid === process.pid || isAlive(ownerPid)) continue;
    const path = join(pidFileDir, file);
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const [pidText, name = '?'] = line.split(' ');
      const pid = Number.parseInt(pidText ?? '', 10);
      if (Number.isFinite(pid) && isHarnessProcess(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
          reaped.push(`${pid} ${name}`);
        } catch {
          // raced with its own exit
        }
      }
    }
    rmSync(path, { force: true });
  }
  return reaped;
}
