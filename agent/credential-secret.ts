import type { ApiserverProxy } from './apiserver-proxy.ts';
import type { AgentCredentialStore } from './connector.ts';

/** Where agents keep their credential unless told otherwise (the install manifest's Secret). */
export const DEFAULT_CREDENTIAL_SECRET = 'fleetgate-system/fleetgate-agent-credential';
/** The key of the credential in the Secret's data. */
export const CREDENTIAL_KEY = 'credential';
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

interface SecretObject {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string> | null;
}

/** Parses "<namespace>/<name>"; throws with the reason otherwise. */
export function parseSecretRef(text: string): { namespace: string; name: string } {
  const [namespace, name, ...rest] = text.split('/');
  if (rest.length || !namespace || !name || !NAME_PATTERN.test(namespace) || !NAME_PATTERN.test(name))
    throw new Error(`credential Secret ${JSON.stringify(text.slice(0, 100))} is not <namespace>/<name>`);
  return { namespace, name };
}

/**
 * The agent credential kept in a Secret of the agent's namespace (docs/tunnel-protocol.md
 * §2), read and written through the apiserver with the agent's own ServiceAccount, which may
 * `get` and `update` that one Secret. Every replica of the agent shares it.
 */
export class CredentialSecret implements AgentCredentialStore {
  readonly #proxy: ApiserverProxy;
  readonly #path: string;
  readonly description: string;

  constructor(proxy: ApiserverProxy, ref: { namespace: string; name: string }) {
    this.#proxy = proxy;
    this.#path = `/api/v1/namespaces/${ref.namespace}/secrets/${ref.name}`;
    this.description = `Secret ${ref.namespace}/${ref.name}`;
  }

  async read(): Promise<string | undefined> {
    const secret = await this.#get();
    const encoded = secret.data?.[CREDENTIAL_KEY];
    return encoded ? Buffer.from(encoded, 'base64').toString('utf8').trim() || undefined : undefined;
  }

  async write(credential: string): Promise<void> {
    // Update, not patch or create: the agent's Role grants get and update on this one Secret.
    // A conflict means another replica wrote meanwhile; the last of them wins, as either
    // credential is one the gateway handed out.
    for (let attempt = 0; ; attempt++) {
      const secret = await this.#get();
      const updated = {
        ...secret,
        data: { ...secret.data, [CREDENTIAL_KEY]: Buffer.from(credential).toString('base64') },
      };
      const answer = await this.#proxy.ownRequest('PUT', this.#path, updated);
      if (answer.status === 200) return;
      if (answer.status !== 409 || attempt >= 2)
        throw new Error(`update ${this.description}: ${answer.status} ${answer.text.slice(0, 200)}`);
    }
  }

  async #get(): Promise<SecretObject & Record<string, unknown>> {
    const answer = await this.#proxy.ownRequest('GET', this.#path);
    if (answer.status !== 200)
      throw new Error(`get ${this.description}: ${answer.status} ${answer.text.slice(0, 200)}`);
    return JSON.parse(answer.text) as SecretObject & Record<string, unknown>;
  }
}
