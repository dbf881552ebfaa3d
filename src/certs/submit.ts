import type { SecurityServerApi } from '../api/security-server.js';
import { ConflictError, UsageError } from '../errors/index.js';
import { findKey, usageOf } from './inventory.js';
import type { Progress } from './lifecycle.js';

/** What submitting a CSR to a CA gives back. */
export type SubmitOutcome =
  | { kind: 'certificate'; certificate: Buffer }
  /** the server ordered and imported the certificate itself (server-acme) */
  | { kind: 'imported'; hash: string }
  /** the CSR was handed over; the certificate comes later (manual) */
  | { kind: 'pending'; where: string };

export interface SubmitContext {
  api: SecurityServerApi;
  keyId: string;
  csrId: string;
  csr: Buffer;
  usage: 'auth' | 'sign';
  ca: string;
  progress: Progress;
}

/**
 * server-acme: ask the security server to order the certificate from the CA's ACME server itself
 * (X-Road 7.6+, POST /certificate-authorities/{ca}/acme-order). The server imports the result; we
 * find it on the key.
 */
export async function submitServerAcme(c: SubmitContext): Promise<SubmitOutcome> {
  const cas = await c.api.getApprovedCertificateAuthorities(c.usage === 'auth' ? 'AUTHENTICATION' : 'SIGNING');
  const ca = cas.find((x) => x.name === c.ca);
  if (!ca) throw new UsageError(`CA '${c.ca}' is not approved on ${c.api.server}`, { server: c.api.server, step: 'acme-order' });
  if (!ca.acme_capable)
    throw new UsageError(`CA '${c.ca}' has no ACME server configured at the central server`, {
      server: c.api.server,
      step: 'acme-order',
      hint: 'use the acme or command adapter instead',
    });
  c.progress(`asking ${c.api.server} to order from ${c.ca} over ACME`);
  await c.api.orderAcmeCertificate(c.ca, { csr_id: c.csrId, key_usage_type: c.usage === 'auth' ? 'AUTHENTICATION' : 'SIGNING' });
  const key = await c.api.getKey(c.keyId);
  const cert = [...(key.certificates ?? [])].sort((a, b) => Date.parse(b.certificate_details.not_before) - Date.parse(a.certificate_details.not_before))[0];
  if (!cert) throw new ConflictError('the ACME order succeeded but no certificate is on the key', { server: c.api.server, step: 'acme-order' });
  return { kind: 'imported', hash: cert.certificate_details.hash.toUpperCase() };
}

/** The CSR to submit: downloaded from the server by key (and CSR id, or the key's only CSR). */
export async function csrForKey(
  api: SecurityServerApi,
  keyId: string,
  csrId: string | undefined,
  format: 'PEM' | 'DER',
): Promise<{ csrId: string; usage: 'auth' | 'sign'; csr: Buffer }> {
  const tokens = await api.getTokens();
  const k = findKey(tokens, keyId);
  if (!k) throw new UsageError(`no key ${keyId} on ${api.server}`, { server: api.server, step: 'find-csr', hint: 'xrdctl csr list' });
  const csrs = k.key.certificate_signing_requests ?? [];
  const chosen = csrId ? csrs.find((c) => c.id === csrId) : csrs.length === 1 ? csrs[0] : undefined;
  if (!chosen) {
    throw new UsageError(csrId ? `key ${keyId} has no CSR ${csrId}` : `key ${keyId} has ${csrs.length} CSRs: name one with --csr`, {
      server: api.server,
      step: 'find-csr',
      hint: csrs.length ? `CSRs: ${csrs.map((c) => c.id).join(', ')}` : 'create one with xrdctl csr create --key',
    });
  }
  const usage = usageOf(k.key);
  if (usage === 'none') throw new UsageError(`key ${keyId} has no usage yet`, { server: api.server, step: 'find-csr' });
  return { csrId: chosen.id, usage, csr: await api.downloadCsr(keyId, chosen.id, format) };
}

/** How a CSR reaches its CA: the adapters of `csr submit`, of apply's issuers and of rotation. */
export type IssuerSpec =
  | { type: 'server-acme' }
  | { type: 'command'; command: string; timeoutMs: number; passEnv?: string[] }
  /** the CSR goes to `csrFile`; the CA's answer is picked up from `certFile` once it is there */
  | { type: 'manual'; csrFile: string; certFile?: string }
  | { type: 'acme'; options: import('../pki/adapters/acme.js').AcmeOptions };

/**
 * Submit a CSR through one adapter (one implementation for csr submit, apply and rotation).
 * manual: when the answer file already exists it is the certificate; otherwise the CSR is written and
 * the outcome is pending (a rerun or `rotate resume` picks the answer up).
 */
export async function submitCsr(c: SubmitContext & { issuer: IssuerSpec; csrFormat?: 'PEM' | 'DER' }): Promise<SubmitOutcome> {
  const fmt = c.csrFormat ?? 'PEM';
  const sub = { usage: c.usage, csrFormat: fmt, log: c.progress };
  switch (c.issuer.type) {
    case 'server-acme':
      return submitServerAcme(c);
    case 'manual': {
      const { existsSync, readFileSync } = await import('node:fs');
      if (c.issuer.certFile && existsSync(c.issuer.certFile)) {
        c.progress(`the CA's answer is in ${c.issuer.certFile}`);
        return { kind: 'certificate', certificate: readFileSync(c.issuer.certFile) };
      }
      const { ManualAdapter } = await import('../pki/adapters/manual.js');
      const r = await new ManualAdapter(c.issuer.csrFile).submit(c.csr, sub);
      return { kind: 'pending', where: c.issuer.certFile ? `${r.csrPath} (answer expected in ${c.issuer.certFile})` : r.csrPath };
    }
    case 'acme': {
      const { AcmeAdapter } = await import('../pki/adapters/acme.js');
      const r = await new AcmeAdapter(c.issuer.options).submit(c.csr, sub);
      return { kind: 'certificate', certificate: r.certificate };
    }
    case 'command': {
      const { CommandAdapter, splitCommand } = await import('../pki/adapters/command.js');
      const r = await new CommandAdapter(splitCommand(c.issuer.command), { timeoutMs: c.issuer.timeoutMs, passEnv: c.issuer.passEnv }).submit(c.csr, sub);
      return { kind: 'certificate', certificate: r.certificate };
    }
  }
}
