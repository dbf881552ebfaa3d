import type { CentralServerApi } from '../api/central-server.js';

export interface CsKeyRow {
  token: string;
  tokenLoggedIn: boolean;
  id: string;
  label: string;
  source: 'INTERNAL' | 'EXTERNAL' | null;
  active: boolean;
  available: boolean;
  createdAt: string;
  keyHash: string | null;
}

/** The central server's tokens and configuration signing keys, and which key is active per source. */
export async function listCsKeys(
  cs: CentralServerApi,
): Promise<{ server: string; keys: CsKeyRow[]; active: { INTERNAL: string | null; EXTERNAL: string | null } }> {
  const tokens = await cs.getTokens();
  const keys = tokens.flatMap((t) =>
    (t.configuration_signing_keys ?? []).map((k) => ({
      token: t.id,
      tokenLoggedIn: t.logged_in,
      id: k.id,
      label: k.label?.label ?? '',
      source: k.source_type ?? null,
      active: k.active,
      available: k.available,
      createdAt: k.created_at,
      keyHash: k.key_hash ?? null,
    })),
  );
  const activeOf = (src: 'INTERNAL' | 'EXTERNAL') => keys.find((k) => k.source === src && k.active)?.id ?? null;
  return { server: cs.server, keys, active: { INTERNAL: activeOf('INTERNAL'), EXTERNAL: activeOf('EXTERNAL') } };
}
