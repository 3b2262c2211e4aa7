// One client process of bench/subscriptions.ts: opens `count` graphql-ws subscribers (one
// WebSocket each) to the gateway, records when each bench event arrives, and reports to the
// parent over IPC. Several of these run side by side so that no single client event loop
// decides the latencies; each reports its own event-loop utilization and CPU to show
// whether it did. Two kinds of subscriber: `graphql-ws` (the library's client, parsing every
// message whole) and `lean` (the protocol by hand over the same TLS WebSocket, reading of a
// change only the bench's annotations: subscriptions-messages.ts), which leaves more of the
// machine's two cores to the gateway under test.
import { performance } from 'node:perf_hooks';
import { createSecureContext } from 'node:tls';
import { type Client, createClient } from 'graphql-ws';
import { type ClientOptions, WebSocket } from 'ws';
import { readMessage } from './subscriptions-messages.ts';

/** What the parent sends to start the subscribers. */
export interface ClientStart {
  readonly type: 'start';
  readonly url: string;
  readonly caPem: string;
  /** API tokens of the bench's people; subscriber i uses token i mod their number. */
  readonly tokens: readonly string[];
  readonly count: number;
  /** Index of this process's first subscriber among all (for the choice of token). */
  readonly first: number;
  /** Namespaces followed; subscriber i follows namespace i mod their number (its group). */
  readonly namespaces: readonly string[];
  /** Measured events the producer will send (sequence numbers 1..events). */
  readonly events: number;
  /** WebSocket handshakes in flight at once. */
  readonly connectConcurrency: number;
  /** Which subscriber implementation (see the top of this file). */
  readonly client: 'lean' | 'graphql-ws';
}

/** Progress, sent every second. */
export interface ClientStatus {
  readonly type: 'status';
  /** Subscribers connected (graphql-ws acknowledged). */
  readonly connected: number;
  /** Subscribers that received at least one bench event (their watch is live). */
  readonly attached: number;
  readonly ended: number;
  /** Measured events received so far, all subscribers together. */
  readonly received: number;
}

/** The measurements, sent once the parent asks with `{ type: 'finish' }`. */
export interface ClientResult {
  readonly type: 'result';
  /** Delivery latencies in ms of measured events, Float64Array bytes in base64. */
  readonly latencies: string;
  /** Measured events each subscriber did not receive, summed. */
  readonly lost: number;
  readonly errors: Record<string, number>;
  readonly eventLoopUtilization: number;
  /** The same from the start until measuring began (subscribers attaching). */
  readonly attachEventLoopUtilization: number;
  /** User + system CPU seconds of this process while measuring. */
  readonly cpuSeconds: number;
}

export const SEQ_ANNOTATION = 'bench.fleetgate.io/seq';
export const SENT_ANNOTATION = 'bench.fleetgate.io/sent-at';
export const PHASE_ANNOTATION = 'bench.fleetgate.io/phase';

