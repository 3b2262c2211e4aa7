import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayError } from '../errors/gateway-error.ts';

/** A failure as a Kubernetes Status, so that kubectl prints it as it prints the apiserver's own. */
export function statusBody(error: GatewayError): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    code: error.httpStatus,
  });
}

export function sendStatus(res: ServerResponse, error: GatewayError): void {
  const body = statusBody(error);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  };
  if (error.httpStatus === 401) headers['www-authenticate'] = 'Bearer realm="fleetgate"';
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = error.retryAfterSeconds;
  res.writeHead(error.httpStatus, headers);
  res.end(body);
}

/** Answers an upgrade request with a Status and closes the connection. */
export function sendStatusOnSocket(socket: Duplex, error: GatewayError): void {
  const body = statusBody(error);
  socket.end(
    `HTTP/1.1 ${error.httpStatus} ${error.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${error.retryAfterSeconds === undefined ? '' : `retry-after: ${error.retryAfterSeconds}\r\n`}connection: close\r\n\r\n${body}`,
  );
}
