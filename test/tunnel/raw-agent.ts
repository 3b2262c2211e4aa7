// A hand-driven tunnel client for tests: connects like an agent, sends whatever bytes a
// test wants, and records what the gateway does.
import { WebSocket } from 'ws';
import { type Frame, parseFrame } from '../../src/shared/tunnel/frame.ts';
import { PROTOCOL_VERSIONS, TUNNEL_PATH } from '../../src/shared/tunnel/limits.ts';

export interface RawAgent {
  readonly socket: WebSocket;
  readonly frames: Frame[];
  /** Resolves once the gateway's HELLO arrived. */
  readonly hello: Promise<Frame>;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves when the gateway answers the upgrade with plain HTTP instead. */
  readonly refused: Promise<{ status: number; body: string }>;
  send(bytes: Buffer | string): void;
  /** Resolves with the first received frame (past or future) that matches. */
  waitForFrame(predicate: (frame: Frame) => boolean): Promise<Frame>;
}

export function connectRawAgent(
  gatewayUrl: string,
  token: string | undefined,
  options: { protocols?: string[]; caPem?: string } = {},
): RawAgent {
  const url = new URL(TUNNEL_PATH, gatewayUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url, options.protocols ?? [...PROTOCOL_VERSIONS], {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ca: options.caPem,
  });
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  let resolveHello: (frame: Frame) => void = () => {};
  const hello = new Promise<Frame>((resolve) => {
    resolveHello = resolve;
  });
  socket.on('message', (data: Buffer) => {
    try {
      const frame = parseFrame(data);
      frames.push(frame);
      for (const wake of waiters.splice(0)) wake();
      if (frame.type === 'HELLO') resolveHello(frame);
    } catch {
      // tests look at what parsed
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') }));
    socket.on('error', () => {});
  });
  const refused = new Promise<{ status: number; body: string }>((resolve) => {
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  return {
    socket,
    frames,
    hello,
    closed,
    refused,
    waitForFrame(predicate) {
      return new Promise((resolve) => {
        const check = () => {
          const found = frames.find(predicate);
          if (found) resolve(found);
          else waiters.push(check);
        };
        check();
      });
    },
    send(bytes) {
      void opened.then(() => socket.send(bytes, { binary: typeof bytes !== 'string' }));
    },
  };
}
