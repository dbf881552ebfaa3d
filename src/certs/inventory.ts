import type { Key, Token, TokenCertificate } from '../api/types/ss.js';

export type Usage = 'auth' | 'sign' | 'none';

export interface KeyRow {
  server: string;
  tokenId: string;
  keyId: string;
  label: string;
  name: string;
  usage: Usage;
  certificates: number;
  csrs: number;
  possibleActions: string[];
}

export interface CertRow {
  server: string;
  tokenId: string;
  keyId: string;
  keyLabel: string;
  usage: Usage;
  hash: string;
  status: string;
  active: boolean;
  ocspStatus: string | null;
  ownerId: string | null;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  possibleActions: string[];
}

export interface CsrRow {
  server: string;
  tokenId: string;
  keyId: string;
  keyLabel: string;
  usage: Usage;
  csrId: string;
  ownerId: string | null;
}

export function usageOf(key: Key): Usage {
  if (key.usage === 'AUTHENTICATION') return 'auth';
  if (key.usage === 'SIGNING') return 'sign';
  return 'none';
}

export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / 86_400_000);
}

export function keyRows(server: string, tokens: Token[]): KeyRow[] {
  return tokens.flatMap((t) =>
    (t.keys ?? []).map((k) => ({
      server,
      tokenId: t.id,
      keyId: k.id,
      label: k.label,
      name: k.name,
      usage: usageOf(k),
      certificates: k.certificates?.length ?? 0,
      csrs: k.certificate_signing_requests?.length ?? 0,
      possibleActions: k.possible_actions ?? [],
    })),
  );
}

export function certRow(server: string, token: Token, key: Key, c: TokenCertificate, now: Date): CertRow {
  const d = c.certificate_details;
  return {
    server,
    tokenId: token.id,
    keyId: key.id,
    keyLabel: key.label,
    usage: usageOf(key),
    hash: d.hash.toUpperCase(),
    status: c.status,
    active: c.active,
    ocspStatus: c.ocsp_status ?? null,
    ownerId: c.owner_id || null,
    subject: d.subject_distinguished_name,
    issuer: d.issuer_distinguished_name,
    notBefore: d.not_before,
    notAfter: d.not_after,
    daysLeft: daysLeft(d.not_after, now),
    possibleActions: c.possible_actions ?? [],
  };
}

export function certRows(server: string, tokens: Token[], now = new Date()): CertRow[] {
  return tokens.flatMap((t) => (t.keys ?? []).flatMap((k) => (k.certificates ?? []).map((c) => certRow(server, t, k, c, now))));
}

export function csrRows(server: string, tokens: Token[]): CsrRow[] {
  return tokens.flatMap((t) =>
    (t.keys ?? []).flatMap((k) =>
      (k.certificate_signing_requests ?? []).map((r) => ({
        server,
        tokenId: t.id,
        keyId: k.id,
        keyLabel: k.label,
        usage: usageOf(k),
        csrId: r.id,
        ownerId: r.owner_id || null,
      })),
    ),
  );
}

export interface Located {
  token: Token;
  key: Key;
  cert: TokenCertificate;
}

export function findCert(tokens: Token[], hash: string): Located | undefined {
  const h = hash.replace(/:/g, '').toUpperCase();
  for (const token of tokens)
    for (const key of token.keys ?? [])
      for (const cert of key.certificates ?? []) {
        if (cert.certificate_details.hash.toUpperCase() === h) return { token, key, cert };
      }
  return undefined;
}

/** A hash prefix (≥ 8 hex digits) is accepted where it is unique, like git. */
export function resolveCertHash(tokens: Token[], prefix: string): string | undefined {
  const p = prefix.replace(/:/g, '').toUpperCase();
  const all = tokens.flatMap((t) => (t.keys ?? []).flatMap((k) => (k.certificates ?? []).map((c) => c.certificate_details.hash.toUpperCase())));
  const hits = all.filter((h) => h.startsWith(p));
  return hits.length === 1 ? hits[0] : undefined;
}

export function findKey(tokens: Token[], keyId: string): { token: Token; key: Key } | undefined {
  for (const token of tokens) for (const key of token.keys ?? []) if (key.id === keyId) return { token, key };
  return undefined;
}
