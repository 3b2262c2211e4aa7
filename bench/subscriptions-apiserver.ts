// The apiserver side of bench/subscriptions.ts: direct calls as the cluster's admin, the
// producer's patches, and the one direct watch that is the baseline of every phase.
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import type { TestCluster } from '../test/harness/index.ts';
import { nowMs, PHASE_ANNOTATION, SENT_ANNOTATION, SEQ_ANNOTATION } from './subscriptions-client.ts';

export const NAMESPACE = 'bench';
export const PODS = 10;

/** The namespace of a group of subscribers (`--groups`): the first is NAMESPACE itself. */
export function namespaceOf(group: number): string {
  return group === 0 ? NAMESPACE : `${NAMESPACE}-${group}`;
}

/** Direct HTTPS calls to the apiserver as the cluster's admin. */
export class Apiserver {
  readonly #cluster: TestCluster;
  readonly #agent: HttpsAgent;
  constructor(cluster: TestCluster) {
    this.#cluster = cluster;
    this.#agent = new HttpsAgent({ keepAlive: true, ca: cluster.caPem });
  }

  /**
   * One call; a kept-alive connection the apiserver closed meanwhile (a reset before any
   * answer) is retried once on a new one, as Node's own clients do not.
   */
  async request(
    method: string,
    path: string,
    body?: string,
    contentType = 'application/json',
  ): Promise<{ status: number; text: string }> {
    try {
      return await this.#requestOnce(method, path, body, contentType);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
      return this.#requestOnce(method, path, body, contentType);
    }
  }

  #requestOnce(method: string, path: string, body: string | undefined, contentType: string) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(
        `${this.#cluster.server}${path}`,
        {
          method,
          agent: this.#agent,
          headers: {
            authorization: `Bearer ${this.#cluster.tokens.admin}`,
            ...(body ? { 'content-type': contentType } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('error', reject);
      // A call the apiserver never answers fails (a run never waits forever on one patch).
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.end(body);
    });
  }

  /**
   * A kubectl-style `?watch=1` that calls `onEvent` with every event's annotations. Like
   * kubectl it watches again from the last position when the apiserver ends the watch
   * (which it does to watchers it finds too slow); `restarts` counts those.
   */
  watch(
    path: string,
    from: string,
    onEvent: (annotations: Record<string, string>, receivedAt: number) => void,
  ) {
    let resourceVersion = from;
    let stopped = false;
    let current: ReturnType<typeof httpsRequest> | undefined;
    const state = { restarts: 0, stop: () => {} };
    const again = () => {
      if (stopped) return;
      state.restarts++;
      setTimeout(start, 100);
    };
    const start = () => {
      const req = httpsRequest(`${this.#cluster.server}${path}&resourceVersion=${resourceVersion}`, {
        ca: this.#cluster.caPem,
        headers: { authorization: `Bearer ${this.#cluster.tokens.admin}` },
      });
      current = req;
      let ended = false;
      const retry = () => {
        if (ended) return;
        ended = true;
        again();
      };
      req.on('response', (res) => {
        const decoder = new StringDecoder('utf8');
        let pending = '';
        res.on('data', (chunk: Buffer) => {
          const receivedAt = nowMs();
          pending += decoder.write(chunk);
          let newline = pending.indexOf('\n');
          while (newline >= 0) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            const event = JSON.parse(line) as {
              object?: { metadata?: { resourceVersion?: string; annotations?: Record<string, string> } };
            };
            resourceVersion = event.object?.metadata?.resourceVersion ?? resourceVersion;
            onEvent(event.object?.metadata?.annotations ?? {}, receivedAt);
            newline = pending.indexOf('\n');
          }
        });
        res.on('end', retry);
        res.on('error', () => {});
      });
      req.on('error', retry);
      req.end();
    };
    start();
    state.stop = () => {
      stopped = true;
      current?.destroy();
    };
    return state;
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** The baseline: what one direct watch receives of the measured events. */
export class DirectWatch {
  latencies: number[] = [];
  #received = new Uint8Array(1);
  #measuring = false;
  #events = 0;

  /** Starts counting the measured events 1..events of a phase. */
  begin(events: number): void {
    this.#events = events;
    this.latencies = [];
    this.#received = new Uint8Array(events + 1);
    this.#measuring = true;
  }

  lost(): number {
    let lost = 0;
    for (let seq = 1; seq <= this.#events; seq++) if (!this.#received[seq]) lost++;
    return lost;
  }

  onEvent = (annotations: Record<string, string>, receivedAt: number) => {
    if (!this.#measuring || annotations[PHASE_ANNOTATION] !== 'measure') return;
    const seq = Number(annotations[SEQ_ANNOTATION]);
    if (!(seq >= 1 && seq <= this.#events) || this.#received[seq]) return;
    this.#received[seq] = 1;
    this.latencies.push(receivedAt - Number(annotations[SENT_ANNOTATION]));
  };
}

/** Patches one pod of `namespace` with a sequence number and the time of sending in its annotations. */
export function produce(
  apiserver: Apiserver,
  phase: 'warm' | 'measure',
  seq: number,
  namespace = NAMESPACE,
): Promise<unknown> {
  const patch = {
    metadata: {
      annotations: {
        [SEQ_ANNOTATION]: String(seq),
        [PHASE_ANNOTATION]: phase,
        [SENT_ANNOTATION]: nowMs().toFixed(3),
      },
    },
  };
  return apiserver.request(
    'PATCH',
    `/api/v1/namespaces/${namespace}/pods/pod-${seq % PODS}`,
    JSON.stringify(patch),
    'application/merge-patch+json',
  );
}