/** Wall-clock time in ms with sub-ms resolution, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

const QUERY = `subscription Changes($filter: ResourceFilter) {
  resourceChanges(apiVersion: "v1", kind: "Pod", filter: $filter) { type object message cursor }
}`;

interface Subscriber {
  close: () => void;
  received: Uint8Array;
  attached: boolean;
  ended: boolean;
}

function send(message: ClientStatus | ClientResult, sent?: () => void): void {
  process.send?.(message, undefined, {}, () => sent?.());
}

async function run(start: ClientStart): Promise<void> {
  const subscribers: Subscriber[] = [];
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let connected = 0;
  let received = 0;
  let measuring = false;
  const countError = (code: string) => {
    errors[code] = (errors[code] ?? 0) + 1;
  };
  const status = (): ClientStatus => ({
    type: 'status',
    connected,
    attached: subscribers.filter((s) => s.attached).length,
    ended: subscribers.filter((s) => s.ended).length,
    received,
  });
  const timer = setInterval(() => send(status()), 500);
  let eluStart = performance.eventLoopUtilization();
  let attachElu = Number.NaN;
  let cpuStart = process.cpuUsage();

  process.on('message', (message: { type: string }) => {
    if (message.type === 'measure') {
      measuring = true;
      attachElu = performance.eventLoopUtilization(eluStart).utilization;
      eluStart = performance.eventLoopUtilization();
      cpuStart = process.cpuUsage();
    }
    if (message.type !== 'finish') return;
    clearInterval(timer);
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    const cpu = process.cpuUsage(cpuStart);
    let lost = 0;
    for (const s of subscribers) for (let seq = 1; seq <= start.events; seq++) if (!s.received[seq]) lost++;
    lost += (start.count - subscribers.length) * start.events;
    send(
      {
        type: 'result',
        latencies: Buffer.from(new Float64Array(latencies).buffer).toString('base64'),
        lost,
        errors,
        eventLoopUtilization: elu,
        attachEventLoopUtilization: attachElu,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      },
      // Only once the parent has it: the result of 300 events x 1,000 subscribers is MiBs,
      // which a busy parent may take seconds to read.
      () => setTimeout(() => process.exit(0), 1000),
    );
    // A client whose socket already failed rejects its dispose: nothing is left to close.
    for (const s of subscribers) s.close();
  });

  const namespaceOf = (index: number) => start.namespaces[index % start.namespaces.length] as string;
  // One TLS context for all: building one per connection (parsing the CA) was a fifth of
  // this process's time in a profile.
  const secureContext = createSecureContext({ ca: start.caPem });
  let next = 0;
  /** What a subscriber does with a change of an object that carries the bench's annotations. */
  const onBenchEvent = (
    subscriber: Subscriber,
    seq: number,
    phase: string,
    sentAt: number,
    receivedAt: number,
  ) => {
    subscriber.attached = true;
    if (phase !== 'measure' || !measuring) return;
    if (!(seq >= 1 && seq <= start.events) || subscriber.received[seq]) return;
    subscriber.received[seq] = 1;
    received++;
    latencies.push(receivedAt - sentAt);
  };
  /** A subscriber not yet attached, with room to mark each measured event once. */
  const newSubscriber = (): Subscriber => ({
    close: () => {},
    received: new Uint8Array(start.events + 1),
    attached: false,
    ended: false,
  });
  const openWithGraphqlWs = (index: number) =>
    new Promise<void>((resolve) => {
      const subscriber = newSubscriber();
      const client: Client = createClient({
        url: start.url,
        webSocketImpl: class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            // ws hands its options on to tls.connect, which takes a ready context.
            super(address, protocols, { secureContext } as ClientOptions);
          }
        },
        connectionParams: { authorization: `Bearer ${start.tokens[index % start.tokens.length]}` },
        retryAttempts: 0,
        on: {
          connected: () => {
            connected++;
            resolve();
          },
          closed: () => resolve(),
          error: () => resolve(),
        },
      });
      // A client whose socket already failed rejects its dispose: nothing is left to close.
      subscriber.close = () => void Promise.resolve(client.dispose()).catch(() => {});
      subscribers.push(subscriber);
      client.subscribe<{
        resourceChanges: {
          type: string;
          message?: string;
          object?: { metadata?: { annotations?: Record<string, string> } };
        };
      }>(
        { query: QUERY, variables: { filter: { namespace: namespaceOf(index) } } },
        {
          next: (result) => {
            const receivedAt = nowMs();
            if (result.errors)
              for (const e of result.errors) countError(String(e.extensions?.code ?? e.message));
            const change = result.data?.resourceChanges;
            if (change?.type === 'ERROR' || change?.type === 'GAP')
              countError(`${change.type} ${String(change.message).slice(0, 60)}`);
            const annotations = change?.object?.metadata?.annotations;
            if (!annotations?.[SEQ_ANNOTATION]) return;
            onBenchEvent(
              subscriber,
              Number(annotations[SEQ_ANNOTATION]),
              String(annotations[PHASE_ANNOTATION]),
              Number(annotations[SENT_ANNOTATION]),
              receivedAt,
            );
          },
          error: (error) => {
            subscriber.ended = true;
            const first = Array.isArray(error) ? error[0] : undefined;
            countError(
              first
                ? String(first.extensions?.code ?? first.message)
                : error instanceof Error
                  ? error.message
                  : `closed ${(error as { code?: number }).code ?? ''}`,
            );
            resolve();
          },
          complete: () => {
            subscriber.ended = true;
            resolve();
          },
        },
      );
    });
  /**
   * The same subscriber by hand: graphql-transport-ws over one TLS WebSocket (connection_init
   * with the token, subscribe once acknowledged, pong to a protocol ping); a change of an
   * object is read for its annotations only, every other message parsed whole.
   */
  const openLean = (index: number) =>
    new Promise<void>((resolve) => {
      const subscriber = newSubscriber();
      subscribers.push(subscriber);
      const socket = new WebSocket(start.url, 'graphql-transport-ws', { secureContext } as ClientOptions);
      let closing = false;
      subscriber.close = () => {
        closing = true;
        socket.close(1000);
      };
      let acknowledged = false;
      const end = (reason: string | undefined) => {
        if (subscriber.ended) return;
        subscriber.ended = true;
        if (reason !== undefined) countError(reason);
        resolve();
      };
      socket.on('open', () => {
        socket.send(
          JSON.stringify({
            type: 'connection_init',
            payload: { authorization: `Bearer ${start.tokens[index % start.tokens.length]}` },
          }),
        );
      });
      socket.on('message', (data: Buffer) => {
        const receivedAt = nowMs();
        const read = readMessage(data, [SEQ_ANNOTATION, PHASE_ANNOTATION, SENT_ANNOTATION]);
        if (read.kind === 'change') {
          const a = read.annotations;
          if (a) onBenchEvent(subscriber, a.seq, a.phase, a.sentAt, receivedAt);
          return;
        }
        const { type, payload } = read.message;
        if (type === 'connection_ack' && !acknowledged) {
          acknowledged = true;
          connected++;
          socket.send(
            JSON.stringify({
              id: '1',
              type: 'subscribe',
              payload: { query: QUERY, variables: { filter: { namespace: namespaceOf(index) } } },
            }),
          );
          resolve();
        } else if (type === 'ping') {
          socket.send('{"type":"pong"}');
        } else if (type === 'next') {
          const result = payload as {
            errors?: { message: string; extensions?: { code?: string } }[];
            data?: { resourceChanges?: { type: string; message?: string } };
          };
          for (const e of result.errors ?? []) countError(String(e.extensions?.code ?? e.message));
          const change = result.data?.resourceChanges;
          if (change?.type === 'ERROR' || change?.type === 'GAP')
            countError(`${change.type} ${String(change.message).slice(0, 60)}`);
        } else if (type === 'error') {
          const first = (payload as { message: string; extensions?: { code?: string } }[])[0];
          end(String(first?.extensions?.code ?? first?.message));
        } else if (type === 'complete') {
          end(undefined);
        }
      });
      socket.on('close', (code) => end(closing ? undefined : `closed ${code}`));
      socket.on('error', (error) => end(error.message));
    });
  const openOne = start.client === 'lean' ? openLean : openWithGraphqlWs;
  await Promise.all(
    Array.from({ length: start.connectConcurrency }, async () => {
      while (next < start.count) {
        await openOne(start.first + next++);
      }
    }),
  );
  send(status());
}

process.once('message', (message: ClientStart) => {
  if (message.type === 'start') void run(message);
});
