import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Kubernetes Status reasons the passthrough answers with. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'ServiceUnavailable'
  | 'InternalError'
  | 'Timeout';

/** A Kubernetes-style failure, so that kubectl prints it as it prints the apiserver's own. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  constructor(code: number, reason: StatusReason, message: string) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
  }

  body(): string {
    return JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    });
  }
}

export function sendStatus(res: ServerResponse, error: StatusError): void {
  const body = error.body();
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  };
  if (error.code === 401) headers['www-authenticate'] = 'Bearer realm="fleetgate"';
  res.writeHead(error.code, headers);
  res.end(body);
}

/** Answers an upgrade request with a Status and closes the connection. */
export function sendStatusOnSocket(socket: Duplex, error: StatusError): void {
  const body = error.body();
  socket.end(
    `HTTP/1.1 ${error.code} ${error.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
