/**
 * Full-jitter exponential backoff (docs/tunnel-protocol.md §8): a delay drawn evenly from
 * zero to min(max, base × 2^attempt), so that many clients that failed together do not
 * retry together. Used by the agent's reconnects and by the gateway's list/watch machine.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
