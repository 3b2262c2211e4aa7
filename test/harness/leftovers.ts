import { readdirSync, readFileSync } from 'node:fs';
import { processesOfLiveOwners } from './process-registry.ts';

// This checkout's run folder, by absolute path: a second checkout's test run on the same
// machine is none of our business.
const ownTestRunsDir = new URL('../../.test-runs/', import.meta.url).pathname;

/** A process still running one of the harness's commands. */
export interface Leftover {
  readonly pid: number;
  readonly command: string;
}

/**
 * Lists processes whose command line points into the harness's run folder: every etcd,
 * apiserver, controller, scheduler and KWOK the harness starts names a file there. With
 * `exceptLiveRuns`, those a test process that still runs has recorded are left out: after a
 * run's own test processes have ended they belong to another test run of this checkout (a
 * single file run beside the whole suite), and killing them would fail that run.
 */
export function findLeftovers(
  marker = ownTestRunsDir,
  options: { exceptLiveRuns?: boolean } = {},
): Leftover[] {
  const found: Leftover[] = [];
  const othersRunning = options.exceptLiveRuns ? processesOfLiveOwners() : new Set<number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number.parseInt(entry, 10);
    if (!Number.isFinite(pid) || pid === process.pid || othersRunning.has(pid)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes(marker)) found.push({ pid, command: cmdline.split('\0').join(' ').slice(0, 200) });
  }
  return found;
}
