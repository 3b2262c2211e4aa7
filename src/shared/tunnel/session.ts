import { EventEmitter } from 'node:events';
import type { RawData, WebSocket } from 'ws';
import { CloseCode, ProtocolViolation, ResetCode, StreamResetError } from './codes.ts';
import { encode, type Frame, parseFrame } from './frame.ts';
import { type Hello, type RequestHead, requestHeadProblem } from './heads.ts';
import {
  HEARTBEAT_INTERVAL_MS,
  LIVENESS_TIMEOUT_MS,
  MAX_CLOSE_REASON_BYTES,
  MAX_STREAM_ID,
  MAX_STREAMS_PER_SESSION,
  RESERVED_SHORT_STREAMS,
  RESPONSE_HEAD_TIMEOUT_MS,
  STREAM_SLOT_WAIT_MS,
} from './limits.ts';
import { LivenessWatch } from './liveness.ts';
import { type FrameSink, writeMaskedFrame } from './masked-writer.ts';
import { SendScheduler } from './send-scheduler.ts';
import { type StreamHost, TunnelStream } from './stream.ts';
import { traceEnabled, traceFrame } from './trace.ts';
import { type Corkable, WriteCoalescer } from './write-coalescer.ts';

export type TunnelRole = 'gateway' | 'agent';

/** Timing knobs; the defaults are the protocol's constants, tests may shorten them. */
export interface SessionOptions {
  readonly role: TunnelRole;
  /** For logs and traces, e.g. the cluster id. */
  readonly label: string;
  readonly heartbeatIntervalMs?: number;
  readonly livenessTimeoutMs?: number;
  readonly responseHeadTimeoutMs?: number;
  readonly maxStreams?: number;
  /**
   * The socket under the WebSocket; when given, the frames of one event-loop turn are
   * written to it together (see WriteCoalescer).
   */
  readonly transport?: Corkable & FrameSink;
  /**
   * The WebSocket is a client's (the agent's): frames are masked in place and written to
   * `transport` directly instead of through `ws`, which would mask a copy of each
   * (writeMaskedFrame). Needs `transport`.
   */
  readonly maskInPlace?: boolean;
}

/** Why and how a session ended. */
export interface SessionClose {
  readonly code: number;
  readonly reason: string;
  /** True when this side decided to close (violation, liveness, shutdown). */
  readonly local: boolean;
  /**
   * How long this side's own event loop was held (its heartbeat timer ran that late) within
   * the last liveness timeout, when that was half a heartbeat or more: a peer that dropped the
   * tunnel then had heard nothing from this side for as long. Absent when the loop kept time.
   */
  readonly ownLoopStallMs?: number;
}

export interface TunnelSessionEvents {
  stream: [stream: TunnelStream];
  hello: [hello: Hello];
  /** A new agent credential from the gateway (agent side; docs/tunnel-protocol.md §2). */
  credential: [agentCredential: string];
  close: [close: SessionClose];
}

function truncateReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  return bytes.length <= MAX_CLOSE_REASON_BYTES
    ? reason
    : bytes.subarray(0, MAX_CLOSE_REASON_BYTES).toString('utf8');
}

/**
 * One tunnel over one WebSocket (docs/tunnel-protocol.md): parses every frame, routes it to
 * its stream, enforces the protocol, keeps the connection alive and notices when it is not.
 * The gateway side opens streams; the agent side receives them as 'stream' events.
 */
export class TunnelSession extends EventEmitter<TunnelSessionEvents> {
  readonly role: TunnelRole;
  readonly label: string;
  readonly #socket: WebSocket;
  readonly #streams = new Map<number, TunnelStream>();
  readonly #headTimers = new Map<number, NodeJS.Timeout>();
  readonly #maxStreams: number;
  readonly #responseHeadTimeoutMs: number;
  readonly #liveness: LivenessWatch;
  readonly #slotWaiters: { readonly limit: number; readonly wake: () => void }[] = [];
  readonly #coalescer: WriteCoalescer | undefined;
  readonly #scheduler: SendScheduler;
  /** Where frames are masked in place and written, for a client socket (see maskInPlace). */
  readonly #maskedSink: FrameSink | undefined;
  #highestStreamId = 0;
  #closed: SessionClose | undefined;
  #helloSeen = false;

