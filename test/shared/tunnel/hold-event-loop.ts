/**
 * Holds this process's event loop for `ms`, from a setImmediate callback: like a stall in
 * the handling of a message (a long synchronous task, a starved process), it ends where the
 * loop runs its timers next, before it reads sockets again.
 */
export function holdEventLoop(ms: number): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // busy
      }
      resolve();
    }),
  );
}
