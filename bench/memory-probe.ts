// Preloaded into the gateway by bench/agents.ts and bench/subscriptions.ts
// (NODE_OPTIONS=--import=...): on SIGUSR2 it collects garbage and writes
// process.memoryUsage() to FLEETGATE_BENCH_MEMORY_FILE, so the benchmark reads the live JS
// heap, which /proc cannot show, without a metrics endpoint. With
// FLEETGATE_BENCH_PROFILE_DIR, SIGTTIN starts a CPU profile and SIGTTOU writes it there
// (window-N.cpuprofile): a profile of the measured window alone, without start-up and attach.

import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
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

const profileDir = process.env.FLEETGATE_BENCH_PROFILE_DIR;
if (profileDir) {
  const session = new Session();
  session.connect();
  let window = 0;
  let running = false;
  process.on('SIGTTIN', () => {
    if (running) return;
    running = true;
    void session.post('Profiler.enable').then(() => session.post('Profiler.start'));
  });
  process.on('SIGTTOU', () => {
    if (!running) return;
    running = false;
    const name = `window-${++window}.cpuprofile`;
    void session
      .post('Profiler.stop')
      .then(async ({ profile }) => {
        await mkdir(profileDir, { recursive: true });
        await writeFile(join(profileDir, name), JSON.stringify(profile));
      })
      .catch((error: unknown) => console.error(`bench probe: no ${name}: ${String(error)}`));
  });
}
