import type { HeaderPairs } from './tunnel/heads.ts';

/** The only system: identity the gateway may impersonate: every signed-in person has it. */
export const ALLOWED_SYSTEM_GROUP = 'system:authenticated';

/**
 * Why a set of Impersonate-* headers must not reach an apiserver, or undefined when it may.
 * No request made through the gateway may act as a `system:` user or group (cluster
 * components, system:masters) other than the group system:authenticated.
 */
export function forbiddenImpersonation(headers: HeaderPairs): string | undefined {
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    const v = value.trim();
    if (lower === 'impersonate-user' && v.toLowerCase().startsWith('system:')) {
      return `impersonating the user ${JSON.stringify(v)} is not allowed`;
    }
    if (
      lower === 'impersonate-group' &&
      v.toLowerCase().startsWith('system:') &&
      v !== ALLOWED_SYSTEM_GROUP
    ) {
      return `impersonating the group ${JSON.stringify(v)} is not allowed`;
    }
  }
  return undefined;
}
