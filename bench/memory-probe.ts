// Preloaded into the gateway by bench/agents.ts (NODE_OPTIONS=--import=...): on SIGUSR2 it
// collects garbage and writes process.memoryUsage() to FLEETGATE_BENCH_MEMORY_FILE, so the
// benchmark reads the live JS heap, which /proc cannot show, without a metrics endpoint.
import { renameSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const file = process.env.FLEETGATE_BENCH_MEMORY_FILE;
if (file) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let sample = 0;
  process.on('SIGUSR2', () => {
    gc();
    gc();
    const usage = { sample: ++sample, at: Date.now(), ...process.memoryUsage() };
    // Written aside and renamed, so that the reader never sees half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify(usage));
    renameSync(`${file}.tmp`, file);
  });
}