  constructor(socket: WebSocket, options: SessionOptions) {
    super();
    this.role = options.role;
    this.label = options.label;
    this.#socket = socket;
    this.#maxStreams = options.maxStreams ?? MAX_STREAMS_PER_SESSION;
    this.#responseHeadTimeoutMs = options.responseHeadTimeoutMs ?? RESPONSE_HEAD_TIMEOUT_MS;
    this.#liveness = new LivenessWatch(
      {
        ping: () => {
          if (this.#socket.readyState === this.#socket.OPEN) this.#socket.ping();
        },
        dead: (reason) => this.terminate(reason),
      },
      options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      options.livenessTimeoutMs ?? LIVENESS_TIMEOUT_MS,
    );
    this.#coalescer = options.transport && new WriteCoalescer(options.transport);
    this.#maskedSink = options.maskInPlace ? options.transport : undefined;
    this.#scheduler = new SendScheduler(this.#writeFrame, () => this.#socket.bufferedAmount);

    socket.on('message', (data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary));
    socket.on('ping', () => this.#liveness.heard());
    socket.on('pong', () => this.#liveness.heard());
    socket.on('close', (code: number, reason: Buffer) =>
      this.#teardown({ code, reason: reason.toString('utf8'), local: false }),
    );
    socket.on('error', () => {
      // 'close' follows every 'error' in ws; teardown happens there.
    });
  }

  /** Adopts the timing the gateway announced in HELLO (agent side). */
  adoptTiming(hello: Hello): void {
    if (this.#closed) return;
    this.#liveness.retime(hello.heartbeatIntervalMs, hello.livenessTimeoutMs);
  }

  /** Streams currently open. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /** Response-head timers currently armed (a leak check looks at this). */
  get pendingHeadTimers(): number {
    return this.#headTimers.size;
  }

  get closed(): SessionClose | undefined {
    return this.#closed;
  }

  /** Sends the greeting (gateway side, once authenticated). */
  sendHello(hello: Hello): void {
    this.#send(encode.hello(hello));
  }

  /** Hands the agent the cluster's new agent credential (gateway side). */
  sendCredential(agentCredential: string): void {
    this.#send(encode.credential(agentCredential));
  }

  /**
   * Opens a stream for a request (gateway side). While the tunnel carries its maximum number
   * of streams (long-lived ones: its maximum less RESERVED_SHORT_STREAMS), waits up to
   * `slotWaitMs` for one to end, then refuses with TOO_MANY_STREAMS.
   */
  async openStream(
    head: RequestHead,
    options: { readonly longLived?: boolean; readonly slotWaitMs?: number } = {},
  ): Promise<TunnelStream> {
    if (this.role !== 'gateway') throw new Error('only the gateway opens streams');
    const limit = options.longLived
      ? Math.max(1, this.#maxStreams - Math.min(RESERVED_SHORT_STREAMS, this.#maxStreams >> 1))
      : this.#maxStreams;
    if (this.#streams.size >= limit && !this.#closed) {
      const waitMs = options.slotWaitMs ?? STREAM_SLOT_WAIT_MS;
      const deadline = Date.now() + waitMs;
      while (this.#streams.size >= limit && !this.#closed) {
        const left = deadline - Date.now();
        if (left <= 0 || !(await this.#slotFreed(limit, left))) {
          throw new StreamResetError(
            ResetCode.TOO_MANY_STREAMS,
            `the tunnel carries ${this.#streams.size} streams; no slot came free within ${waitMs} ms`,
          );
        }
      }
    }
    if (this.#closed)
      throw new StreamResetError(ResetCode.CANCELLED, `tunnel closed: ${this.#closed.reason}`);
    if (this.#highestStreamId >= MAX_STREAM_ID) {
      // Ids are never reused; a tunnel that used them all is replaced by a fresh one.
      this.close(CloseCode.NORMAL, 'stream ids exhausted');
      throw new StreamResetError(ResetCode.CANCELLED, 'tunnel closed: stream ids exhausted');
    }
    const streamId = ++this.#highestStreamId;
    const stream = new TunnelStream(this.#host, streamId, head);
    this.#streams.set(streamId, stream);
    this.#send(encode.open(streamId, head));
    const timer = setTimeout(() => {
      this.#headTimers.delete(streamId);
      if (!stream.responseHead)
        stream.reset(ResetCode.CANCELLED, `no response head within ${this.#responseHeadTimeoutMs} ms`);
    }, this.#responseHeadTimeoutMs);
    this.#headTimers.set(streamId, timer);
    stream.response.then(
      () => this.#clearHeadTimer(streamId),
      () => this.#clearHeadTimer(streamId),
    );
    return stream;
  }

  /** Resolves true when a slot under `limit` may have come free, false after `ms`. */
  #slotFreed(limit: number, ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const waiter = {
        limit,
        wake: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const index = this.#slotWaiters.indexOf(waiter);
        if (index >= 0) this.#slotWaiters.splice(index, 1);
        resolve(false);
      }, ms);
      this.#slotWaiters.push(waiter);
    });
  }

  /** Closes the tunnel with a code from the protocol; every open stream is reset. */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    const text = truncateReason(reason);
    try {
      this.#socket.close(code, text);
    } catch {
      this.#socket.terminate();
    }
    this.#teardown({ code, reason: text, local: true });
  }

  /** Drops the connection without a close handshake (the peer is presumed dead). */
  terminate(reason: string): void {
    if (this.#closed) return;
    this.#socket.terminate();
    this.#teardown({ code: 1006, reason, local: true });
  }

  readonly #host: StreamHost = {
    send: (frame: Buffer, callback?: (error?: Error) => void, bulk?: boolean) =>
      this.#send(frame, callback, bulk),
    bufferedBytes: () => this.#socket.bufferedAmount + this.#scheduler.queuedBytes,
    release: (streamId: number) => {
      if (this.#streams.delete(streamId)) {
        this.#clearHeadTimer(streamId);
        // The first waiter the freed slot fits: a long-lived opener may not fit where a short one does.
        const index = this.#slotWaiters.findIndex((waiter) => this.#streams.size < waiter.limit);
        if (index >= 0) this.#slotWaiters.splice(index, 1)[0]?.wake();
      }
    },
  };

  #clearHeadTimer(streamId: number): void {
    const timer = this.#headTimers.get(streamId);
    if (timer) {
      clearTimeout(timer);
      this.#headTimers.delete(streamId);
    }
  }

  /** Sends a frame: a bulk stream's DATA and END wait behind other frames (docs/tunnel-protocol.md §5). */
  #send(frame: Buffer, callback?: (error?: Error) => void, bulk = false): void {
    if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) {
      callback?.(new StreamResetError(ResetCode.CANCELLED, 'tunnel is closed'));
      return;
    }
    if (traceEnabled) traceFrame(this.label, 'send', frame);
    this.#coalescer?.hold();
    if (bulk) this.#scheduler.bulk(frame, callback);
    else this.#scheduler.urgent(frame, callback);
  }

  readonly #writeFrame = (frame: Buffer, done: (error?: Error) => void): void => {
    if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) {
      done(new StreamResetError(ResetCode.CANCELLED, 'tunnel is closed'));
      return;
    }
    if (this.#maskedSink) writeMaskedFrame(this.#maskedSink, frame, done);
    else this.#socket.send(frame, { binary: true }, done);
  };

  #onMessage(data: RawData, isBinary: boolean): void {
    this.#liveness.heard();
    if (this.#closed) return;
    if (!isBinary) {
      this.close(CloseCode.TEXT_FRAME, 'text messages are not allowed');
      return;
    }
    const message = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (traceEnabled) traceFrame(this.label, 'recv', message);
    try {
      this.#dispatch(parseFrame(message));
    } catch (error) {
      if (error instanceof ProtocolViolation) this.close(error.closeCode, error.message);
      else
        this.close(CloseCode.MALFORMED_FRAME, `internal error handling a frame: ${(error as Error).message}`);
    }
  }

  #dispatch(frame: Frame): void {
    const wrongSide = (what: string) =>
      new ProtocolViolation(
        CloseCode.STREAM_ID,
        `${what} may not be sent by the ${this.role === 'gateway' ? 'agent' : 'gateway'}`,
      );
    switch (frame.type) {
      case 'HELLO':
        if (this.role === 'gateway') throw wrongSide('HELLO');
        if (frame.streamId !== 0) throw new ProtocolViolation(CloseCode.STREAM_ID, 'HELLO must use stream 0');
        if (this.#helloSeen) throw new ProtocolViolation(CloseCode.STREAM_STATE, 'second HELLO');
        this.#helloSeen = true;
        this.emit('hello', frame.hello);
        return;
      case 'CREDENTIAL':
        if (this.role === 'gateway') throw wrongSide('CREDENTIAL');
        if (frame.streamId !== 0)
          throw new ProtocolViolation(CloseCode.STREAM_ID, 'CREDENTIAL must use stream 0');
        if (!this.#helloSeen) throw new ProtocolViolation(CloseCode.STREAM_STATE, 'CREDENTIAL before HELLO');
        this.emit('credential', frame.agentCredential);
        return;
      case 'OPEN':
        if (this.role === 'gateway') throw wrongSide('OPEN');
        this.#acceptOpen(frame.streamId, frame.head);
        return;
      case 'RESPONSE': {
        if (this.role === 'agent') throw wrongSide('RESPONSE');
        this.#streamFor(frame.streamId)?.onResponse(frame.head);
        return;
      }
      case 'DATA':
        this.#streamFor(frame.streamId)?.onData(frame.data, this.role === 'gateway');
        return;
      case 'END':
        this.#streamFor(frame.streamId)?.onEnd();
        return;
      case 'WINDOW':
        this.#streamFor(frame.streamId)?.onWindow(frame.increment);
        return;
      case 'RESET':
        this.#streamFor(frame.streamId)?.onReset(frame.code, frame.message);
        return;
    }
  }

  /** The live stream for a frame, undefined for a stream closed earlier (its frame is ignored). */
  #streamFor(streamId: number): TunnelStream | undefined {
    if (streamId === 0)
      throw new ProtocolViolation(CloseCode.STREAM_ID, 'stream frames may not use stream 0');
    const stream = this.#streams.get(streamId);
    if (!stream && streamId > this.#highestStreamId) {
      throw new ProtocolViolation(
        CloseCode.STREAM_ID,
        `frame for stream ${streamId}, which was never opened`,
      );
    }
    return stream;
  }

  #acceptOpen(streamId: number, head: RequestHead): void {
    if (streamId === 0 || streamId <= this.#highestStreamId) {
      throw new ProtocolViolation(
        CloseCode.STREAM_ID,
        `OPEN of stream ${streamId} after stream ${this.#highestStreamId}`,
      );
    }
    this.#highestStreamId = streamId;
    if (this.#streams.size >= this.#maxStreams) {
      this.#send(
        encode.reset(streamId, ResetCode.TOO_MANY_STREAMS, `at most ${this.#maxStreams} streams per tunnel`),
      );
      return;
    }
    const problem = requestHeadProblem(head);
    if (problem) {
      this.#send(encode.reset(streamId, ResetCode.BAD_REQUEST_HEAD, problem));
      return;
    }
    const stream = new TunnelStream(this.#host, streamId, head);
    this.#streams.set(streamId, stream);
    try {
      this.emit('stream', stream);
    } catch (error) {
      // One stream's failure is that stream's alone: it must not reach #onMessage, which
      // would close the tunnel and reset every other stream on it.
      stream.reset(ResetCode.INTERNAL, `agent failed to handle the stream: ${(error as Error)?.message}`);
    }
  }

  #teardown(closing: SessionClose): void {
    if (this.#closed) return;
    const ownLoopStallMs = this.#liveness.stop();
    const close = ownLoopStallMs === undefined ? closing : { ...closing, ownLoopStallMs };
    this.#closed = close;
    this.#scheduler.clear(new StreamResetError(ResetCode.CANCELLED, 'tunnel is closed'));
    for (const timer of this.#headTimers.values()) clearTimeout(timer);
    this.#headTimers.clear();
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    for (const stream of streams)
      stream.onReset(ResetCode.CANCELLED, `tunnel closed: ${close.reason || close.code}`);
    for (const waiter of this.#slotWaiters.splice(0)) waiter.wake();
    this.emit('close', close);
  }
}
