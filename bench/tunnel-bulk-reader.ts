// Worker thread for bench/tunnel-throughput.ts: downloads a large response as fast as it
// can and throws the bytes away. It runs on its own thread so that reading tens of MB does
// not sit in the event loop of the small requests whose latency is being measured beside it.
import { Agent, request } from 'node:https';
import { parentPort } from 'node:worker_threads';

/** One order from the main thread: download `url`, again and again until `minMs` passed. */
export interface BulkOrder {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly caPem: string;
  /** 0: exactly one transfer. */
  readonly minMs: number;
}

/** What one order measured. */
export interface BulkResult {
  readonly transfers: readonly { readonly bytes: number; readonly ms: number }[];
}

function download(order: BulkOrder, agent: Agent): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(order.url, { agent, headers: order.headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${order.url}: HTTP ${res.statusCode}`));
        else resolve({ bytes, ms: performance.now() - started });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const port = parentPort;
if (!port) throw new Error('tunnel-bulk-reader.ts runs as a worker thread');
port.on('message', async (order: BulkOrder) => {
  // A keep-alive connection, so that only the first transfer of an order pays a handshake.
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: order.caPem });
  try {
    const transfers: { bytes: number; ms: number }[] = [];
    const began = performance.now();
    do transfers.push(await download(order, agent));
    while (performance.now() - began < order.minMs);
    port.postMessage({ transfers } satisfies BulkResult);
  } catch (error) {
    port.postMessage({ error: (error as Error).message });
  } finally {
    agent.destroy();
  }
});
