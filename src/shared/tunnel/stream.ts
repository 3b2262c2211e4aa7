import { Duplex } from 'node:stream';
import { CloseCode, ProtocolViolation, ResetCode, StreamResetError } from './codes.ts';
import { encode } from './frame.ts';
import type { RequestHead, ResponseHead } from './heads.ts';
import {
  INITIAL_WINDOW_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_WINDOW_BYTES,
  SEND_BUFFER_BYTES,
  SMALL_STREAM_BYTES,
  WINDOW_UPDATE_THRESHOLD_BYTES,
} from './limits.ts';

/** What a stream needs from its session. */
export interface StreamHost {
  /** `bulk`: the frame may wait behind other streams' frames (docs/tunnel-protocol.md §5). */
  send(frame: Buffer, callback?: (error?: Error) => void, bulk?: boolean): void;
  /** Bytes queued on the tunnel's socket and not yet sent. */
  bufferedBytes(): number;
  /** The stream is finished; frames for it are ignored from now on. */
  release(streamId: number): void;
}

interface PendingWrite {
  chunk: Buffer;
  callback: (error?: Error | null) => void;
}

/**
 * One stream of a tunnel as a Node Duplex: writing sends DATA within the credit the peer
 * granted; reading hands on DATA and grants credit back as the reader consumes it
 * (docs/tunnel-protocol.md §5). A slow reader therefore stops only its own stream.
 */
export class TunnelStream extends Duplex {
  readonly streamId: number;
  /** The request head (set on both sides once known). */
  readonly requestHead: RequestHead;
  readonly #host: StreamHost;
  #sendCredit = INITIAL_WINDOW_BYTES;
  /** DATA bytes sent; past SMALL_STREAM_BYTES the stream is bulk. */
  #sentBytes = 0;
  /** Whether a DATA frame went through the bulk queue: the END must follow it there. */
  #sentBulk = false;
  #peerMaySend = INITIAL_WINDOW_BYTES;
  #received = 0;
  #granted = 0;
  #pending: PendingWrite | undefined;
  #localEnded = false;
  #remoteEnded = false;
  #released = false;
  #responseHead: ResponseHead | undefined;
  #resolveResponse: ((head: ResponseHead) => void) | undefined;
  #rejectResponse: ((error: Error) => void) | undefined;
  /** Resolves with the RESPONSE head (gateway side); rejects if the stream dies first. */
  readonly response: Promise<ResponseHead>;

  constructor(host: StreamHost, streamId: number, requestHead: RequestHead) {
    super({ allowHalfOpen: true, readableHighWaterMark: 64 * 1024, writableHighWaterMark: 64 * 1024 });
    this.#host = host;
    this.streamId = streamId;
    this.requestHead = requestHead;
    this.response = new Promise<ResponseHead>((resolve, reject) => {
      this.#resolveResponse = resolve;
      this.#rejectResponse = reject;
    });
    // A stream nobody awaits the response of must not raise an unhandled rejection, and a
    // tunnel that dies under a stream nobody listens to must not crash the process: the
    // error still reaches every listener, pipeline and the response promise.
    this.response.catch(() => {});
    this.on('error', () => {});
  }

  get responseHead(): ResponseHead | undefined {
    return this.#responseHead;
  }

  // ---- called by the session for frames from the peer ----

