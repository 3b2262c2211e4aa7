// Close and reset codes of the tunnel protocol (docs/tunnel-protocol.md §6, §8).

/** WebSocket close codes. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  MESSAGE_TOO_BIG: 1009,
  MALFORMED_FRAME: 4000,
  TEXT_FRAME: 4001,
  FLOW_CONTROL: 4002,
  STREAM_ID: 4003,
  STREAM_STATE: 4004,
  UNAUTHORIZED: 4401,
  CLUSTER_REMOVED: 4404,
  TOO_MANY_SESSIONS: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Stream reset codes, carried in RESET frames. */
export const ResetCode = {
  CANCELLED: 1,
  REFUSED: 2,
  UPSTREAM_FAILED: 3,
  TOO_MANY_STREAMS: 4,
  BAD_REQUEST_HEAD: 5,
  INTERNAL: 6,
} as const;
export type ResetCode = (typeof ResetCode)[keyof typeof ResetCode];

const resetNames = new Map<number, string>(Object.entries(ResetCode).map(([name, code]) => [code, name]));

/** The name of a reset code; unknown codes count as INTERNAL (§6). */
export function resetCodeName(code: number): string {
  return resetNames.get(code) ?? 'INTERNAL';
}

/** Raised when the peer breaks the protocol; the session closes with `closeCode`. */
export class ProtocolViolation extends Error {
  readonly closeCode: CloseCode;
  constructor(closeCode: CloseCode, message: string) {
    super(message);
    this.name = 'ProtocolViolation';
    this.closeCode = closeCode;
  }
}

/** The error a stream's user sees when the stream was reset or its tunnel closed. */
export class StreamResetError extends Error {
  readonly resetCode: number;
  constructor(resetCode: number, message: string) {
    super(`${resetCodeName(resetCode)}: ${message}`);
    this.name = 'StreamResetError';
    this.resetCode = resetCode;
  }
}
