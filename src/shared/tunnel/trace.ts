import { frameTypeName } from './frame.ts';
import { FRAME_HEADER_BYTES } from './limits.ts';

/** Wire tracing (docs/tunnel-protocol.md §9): on when FLEETGATE_TUNNEL_TRACE=1. */
export const traceEnabled = process.env.FLEETGATE_TUNNEL_TRACE === '1';

/** Logs one frame's direction, type, stream and length; never its payload. */
export function traceFrame(sessionLabel: string, direction: 'send' | 'recv', frame: Buffer): void {
  if (!traceEnabled || frame.length < FRAME_HEADER_BYTES) return;
  const line = {
    tunnel: sessionLabel,
    dir: direction,
    type: frameTypeName(frame),
    stream: frame.readUInt32BE(1),
    bytes: frame.length - FRAME_HEADER_BYTES,
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}
