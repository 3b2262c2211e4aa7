import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A finished HTTP exchange with a small body. */
export interface ProbeResponse {
  readonly status: number;
  readonly body: string;
}

export interface ProbeOptions {
  readonly caPem?: string;
  readonly token?: string;
  readonly timeoutMs?: number;
  /** The name the certificate must be valid for, when not the URL's host (sent as SNI too). */
  readonly servername?: string;
  /** For a component's self-signed health endpoint only; never for an apiserver call. */
  readonly dangerouslySkipTlsVerify?: boolean;
}

/** One GET for readiness checks; bodies over 1 MiB are cut, since probes read little. */
export function probe(url: string, options: ProbeOptions = {}): Promise<ProbeResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'GET',
        ca: options.caPem,
        ...(options.servername ? { servername: options.servername } : {}),
        rejectUnauthorized: !options.dangerouslySkipTlsVerify,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 1 << 20) body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
