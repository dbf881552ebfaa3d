import type { SecurityServerApi } from '../api/security-server.js';
import { resolveSecret, type SecretRef } from '../config/secrets.js';
import { UsageError } from '../errors/index.js';

export interface TokenRow {
  id: string;
  name: string;
  type: string;
  status: string;
  loggedIn: boolean;
  available: boolean;
  keys: number;
  possibleActions: string[];
}

export async function listTokens(api: SecurityServerApi): Promise<TokenRow[]> {
  return (await api.getTokens()).map((t) => ({
    id: t.id,
    name: t.name,
    type: t.type,
    status: t.status,
    loggedIn: t.logged_in,
    available: t.available,
    keys: t.keys?.length ?? 0,
    possibleActions: t.possible_actions ?? [],
  }));
}

/** Log in (idempotent: an already logged-in token is left alone and reported unchanged). */
export async function login(
  api: SecurityServerApi,
  tokenId: string,
  pinRef: SecretRef | undefined,
  opts: { prompt?: (m: string) => Promise<string>; warn?: (m: string) => void },
): Promise<{ server: string; tokenId: string; changed: boolean; loggedIn: boolean }> {
  const token = await api.getToken(tokenId);
  if (token.logged_in) return { server: api.server, tokenId, changed: false, loggedIn: true };
  if (!pinRef) {
    throw new UsageError(`token ${tokenId} PIN is needed`, {
      server: api.server,
      step: 'token-login',
      hint: 'pass --pin env:NAME or --pin file:PATH (or set tokenPin on the context)',
    });
  }
  const pin = await resolveSecret(pinRef, { what: `${api.server} token ${tokenId} PIN`, prompt: opts.prompt, warn: opts.warn });
  const after = await api.loginToken(tokenId, pin);
  return { server: api.server, tokenId, changed: true, loggedIn: after.logged_in };
}

export async function logout(api: SecurityServerApi, tokenId: string): Promise<{ server: string; tokenId: string; changed: boolean; loggedIn: boolean }> {
  const token = await api.getToken(tokenId);
  if (!token.logged_in) return { server: api.server, tokenId, changed: false, loggedIn: false };
  const after = await api.logoutToken(tokenId);
  return { server: api.server, tokenId, changed: true, loggedIn: after.logged_in };
}
