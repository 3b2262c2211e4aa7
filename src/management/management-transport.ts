import { Agent, request } from 'node:https';
import { Duplex } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeTransport, WireRequest, WireResponse } from '../kube/transport.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';

/** The name the management cluster goes by in errors and logs (it is no registered cluster). */
export const MANAGEMENT_CLUSTER = 'management';

/** Credentials are read again this often: projected ServiceAccount tokens rotate. */
const CREDENTIAL_REFRESH_MS = 60_000;
/** A request to the management cluster that has no answer head after this fails. */
const ANSWER_TIMEOUT_MS = 15_000;

/**
 * The management cluster reached directly over HTTPS (docs/replicas.md §3), with the
 * credentials of a kubeconfig or of the pod it runs in: the store's transport for
 * `KubeClient`, so that views use the same `Informer` as everything else.
 */
export class ManagementTransport implements KubeTransport {
  readonly #config: KubeConfig;
  readonly #server: URL;
  #agent: Agent | undefined;
  #headers: Record<string, string> = {};
  #readAt = 0;

  private constructor(config: KubeConfig) {
    this.#config = config;
    const server = config.getCurrentCluster()?.server;
    if (!server) throw new Error('the management kubeconfig names no cluster server');
    this.#server = new URL(server);
    if (this.#server.protocol !== 'https:')
      throw new Error(`the management cluster must be reached over https, not ${server}`);
  }

  /** From a kubeconfig file, or the pod's in-cluster configuration when `kubeconfigPath` is undefined. */
  static async connect(kubeconfigPath: string | undefined): Promise<ManagementTransport> {
    const config = new KubeConfig();
    if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
    else config.loadFromCluster();
    const transport = new ManagementTransport(config);
    await transport.#credentials();
    return transport;
  }

  async #credentials(): Promise<{ agent: Agent; headers: Record<string, string> }> {
    if (!this.#agent || Date.now() - this.#readAt > CREDENTIAL_REFRESH_MS) {
      const options: { headers?: Record<string, string>; ca?: unknown; cert?: unknown; key?: unknown } = {};
      await this.#config.applyToHTTPSOptions(options as never);
      this.#headers = { ...(options.headers ?? {}) };
      if (!this.#agent) {
        this.#agent = new Agent({
          keepAlive: true,
          ca: options.ca as string | undefined,
          cert: options.cert as string | undefined,
          key: options.key as string | undefined,
        });
      }
      this.#readAt = Date.now();
    }
    return { agent: this.#agent, headers: this.#headers };
  }

  async send(_clusterId: string, wire: WireRequest): Promise<WireResponse> {
    const { agent, headers } = await this.#credentials();
    const url = new URL(wire.path, this.#server);
    const outgoing: Record<string, string | string[]> = { ...headers };
    for (const [name, value] of wire.headers) {
      const existing = outgoing[name];
      outgoing[name] = existing === undefined ? value : [existing, value].flat();
    }
    // Node frames a DELETE's body neither by length nor by chunks unless told: the apiserver
    // then reads the body as the next request on the connection.
    if (Buffer.isBuffer(wire.body)) outgoing['Content-Length'] = String(wire.body.length);
    return new Promise<WireResponse>((resolve, reject) => {
      const req = request(url, { method: wire.method, headers: outgoing, agent }, (res) => {
        clearTimeout(timer);
        const pairs: [string, string][] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
          pairs.push([res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string]);
        const body = Duplex.from(res);
        // A reader sees a failure through its iteration; once it has stopped reading (a
        // watch stopped, the store closed), the abort that follows is nobody's error, and
        // left unheard it would end the process.
        const ignore = () => {};
        res.on('error', ignore);
        body.on('error', ignore);
        // Ending the body early must end the connection's response too.
        body.once('close', () => res.destroy());
        resolve({ status: res.statusCode ?? 0, headers: pairs as HeaderPairs, body });
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms`)),
        ANSWER_TIMEOUT_MS,
      );
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(
          new GatewayError('CLUSTER_UNAVAILABLE', `the management cluster did not answer: ${error.message}`, {
            clusterId: MANAGEMENT_CLUSTER,
            cause: error,
          }),
        );
      });
      const body = wire.body;
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else body.pipe(req);
    });
  }

  close(): void {
    this.#agent?.destroy();
  }
}
