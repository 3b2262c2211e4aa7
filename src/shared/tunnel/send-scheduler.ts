import { SOCKET_QUEUE_BYTES } from './limits.ts';

/** Writes one frame to the tunnel's socket; `done` runs once it has left the process. */
export type FrameWriter = (frame: Buffer, done: (error?: Error) => void) => void;

interface QueuedFrame {
  readonly frame: Buffer;
  readonly callback: ((error?: Error) => void) | undefined;
}

/**
 * The sending order of one tunnel (docs/tunnel-protocol.md §5): frames of small streams and
 * control frames go to the socket at once; the DATA and END of bulk streams wait in a FIFO
 * queue that is written only while the socket holds less than SOCKET_QUEUE_BYTES unsent.
 * So a small answer waits behind at most that much bulk data in this process, instead of
 * behind everything bulk streams have written.
 */
export class SendScheduler {
  readonly #write: FrameWriter;
  readonly #socketBytes: () => number;
  readonly #queue: QueuedFrame[] = [];
  #head = 0;
  #queuedBytes = 0;
  #cleared = false;

  /** `socketBytes` tells how many bytes the socket holds that are not sent yet. */
  constructor(write: FrameWriter, socketBytes: () => number) {
    this.#write = write;
    this.#socketBytes = socketBytes;
  }

  /** Bytes waiting in the bulk queue. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Writes a frame now, ahead of queued bulk data. */
  urgent(frame: Buffer, callback?: (error?: Error) => void): void {
    this.#write(frame, (error) => {
      callback?.(error);
      this.#pump();
    });
  }

  /** Queues a frame of a bulk stream; `callback` runs once it has left the process. */
  bulk(frame: Buffer, callback?: (error?: Error) => void): void {
    if (this.#cleared) {
      this.#write(frame, callback ?? (() => {}));
      return;
    }
    this.#queue.push({ frame, callback });
    this.#queuedBytes += frame.length;
    this.#pump();
  }

  /** Drops what is queued (the tunnel closed); each waiting writer hears `error`. */
  clear(error: Error): void {
    this.#cleared = true;
    const dropped = this.#queue.slice(this.#head);
    this.#queue.length = 0;
    this.#head = 0;
    this.#queuedBytes = 0;
    for (const queued of dropped) queued.callback?.(error);
  }

  // Runs after every write the scheduler made has left the process, so the queue moves on
  // as the socket drains (ws's own pings are tiny and never hold it up).
  #pump(): void {
    if (this.#cleared) return;
    while (this.#head < this.#queue.length && this.#socketBytes() < SOCKET_QUEUE_BYTES) {
      const next = this.#queue[this.#head] as QueuedFrame;
      this.#queue[this.#head++] = undefined as unknown as QueuedFrame;
      this.#queuedBytes -= next.frame.length;
      this.#write(next.frame, (error) => {
        next.callback?.(error);
        this.#pump();
      });
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
