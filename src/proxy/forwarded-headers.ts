import { GatewayError } from '../errors/gateway-error.ts';
import { headerSyntaxProblem } from '../shared/http/header-syntax.ts';
import { withoutHopByHop } from '../shared/http/hop-by-hop.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';

/** Headers a client may not pass downstream, besides hop-by-hop ones (lower-case name). */
export function isStrippedRequestHeader(lowerName: string): boolean {
  return (
    lowerName === 'authorization' ||
    lowerName === 'host' ||
    lowerName === 'cookie' ||
    lowerName.startsWith('impersonate-') ||
    lowerName.startsWith('x-remote-') ||
    lowerName.startsWith('x-forwarded-') ||
    // The headers of a stream between replicas (docs/replicas.md §5): only a replica sets them.
    lowerName.startsWith('fleetgate-peer-')
  );
}

/**
 * The client's headers that go downstream: no hop-by-hop header, nothing the Connection
 * header names, no credential, no impersonation. A header that is not valid HTTP is refused
 * with a 400 here, at the edge, before anything is sent: the agent could not send it on.
 */
export function forwardedRequestHeaders(headers: HeaderPairs): [string, string][] {
  const forwarded = withoutHopByHop(headers).filter(([name]) => !isStrippedRequestHeader(name.toLowerCase()));
  const problem = headerSyntaxProblem(forwarded);
  if (problem) throw new GatewayError('BAD_USER_INPUT', problem);
  return forwarded;
}