  /** RESPONSE arrived (gateway side). */
  onResponse(head: ResponseHead): void {
    if (this.#responseHead)
      throw new ProtocolViolation(CloseCode.STREAM_STATE, `second RESPONSE on stream ${this.streamId}`);
    this.#responseHead = head;
    this.#resolveResponse?.(head);
  }

  onData(data: Buffer, requireResponseFirst: boolean): void {
    if (this.#remoteEnded)
      throw new ProtocolViolation(CloseCode.STREAM_STATE, `DATA after END on stream ${this.streamId}`);
    if (requireResponseFirst && !this.#responseHead) {
      throw new ProtocolViolation(CloseCode.STREAM_STATE, `DATA before RESPONSE on stream ${this.streamId}`);
    }
    if (data.length > this.#peerMaySend) {
      throw new ProtocolViolation(
        CloseCode.FLOW_CONTROL,
        `stream ${this.streamId}: ${data.length} bytes of DATA with ${this.#peerMaySend} bytes of credit`,
      );
    }
    this.#peerMaySend -= data.length;
    this.#received += data.length;
    if (this.destroyed) return;
    this.push(data);
    this.#grantConsumed(); // a flowing reader with nothing buffered took it inside push()
  }

  onEnd(): void {
    if (this.#remoteEnded)
      throw new ProtocolViolation(CloseCode.STREAM_STATE, `second END on stream ${this.streamId}`);
    this.#remoteEnded = true;
    this.push(null);
    this.#releaseIfDone();
  }

  onWindow(increment: number): void {
    if (this.#sendCredit + increment > MAX_WINDOW_BYTES) {
      throw new ProtocolViolation(
        CloseCode.FLOW_CONTROL,
        `stream ${this.streamId}: credit above ${MAX_WINDOW_BYTES}`,
      );
    }
    this.#sendCredit += increment;
    const pending = this.#pending;
    if (pending) {
      this.#pending = undefined;
      this.#sendData(pending.chunk, pending.callback);
    }
  }

  /** The peer reset the stream, or the tunnel closed under it. */
  onReset(code: number, message: string): void {
    this.#released = true; // nothing more may be sent for it
    this.#host.release(this.streamId);
    const error = new StreamResetError(code, message);
    this.#rejectResponse?.(error);
    this.destroy(error);
  }

  // ---- sending ----

  /** Sends the RESPONSE head (agent side). */
  respond(head: ResponseHead): void {
    if (this.#responseHead || this.#released) return;
    this.#responseHead = head;
    this.#host.send(encode.response(this.streamId, head));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#sendData(chunk, callback);
  }

  // Writes that queued up while the previous one was on its way leave as one DATA frame (up
  // to MAX_PAYLOAD_BYTES each) instead of one frame each. Sources like an apiserver response
  // arrive in TLS-record pieces of 1–2 KiB; a frame per piece cost every hop per-frame work
  // (a WebSocket message, a TLS write, a chunk of the client's HTTP response) ~700 times a MB.
  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    if (chunks.length === 1) {
      this.#sendData(chunks[0]?.chunk as Buffer, callback);
      return;
    }
    let total = 0;
    for (const { chunk } of chunks) total += chunk.length;
    // The common case, one frame's worth within credit: the frame is built from the pieces
    // directly, one copy instead of two (a concatenation, then the frame), and one large
    // buffer less for the garbage collector, which was a third of the agent's CPU in bulk.
    if (total > 0 && total <= MAX_PAYLOAD_BYTES && total <= this.#sendCredit && !this.#released) {
      this.#sendFrame(
        encode.dataOf(
          this.streamId,
          chunks.map((c) => c.chunk),
          total,
        ),
        total,
        true,
        callback,
      );
      return;
    }
    this.#sendData(Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  /** Sends one DATA frame of `size` payload bytes; `last` completes the write (now or once sent). */
  #sendFrame(frame: Buffer, size: number, last: boolean, callback?: (error?: Error | null) => void): void {
    this.#sendCredit -= size;
    const bulk = this.#sentBytes >= SMALL_STREAM_BYTES;
    this.#sentBytes += size;
    this.#sentBulk ||= bulk;
    if (!last) {
      this.#host.send(frame, undefined, bulk);
      return;
    }
    // A write completes at once while the tunnel's socket has room, so that a body's end
    // can follow its data in the same socket write; once the socket holds too much, it
    // completes when its last frame is on the socket: back-pressure from the tunnel's
    // own TCP connection.
    if (this.#host.bufferedBytes() + frame.length > SEND_BUFFER_BYTES) {
      this.#host.send(frame, (error) => callback?.(error), bulk);
    } else {
      this.#host.send(frame, undefined, bulk);
      callback?.();
    }
  }

  #sendData(chunk: Buffer, callback: (error?: Error | null) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#released) {
        callback(new StreamResetError(ResetCode.CANCELLED, 'stream is closed'));
        return;
      }
      const size = Math.min(chunk.length - offset, MAX_PAYLOAD_BYTES, this.#sendCredit);
      if (size === 0) {
        // Out of credit: park the rest until the peer's reader catches up.
        this.#pending = { chunk: chunk.subarray(offset), callback };
        return;
      }
      const piece = chunk.subarray(offset, offset + size);
      offset += size;
      const last = offset >= chunk.length;
      this.#sendFrame(encode.data(this.streamId, piece), size, last, callback);
      if (last) return;
    }
    if (chunk.length === 0) callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    // A bulk stream's END follows its DATA through the bulk queue.
    if (!this.#released) this.#host.send(encode.end(this.streamId), undefined, this.#sentBulk);
    this.#localEnded = true;
    this.#releaseIfDone();
    callback();
  }

  override _read(): void {
    this.#grantConsumed();
  }

  // Node calls _read only once per push, mostly before the reader takes the data, so credit
  // given back only there stayed owed until the next frame came: a frame's worth less in
  // flight all the time, and a window's last bytes waited for the peer to send more. Every
  // way of reading (pipe, 'data', async iteration) goes through read().
  override read(size?: number): Buffer | null {
    const chunk = super.read(size) as Buffer | null;
    this.#grantConsumed();
    return chunk;
  }

  /** Credit goes back for what the reader has taken out of the buffer. */
  #grantConsumed(): void {
    const consumed = this.#received - this.readableLength;
    const owed = consumed - this.#granted;
    if (owed <= 0 || this.#released || this.#remoteEnded) return;
    // Only in steps of the threshold: a sender out of credit is owed a whole window once its
    // reader has caught up, so it is never left waiting; granting each time the reader
    // caught up sent one WINDOW per DATA frame of every body larger than a frame.
    if (owed >= WINDOW_UPDATE_THRESHOLD_BYTES) {
      this.#granted += owed;
      this.#peerMaySend += owed;
      this.#host.send(encode.window(this.streamId, owed));
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#released) {
      // We give up on a stream the peer still considers open: tell it.
      const code = error ? ResetCode.INTERNAL : ResetCode.CANCELLED;
      this.#host.send(encode.reset(this.streamId, code, error?.message ?? 'cancelled'));
      this.#released = true;
      this.#host.release(this.streamId);
    }
    // Errors are built only when someone is left to receive them: most streams end after
    // their response, and an Error's stack trace is costly.
    if (!this.#responseHead) {
      this.#rejectResponse?.(
        error ?? new StreamResetError(ResetCode.CANCELLED, 'stream destroyed before its response'),
      );
    }
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.callback(error ?? new StreamResetError(ResetCode.CANCELLED, 'stream destroyed'));
    callback(error);
  }

  /** Resets the stream with a code (e.g. REFUSED) and tells the peer why. */
  reset(code: number, message: string): void {
    if (!this.#released) {
      this.#host.send(encode.reset(this.streamId, code, message));
      this.#released = true;
      this.#host.release(this.streamId);
    }
    this.destroy();
  }

  #releaseIfDone(): void {
    if (this.#localEnded && this.#remoteEnded && !this.#released) {
      this.#released = true;
      this.#host.release(this.streamId);
    }
  }
}
