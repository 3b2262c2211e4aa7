import * as wsModule from 'ws';

/** The part of the socket under a WebSocket the writer needs. */
export interface FrameSink {
  write(chunk: Buffer, callback?: (error?: Error | null) => void): boolean;
}

interface FrameOptions {
  readonly fin: boolean;
  readonly mask: boolean;
  readonly opcode: number;
  readonly readOnly: boolean;
  readonly rsv1: boolean;
}

// `ws` exports its Sender at run time but its type definitions do not.
const frameOf = (wsModule as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } })
  .Sender.frame;

const BINARY_OPCODE = 0x2;
const BINARY_MASKED: FrameOptions = {
  fin: true,
  mask: true,
  opcode: BINARY_OPCODE,
  readOnly: false,
  rsv1: false,
};

/**
 * Writes a tunnel frame as one masked binary WebSocket message straight to the socket under
 * a client WebSocket, masking the frame's own bytes in place. `ws` treats every Buffer given
 * to `send` as read-only and masks it into a fresh copy: a 64 KiB allocation per frame,
 * which made garbage collection the agent's largest cost in bulk transfers. Tunnel frames
 * are built for one send and never read again, so their bytes may be masked where they
 * are. The mask key is `ws`'s own: random, from a pool filled by the system's CSPRNG, a new
 * one per message (RFC 6455 §5.3). Only valid while `ws` itself queues nothing on the
 * socket: no compression (the tunnel negotiates none) and no Blob messages.
 */
export function writeMaskedFrame(sink: FrameSink, frame: Buffer, done: (error?: Error) => void): void {
  const [header, payload] = frameOf(frame, BINARY_MASKED);
  if (!payload) {
    sink.write(header as Buffer, (error) => done(error ?? undefined));
    return;
  }
  sink.write(header as Buffer);
  sink.write(payload, (error) => done(error ?? undefined));
}
