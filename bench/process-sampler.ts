// Reads a process's memory and CPU time from /proc, and the gateway's JS heap through
// bench/memory-probe.ts.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs } from './process-cpu.ts';

/** The NODE_OPTIONS that preload the memory probe into a Node process. */
export const memoryProbeNodeOptions = `--import=${new URL('./memory-probe.ts', import.meta.url).pathname}`;

/** Resident set size in bytes (VmRSS). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** Share of one core the process used over `windowMs`. */
export async function cpuShare(pid: number, windowMs: number): Promise<number> {
  const before = cpuMs(pid);
  const began = performance.now();
  await sleep(windowMs);
  return (cpuMs(pid) - before) / (performance.now() - began);
}

/** What the probe writes. */
export interface HeapSample {
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** Asks the probe in `pid` for a sample after a full GC and waits for it. */
export async function heapAfterGc(pid: number, file: string): Promise<HeapSample> {
  const asked = Date.now();
  process.kill(pid, 'SIGUSR2');
  const deadline = asked + 15_000;
  while (Date.now() < deadline) {
    const sample = await readFile(file, 'utf8')
      .then((text) => JSON.parse(text) as HeapSample)
      .catch(() => undefined);
    if (sample && sample.at >= asked) return sample;
    await sleep(50);
  }
  throw new Error(`no memory sample from ${pid} (is bench/memory-probe.ts preloaded?)`);
}
