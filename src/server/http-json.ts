import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.ts';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** The gateway's own API answers a failure as `{ error: { code, message } }` with the code's status. */
export function sendError(res: ServerResponse, error: GatewayError): void {
  if (error.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(error.retryAfterSeconds));
  sendJson(res, error.httpStatus, { error: { code: error.code, message: error.message } });
}

/** A percent-encoded part of a request path, decoded; malformed encoding is the client's error, not ours. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GatewayError(
      'BAD_USER_INPUT',
      `the path holds malformed percent-encoding: ${JSON.stringify(segment.slice(0, 100))}`,
    );
  }
}

const MAX_JSON_BODY_BYTES = 64 * 1024;

/** Reads a JSON object body of at most 64 KiB; an empty body is {}. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY_BYTES)
      throw new GatewayError(
        'PAYLOAD_TOO_LARGE',
        `request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes`,
      );
    chunks.push(chunk);
  }
  if (size === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new GatewayError('BAD_USER_INPUT', 'request body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError('BAD_USER_INPUT', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** An optional whole-number field of a JSON body. */
export function optionalInteger(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new GatewayError('BAD_USER_INPUT', `${field} must be a whole number`);
  }
  return value;
}
