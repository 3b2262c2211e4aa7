import type { IncomingMessage } from 'node:http';
import type { LocalUser, LocalUsers } from '../auth/local-users.ts';
import { HttpError } from './http-json.ts';

const MAX_BASIC_CHARS = 2048;

/** Authenticates a request with HTTP Basic against the local users; admins only. */
export async function requireAdmin(req: IncomingMessage, users: LocalUsers): Promise<LocalUser> {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ') || header.length > MAX_BASIC_CHARS) {
    throw new HttpError(401, 'UNAUTHENTICATED', 'sign in with HTTP Basic as an administrator');
  }
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon > 0 ? await users.verify(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
  if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'wrong user name or password');
  if (!user.isAdmin) throw new HttpError(403, 'FORBIDDEN', 'only administrators may manage clusters');
  return user;
}
