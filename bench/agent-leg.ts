// An experiment, not product code: what the agent's leg (a request to the apiserver with the
// agent's own credential, the answer read back) costs in CPU with three HTTP/1.1 clients,
// side by side in one run against one real apiserver:
//   undici    the agent's undici Pool, same options and the same dispatch handler shape
//   raw       a pooled keep-alive TLS socket, the request head written by hand in one write,
//             the answer parsed only as far as framing needs (status line, headers,
//             Content-Length or chunked): a MINIMAL HAND-WRITTEN PARSER (no llhttp binding
//             is available as a package without a native build), enough for GETs only
//   node-http https.request with a keep-alive Agent, as the agent's node:https path
// Each body is read and dropped (the agent would write it to the tunnel: the same for all).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { parseArgs } from 'node:util';
import { type Dispatcher, Pool } from 'undici';
import { stringify } from 'yaml';
import { withoutHopByHop } from '../src/shared/http/hop-by-hop.ts';
import { startBareApiservers } from './bare-apiservers.ts';
import { cpuDuring, processMeter } from './cpu-meters.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    'list-requests': { type: 'string', default: '6' },
    'bare-server': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: node bench/agent-leg.ts [options]

Starts one bare kube-apiserver (with etcd) and measures the agent's leg with three clients in
turns within each round: undici (as agent/ uses it), a raw relay (hand-written request head on
a pooled TLS socket, minimal hand-written response framing) and node:https with keep-alive.
Reports this process's CPU per request and per MB, p50/p99, and ratios against undici.

  --requests N        small GETs per case, client and round (default 2000)
  --rounds N          rounds (default 3)
  --list-requests N   large-list GETs per client and round (default 6)
  --bare-server       also: a bare node:https server in a child process answering a fixed
                      small body, asked by the undici client at 1 and 32 in flight: the
                      server's CPU per request, the floor of what Node's HTTP server costs the
                      gateway for a small GET`);
  process.exit(0);
}
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const listRequests = Number(values['list-requests']);

/** One client: sends a GET with the given headers, reads and drops the body, gives its size. */
interface LegClient {
  readonly name: string;
  get(path: string, headers: [string, string][]): Promise<number>;
  close(): Promise<void>;
}

function undiciClient(origin: URL, ca: string): LegClient {
  // Options as agent/apiserver-connections.ts newPool.
  const pool = new Pool(origin.origin, {
    connections: null,
    pipelining: 1,
    allowH2: false,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 30_000,
    connect: { ca, rejectUnauthorized: true },
  });
  return {
    name: 'undici',
    get: (path, headers) =>
      new Promise((resolve, reject) => {
        const flat: string[] = [];
        for (const [n, v] of headers) flat.push(n, v);
        let bytes = 0;
        pool.dispatch({ path, method: 'GET', headers: flat, body: null, headersTimeout: 0, bodyTimeout: 0 }, {
          onRequestStart() {},
          onResponseStart(
            started: Dispatcher.DispatchController & { rawHeaders?: unknown },
            statusCode: number,
          ) {
            if (statusCode !== 200) reject(new Error(`status ${statusCode}`));
            const raw = ((started as { rawHeaders?: (Buffer | string)[] }).rawHeaders ?? []) as Buffer[];
            const pairs: [string, string][] = [];
            for (let i = 0; i + 1 < raw.length; i += 2)
              pairs.push([String(raw[i]?.toString('latin1')), String(raw[i + 1]?.toString('latin1'))]);
            withoutHopByHop(pairs);
          },
          onResponseData(_c: unknown, chunk: Buffer) {
            bytes += chunk.length;
          },
          onResponseEnd() {
            resolve(bytes);
          },
          onResponseError(_c: unknown, error: Error) {
            reject(error);
          },
        } as unknown as Dispatcher.DispatchHandler);
      }),
    close: () => pool.close(),
  };
}

function nodeHttpClient(origin: URL, ca: string): LegClient {
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 64, ca });
  return {
    name: 'node-http',
    get: (path, headers) =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(
          {
            host: origin.hostname,
            port: origin.port,
            path,
            method: 'GET',
            agent,
            headers: Object.fromEntries(headers),
          },
          (res) => {
            if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
            withoutHopByHop(pairsOf(res.rawHeaders));
            let bytes = 0;
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', () => resolve(bytes));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      }),
    close: async () => agent.destroy(),
  };
}

function pairsOf(raw: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * One response being read off a socket: the minimal framing a relay needs. Returns the
 * bytes left after the response ended (none with one request at a time) or undefined while
 * it goes on.
 */
class ResponseFraming {
  head: Buffer | undefined = Buffer.alloc(0);
  mode: 'length' | 'chunked' | 'close' = 'length';
  remaining = 0; // body bytes (length) or bytes of the current chunk's data
  chunkState: 'size' | 'data' | 'data-crlf' | 'trailers' = 'size';
  line = '';
  bodyBytes = 0;
  status = 0;
  /** Feeds bytes; true once the response is complete. */
  feed(chunk: Buffer): boolean {
    let offset = 0;
    if (this.head) {
      const joined = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      const end = joined.indexOf(CRLF2);
      if (end < 0) {
        if (joined.length > 64 * 1024) throw new Error('response head too large');
        this.head = joined;
        return false;
      }
      this.parseHead(joined.toString('latin1', 0, end));
      this.head = undefined;
      chunk = joined;
      offset = end + 4;
      if (this.mode === 'length' && this.remaining === 0) return true;
    }
    if (this.mode === 'length') {
      const n = Math.min(this.remaining, chunk.length - offset);
      this.bodyBytes += n; // the relay would write chunk.subarray(offset, offset + n)
      this.remaining -= n;
      return this.remaining === 0;
    }
    if (this.mode === 'close') throw new Error('response without framing');
    return this.feedChunked(chunk, offset);
  }
  private parseHead(head: string): void {
    const lines = head.split('\r\n');
    this.status = Number(lines[0]?.slice(9, 12));
    if (this.status < 200) throw new Error('1xx not handled by this experiment');
    const pairs: [string, string][] = [];
    let length = -1;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i] as string;
      const colon = l.indexOf(':');
      const name = l.slice(0, colon);
      const value = l.slice(colon + 1).trim();
      pairs.push([name, value]);
      const lower = name.toLowerCase();
      if (lower === 'content-length') length = Number(value);
      else if (lower === 'transfer-encoding') chunked = value.toLowerCase().endsWith('chunked');
    }
    withoutHopByHop(pairs); // the RESPONSE frame's pairs, as the agent sends them
    if (this.status === 204 || this.status === 304) {
      this.mode = 'length';
      this.remaining = 0;
    } else if (chunked) this.mode = 'chunked';
    else if (length >= 0) {
      this.mode = 'length';
      this.remaining = length;
    } else this.mode = 'close';
  }
  private feedChunked(chunk: Buffer, offset: number): boolean {
    while (offset < chunk.length) {
      if (this.chunkState === 'data') {
        const n = Math.min(this.remaining, chunk.length - offset);
        this.bodyBytes += n;
        this.remaining -= n;
        offset += n;
        if (this.remaining === 0) this.chunkState = 'data-crlf';
        continue;
      }
      const nl = chunk.indexOf(10, offset);
      if (nl < 0) {
        this.line += chunk.toString('latin1', offset);
        return false;
      }
      const line = (this.line + chunk.toString('latin1', offset, nl)).replace(/\r$/, '');
      this.line = '';
      offset = nl + 1;
      if (this.chunkState === 'data-crlf') this.chunkState = 'size';
      else if (this.chunkState === 'size') {
        const size = Number.parseInt(line, 16);
        if (Number.isNaN(size)) throw new Error('bad chunk size');
        if (size === 0) this.chunkState = 'trailers';
        else {
          this.remaining = size;
          this.chunkState = 'data';
        }
      } else if (line === '') return true; // end of trailers
    }
    return false;
  }
}

function rawRelayClient(origin: URL, ca: string): LegClient {
  const idle: TLSSocket[] = [];
  const all = new Set<TLSSocket>();
  const open = (): Promise<TLSSocket> =>
    new Promise((resolve, reject) => {
      const socket = connect({
        host: origin.hostname,
        port: Number(origin.port),
        ca,
        ALPNProtocols: ['http/1.1'],
      });
      socket.setNoDelay(true);
      all.add(socket);
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', reject);
      socket.on('close', () => {
        all.delete(socket);
        const i = idle.indexOf(socket);
        if (i >= 0) idle.splice(i, 1);
      });
    });
  const hostLine = `Host: ${origin.host}\r\n`;
  return {
    name: 'raw',
    get: async (path, headers) => {
      const socket = idle.pop() ?? (await open());
      return new Promise((resolve, reject) => {
        let head = `GET ${path} HTTP/1.1\r\n${hostLine}`;
        for (const [n, v] of headers) head += `${n}: ${v}\r\n`;
        head += '\r\n';
        const framing = new ResponseFraming();
        const onData = (chunk: Buffer) => {
          let done: boolean;
          try {
            done = framing.feed(chunk);
          } catch (error) {
            socket.destroy();
            cleanup();
            reject(error);
            return;
          }
          if (done) {
            cleanup();
            if (framing.status !== 200) reject(new Error(`status ${framing.status}`));
            idle.push(socket);
            resolve(framing.bodyBytes);
          }
        };
        const onClose = () => {
          cleanup();
          reject(new Error('apiserver closed the connection'));
        };
        const cleanup = () => {
          socket.off('data', onData);
          socket.off('close', onClose);
        };
        socket.on('data', onData);
        socket.on('close', onClose);
        socket.write(head, 'latin1');
      });
    },
    close: async () => {
      for (const s of all) s.destroy();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

interface CaseResult {
  cpuMs: number;
  count: number;
  bytes: number;
  wallMs: number;
  latencies: number[];
}

async function runCase(
  client: LegClient,
  path: string,
  headers: [string, string][],
  count: number,
  concurrency: number,
): Promise<CaseResult> {
  const latencies: number[] = [];
  let bytes = 0;
  let next = 0;
  const started = performance.now();
  const { cpu } = await cpuDuring([processMeter('client', process.pid)], async () => {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next++;
          const t = performance.now();
          const size = await client.get(path, headers);
          bytes += size;
          latencies.push(performance.now() - t);
        }
      }),
    );
  });
  return { cpuMs: cpu.get('client') ?? 0, count, bytes, wallMs: performance.now() - started, latencies };
}

/** A server answering every request with a fixed body of the size of a namespace's JSON. */
const BARE_SERVER = `
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
const body = Buffer.from(JSON.stringify({ kind: 'Namespace', pad: 'x'.repeat(420) }));
const server = createServer(
  { cert: readFileSync(process.env.CERT), key: readFileSync(process.env.KEY), keepAliveTimeout: 30000 },
  (req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  },
);
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function bareServer(clusterDir: string, caPem: string, headers: [string, string][]): Promise<void> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE_SERVER], {
    env: {
      ...process.env,
      CERT: join(clusterDir, 'pki', 'apiserver.crt'),
      KEY: join(clusterDir, 'pki', 'apiserver.key'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const origin = new URL(`https://127.0.0.1:${line.toString().trim()}`);
    const client = undiciClient(origin, caPem);
    const meters = [processMeter('server', child.pid), processMeter('client', process.pid)];
    await runCase(client, '/', headers, 500, 32);
    console.log(
      '\n| bare node:https server, undici client | server CPU ms per request | client CPU ms per request | req/s | p50 ms | p99 ms |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const concurrency of [1, 32]) {
      let server = 0;
      let clientCpu = 0;
      const latencies: number[] = [];
      let wallMs = 0;
      for (let round = 0; round < rounds; round++) {
        const { result, cpu } = await cpuDuring(meters, () =>
          runCase(client, '/', headers, requests, concurrency),
        );
        server += cpu.get('server') ?? 0;
        clientCpu += cpu.get('client') ?? 0;
        latencies.push(...result.latencies);
        wallMs += result.wallMs;
      }
      const count = requests * rounds;
      const sorted = latencies.sort((a, b) => a - b);
      console.log(
        `| c=${concurrency} | ${(server / count).toFixed(3)} | ${(clientCpu / count).toFixed(3)} | ${(count / (wallMs / 1000)).toFixed(0)} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} |`,
      );
    }
    await client.close();
  } finally {
    child.kill();
  }
}

const apiservers = await startBareApiservers(1, 'leg');
try {
  const cluster = apiservers.clusters[0];
  if (!cluster) throw new Error('no apiserver');
  const origin = new URL(cluster.server);
  await cluster.kubectlOk('admin', ['create', 'namespace', 'bench']);
  // The large list: 400 ConfigMaps of 25 KB (about 10 MB), created in batches of 50.
  for (let batch = 0; batch < 8; batch++)
    await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
      stdin: stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: Array.from({ length: 50 }, (_, i) => ({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `big-${batch * 50 + i}`, namespace: 'bench' },
          data: { v: 'x'.repeat(25_000) },
        })),
      }),
    });
  // What the agent sends: the forwarded headers (as the gateway puts them on the stream)
  // and its own Authorization.
  const headers: [string, string][] = [
    ['Accept', 'application/json'],
    ['User-Agent', 'kubectl/v1.35.4 (linux/amd64) kubernetes/bench'],
    ['Authorization', `Bearer ${cluster.tokens.admin}`],
  ];
  const clients = [undiciClient, rawRelayClient, nodeHttpClient].map((make) => make(origin, cluster.caPem));
  const cases = [
    { id: 'small GET, c=1', path: '/api/v1/namespaces/default', concurrency: 1, count: requests },
    { id: 'small GET, c=32', path: '/api/v1/namespaces/default', concurrency: 32, count: requests },
    {
      id: 'large list, c=1',
      path: '/api/v1/namespaces/bench/configmaps',
      concurrency: 1,
      count: listRequests,
    },
  ];
  // Warm-up: connections opened and code compiled for every client.
  for (const c of clients) await runCase(c, cases[0]?.path ?? '/', headers, 200, 32);
  const totals = new Map<string, CaseResult>();
  for (let round = 0; round < rounds; round++) {
    for (const kase of cases) {
      const order = round % 2 === 0 ? clients : [...clients].reverse();
      for (const client of order) {
        const r = await runCase(client, kase.path, headers, kase.count, kase.concurrency);
        const key = `${kase.id}|${client.name}`;
        const t = totals.get(key);
        if (!t) totals.set(key, r);
        else {
          t.cpuMs += r.cpuMs;
          t.count += r.count;
          t.bytes += r.bytes;
          t.wallMs += r.wallMs;
          t.latencies.push(...r.latencies);
        }
      }
    }
    console.error(`round ${round + 1} of ${rounds} done`);
  }
  const load = (await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `\nload average at the end: ${load}; ${requests} small GETs per case, client and round, ${rounds} rounds\n`,
  );
  console.log(
    '| case | client | CPU ms per request | CPU ms per MB | req/s | MB/s | p50 ms | p99 ms | CPU vs undici |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const kase of cases) {
    const base = totals.get(`${kase.id}|undici`);
    const basePerReq = base ? base.cpuMs / base.count : 0;
    for (const client of clients) {
      const r = totals.get(`${kase.id}|${client.name}`);
      if (!r) continue;
      const sorted = [...r.latencies].sort((a, b) => a - b);
      const perReq = r.cpuMs / r.count;
      const mb = r.bytes / 1e6;
      console.log(
        `| ${kase.id} | ${client.name} | ${perReq.toFixed(3)} | ${(r.cpuMs / mb).toFixed(2)} | ${(r.count / (r.wallMs / 1000)).toFixed(0)} | ${(mb / (r.wallMs / 1000)).toFixed(0)} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${(perReq / basePerReq).toFixed(2)}x |`,
      );
    }
  }
  for (const c of clients) await c.close();
  if (values['bare-server']) await bareServer(cluster.dir, cluster.caPem, headers);
} finally {
  await apiservers.stop();
}
