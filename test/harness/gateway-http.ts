import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A finished request to the gateway. */
export interface GatewayAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One HTTP(S) request that trusts the gateway's CA (fetch cannot be given a CA). */
export function gatewayRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    caPem?: string;
    /** The name the certificate must be valid for, when not the URL's host (sent as SNI too). */
    servername?: string;
  } = {},
): Promise<GatewayAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.caPem,
        ...(options.servername ? { servername: options.servername } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
