// A real agent pointed at a stand-in gateway on loopback, with an apiserver address that
// nothing listens on: for tests of the agent's side of the protocol.
import { CredentialSource } from '../../agent/apiserver-credentials.ts';
import { ApiserverProxy } from '../../agent/apiserver-proxy.ts';
import { AgentConnector } from '../../agent/connector.ts';
import { createLogger } from '../../src/shared/log/logger.ts';

export interface TestAgent {
  readonly connector: AgentConnector;
  stop(): void;
}

/**
 * Starts an agent that dials ws://127.0.0.1:<gatewayPort>; `apiserverToken` is the bearer
 * token the agent would send to its apiserver (none by default).
 */
export function startAgentAgainst(
  gatewayPort: number,
  backoff: { baseMs: number; maxMs?: number },
  apiserverToken?: string,
): TestAgent {
  const quiet = createLogger('test', 'silent');
  const credentials = new CredentialSource({
    source: 'test',
    load: async () => ({
      options: { headers: apiserverToken === undefined ? {} : { Authorization: `Bearer ${apiserverToken}` } },
    }),
    exec: false,
  });
  const target = { url: new URL('https://127.0.0.1:1'), source: 'test', proxyUrl: undefined, credentials };
  const proxy = new ApiserverProxy(target, quiet);
  const connector = new AgentConnector({
    gatewayUrl: new URL(`http://127.0.0.1:${gatewayPort}`),
    registrationToken: () => 'c-aaaaaaaaaa.token',
    agentVersion: 'test',
    proxy,
    log: quiet,
    reconnectBaseMs: backoff.baseMs,
    reconnectMaxMs: backoff.maxMs,
  });
  connector.start();
  return {
    connector,
    stop() {
      connector.stop();
      proxy.close();
    },
  };
}
