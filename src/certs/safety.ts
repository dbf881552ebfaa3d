import type { Token, TokenCertificate } from '../api/types/ss.js';
import { SafetyError } from '../errors/index.js';
import { usageOf } from './inventory.js';

/**
 * The invariant the destructive commands keep: a security server never loses its last working
 * auth certificate, and a member never its last working sign certificate, unless the operator
 * explicitly forces it (xroad-flows §5: the steps that can lose the only working cert).
 *
 * Working = active, REGISTERED, within validity, and OCSP not revoked/suspended/expired.
 */
export function isWorking(c: TokenCertificate, now: Date): boolean {
  if (!c.active || c.status !== 'REGISTERED') return false;
  const d = c.certificate_details;
  if (Date.parse(d.not_after) <= now.getTime() || Date.parse(d.not_before) > now.getTime()) return false;
  return !['OCSP_RESPONSE_REVOKED', 'OCSP_RESPONSE_SUSPENDED', 'EXPIRED', 'DISABLED'].includes(c.ocsp_status ?? '');
}

export interface WorkingSet {
  auth: string[];
  /** member id → hashes of its working sign certs */
  sign: Map<string, string[]>;
}

export function workingCerts(tokens: Token[], now: Date): WorkingSet {
  const auth: string[] = [];
  const sign = new Map<string, string[]>();
  for (const t of tokens) {
    // a logged-out token makes none of its keys usable (but that is not what we judge here:
    // logging in again restores them; deleting does not)
    for (const k of t.keys ?? []) {
      for (const c of k.certificates ?? []) {
        if (!isWorking(c, now)) continue;
        const h = c.certificate_details.hash.toUpperCase();
        if (usageOf(k) === 'auth') auth.push(h);
        else if (usageOf(k) === 'sign' && c.owner_id) sign.set(c.owner_id, [...(sign.get(c.owner_id) ?? []), h]);
      }
    }
  }
  return { auth, sign };
}

export interface Removal {
  /** certificate hashes that stop working (disabled, unregistered or deleted) */
  certs?: string[];
  /** keys deleted with all their certificates */
  keys?: string[];
}

/** What the removal would break: an empty list means it is safe. */
export function removalProblems(server: string, tokens: Token[], removal: Removal, now = new Date()): string[] {
  const gone = new Set((removal.certs ?? []).map((h) => h.toUpperCase()));
  for (const t of tokens)
    for (const k of t.keys ?? []) {
      if (removal.keys?.includes(k.id)) for (const c of k.certificates ?? []) gone.add(c.certificate_details.hash.toUpperCase());
    }
  const before = workingCerts(tokens, now);
  const problems: string[] = [];
  if (before.auth.length > 0 && before.auth.every((h) => gone.has(h))) {
    problems.push(
      `${server} would be left without a working auth certificate (the only one is ${before.auth.join(', ')}); it would drop off the X-Road network`,
    );
  }
  for (const [member, hashes] of before.sign) {
    if (hashes.every((h) => gone.has(h))) {
      problems.push(
        `member ${member} on ${server} would be left without a working sign certificate; its subsystems could no longer sign messages or send management requests`,
      );
    }
  }
  return problems;
}

/** Throw exit-5 SafetyError unless forced. */
export function assertSafeRemoval(server: string, step: string, tokens: Token[], removal: Removal, force: boolean, now = new Date()): string[] {
  const problems = removalProblems(server, tokens, removal, now);
  if (problems.length && !force) {
    throw new SafetyError(`refused: ${problems.join('; ')}`, {
      server,
      step,
      hint: 'bring a new certificate to REGISTERED and active first, or pass --force with --yes if you mean to take it offline',
    });
  }
  return problems;
}
