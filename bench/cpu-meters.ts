// CPU time spent by the processes a benchmark measures, per piece of work: read before and
// after, less what each spends idle. One module for every benchmark that reports CPU per
// request or per MB (bench/passthrough.ts, bench/tunnel-throughput.ts, bench/peer-hop.ts).
import { cpuMs, ioSyscalls } from './process-cpu.ts';

/** One process whose CPU time is counted, by name. */
export interface CpuMeter {
  readonly name: string;
  /** CPU ms (user + system) it has used so far. */
  readonly read: () => number;
}

/** A meter for a process by pid (0 while it does not run). */
export function processMeter(name: string, pid: number | undefined): CpuMeter {
  return { name, read: () => cpuMs(pid) };
}

/**
 * A meter of a process's read and write system calls (not CPU: read it with the same
 * functions, per request, less its idle rate).
 */
export function syscallMeter(name: string, pid: number | undefined): CpuMeter {
  return { name, read: () => ioSyscalls(pid) };
}

/** CPU ms each meter's process spent while `work` ran, by name, beside the work's result. */
export async function cpuDuring<T>(
  meters: readonly CpuMeter[],
  work: () => Promise<T>,
): Promise<{ result: T; cpu: Map<string, number> }> {
  const before = meters.map((m) => m.read());
  const result = await work();
  const cpu = new Map<string, number>();
  for (const [i, m] of meters.entries()) cpu.set(m.name, m.read() - (before[i] ?? 0));
  return { result, cpu };
}

/** Adds what was spent into running totals by name. */
export function addCpu(totals: Map<string, number>, spent: ReadonlyMap<string, number>): void {
  for (const [name, ms] of spent) totals.set(name, (totals.get(name) ?? 0) + ms);
}

/**
 * CPU ms per wall ms each process spends while nothing is asked of it (a cluster's
 * controllers, heartbeats), sampled for `sampleMs`: taken out of the CPU per request.
 */
export async function idleCpuPerMs(
  meters: readonly CpuMeter[],
  sampleMs: number,
): Promise<Map<string, number>> {
  const started = performance.now();
  const { cpu } = await cpuDuring(meters, () => new Promise((resolve) => setTimeout(resolve, sampleMs)));
  const wallMs = performance.now() - started;
  return new Map([...cpu].map(([name, ms]) => [name, ms / wallMs]));
}
