/**
 * How a certificate counts (issue 11, xroad-flows §5 "which auth certificate the proxy uses", §7):
 * only the certificates that decide whether the server can work count toward its status: the one in
 * use (the working one that lasts longest) and, when none works, the one that should be in use.
 * Replaced, disabled and old ones are informational. Pure: data in, results out.
 */
import type { Token } from '../api/types/ss.js';
import { certRow, type CertRow } from '../certs/inventory.js';
import { check, worst, type CertHealth, type CheckResult, type Status } from './model.js';
import type { Thresholds } from './thresholds.js';

/** What the central server says about a registration (when a CS context is known). */
export interface RegistrationInfo {
  id?: number;
  status: string;
  createdAt?: string;
}

export interface CertInput extends CertRow {
  tokenLoggedIn: boolean;
  keyAvailable: boolean;
  renewalError?: string;
}

export interface CertOptions {
  now: Date;
  t: Thresholds;
  /** how remedies name the server, e.g. '-c ss1' */
  at: string;
  /** member ids of the member clients (owner included): each needs a working sign certificate */
  members: string[];
  /** CS view of auth-certificate registrations, by certificate hash (upper case) */
  registrations?: Map<string, RegistrationInfo>;
  /** whether a central server was asked (else a pending registration's age is unknown) */
  csAsked: boolean;
}

export function certInputs(tokens: Token[], now: Date): CertInput[] {
  return tokens.flatMap((t) =>
    (t.keys ?? []).flatMap((k) =>
      (k.certificates ?? []).map((c) => ({
        ...certRow('', t, k, c, now),
        tokenLoggedIn: t.logged_in,
        keyAvailable: k.available !== false,
        renewalError: c.renewal_error || undefined,
      })),
    ),
  );
}

const short = (h: string) => h.slice(0, 16);
const ocspShort = (s: string | null) => (s ? s.replace('OCSP_RESPONSE_', '') : 'none');
const day = (iso: string) => iso.slice(0, 10);

export function expired(c: CertInput, now: Date): boolean {
  return Date.parse(c.notAfter) <= now.getTime() || Date.parse(c.notBefore) > now.getTime();
}

/** The proxy's rule: token logged in, key available, active, REGISTERED, within validity, OCSP good. */
export function working(c: CertInput, now: Date): boolean {
  return c.tokenLoggedIn && c.keyAvailable && c.active && c.status === 'REGISTERED' && c.ocspStatus === 'OCSP_RESPONSE_GOOD' && !expired(c, now);
}

function renewRemedy(usage: 'auth' | 'sign', at: string, member?: string): string {
  return usage === 'auth'
    ? `bring a new auth certificate to REGISTERED and active: xrdctl csr create ${at} --usage auth --ca CA, have it signed, xrdctl cert import ${at} FILE, xrdctl cert register ${at} HASH --approve --activate (or xrdctl apply with certificates.auth)`
    : `add a new sign certificate: xrdctl csr create ${at} --usage sign --member ${member} --ca CA, have it signed, xrdctl cert import ${at} FILE (or xrdctl apply with certificates.sign)`;
}

function daysStatus(days: number, t: Thresholds): Status {
  return days < t.critDays ? 'CRITICAL' : days < t.warnDays ? 'WARNING' : 'OK';
}

function ageText(sec: number): string {
  if (sec >= 86400) return `${(sec / 86400).toFixed(1)} d`;
  if (sec >= 3600) return `${(sec / 3600).toFixed(1)} h`;
  if (sec >= 60) return `${Math.round(sec / 60)} min`;
  return `${Math.round(sec)} s`;
}
export { ageText };

/** Why a certificate that should be in use is not working, and what fixes it. */
function notWorking(c: CertInput, o: CertOptions): { why: string; remedy: string } {
  const h = short(c.hash);
  const usage = c.usage === 'sign' ? 'sign' : 'auth';
  if (!c.tokenLoggedIn) return { why: `${h} cannot be used: its token ${c.tokenId} is logged out`, remedy: `xrdctl token login ${o.at}` };
  if (!c.keyAvailable) return { why: `${h}: its key is not available (HSM disconnected?)`, remedy: 'reconnect the HSM holding the key, then check again' };
  if (expired(c, o.now)) return { why: `${h} expired on ${day(c.notAfter)}`, remedy: renewRemedy(usage, o.at, c.ownerId ?? undefined) };
  if (c.ocspStatus === 'OCSP_RESPONSE_REVOKED' || c.ocspStatus === 'OCSP_RESPONSE_SUSPENDED') {
    return { why: `${h} is ${ocspShort(c.ocspStatus)} by its CA (OCSP)`, remedy: `the CA revoked it: ${renewRemedy(usage, o.at, c.ownerId ?? undefined)}` };
  }
  if (c.status === 'SAVED')
    return {
      why: `${h} is SAVED, not registered at the central server (the server is off the exchange)`,
      remedy: `xrdctl cert register ${o.at} ${h} --approve --activate`,
    };
  if (c.status === 'REGISTRATION_IN_PROGRESS') return registrationText(c, o) ?? { why: `${h} is REGISTRATION_IN_PROGRESS`, remedy: pendingRemedy(o) };
  if (c.status === 'GLOBAL_ERROR') {
    return {
      why: `${h} is GLOBAL_ERROR: the central server no longer lists it (deleted or declined there; the SS is never told)`,
      remedy: `delete it (xrdctl cert delete ${o.at} ${h}) and ${renewRemedy(usage, o.at)}`,
    };
  }
  if (c.status === 'DELETION_IN_PROGRESS')
    return { why: `${h} is being deleted (DELETION_IN_PROGRESS)`, remedy: renewRemedy(usage, o.at, c.ownerId ?? undefined) };
  if (!c.active) return { why: `${h} is ${c.status} but disabled`, remedy: `xrdctl cert activate ${o.at} ${h}` };
  return {
    why: `${h} has no good OCSP answer (${ocspShort(c.ocspStatus)})`,
    remedy: `check the OCSP responders (xrdctl health ${o.at} --only ocsp); the status refreshes within ocspFetchInterval (20 min)`,
  };
}

function pendingRemedy(o: CertOptions): string {
  return o.csAsked
    ? 'approve it at the central server (xrdctl cs request list --status WAITING, xrdctl cs request approve ID)'
    : 'approve it at the central server (xrdctl cs request list --status WAITING); give the context a central server (xrdctl context add --central-context) so health can tell how long it waits or whether it was declined';
}

function declinedRemedy(h: string, o: CertOptions): string {
  return `the SS is never told: mark ${h} for deletion (PUT /token-certificates/HASH/mark-for-deletion, the UI's forced unregister), xrdctl cert delete ${o.at} ${h}, then ${renewRemedy('auth', o.at)}`;
}

/** A pending registration as the CS sees it: declined (CRITICAL), waiting too long (WARNING), fresh (OK). */
function registrationText(c: CertInput, o: CertOptions): { why: string; remedy: string; status: Status } | undefined {
  const r = o.registrations?.get(c.hash.toUpperCase());
  const h = short(c.hash);
  if (!r) {
    if (!o.csAsked) return undefined;
    return {
      why: `${h} is REGISTRATION_IN_PROGRESS but the central server has no registration request for it (deleted there)`,
      remedy: declinedRemedy(h, o),
      status: 'CRITICAL',
    };
  }
  const id = r.id !== undefined ? ` #${r.id}` : '';
  if (r.status === 'DECLINED' || r.status === 'REVOKED') {
    return {
      why: `${h}: registration request${id} was ${r.status} at the central server${r.createdAt ? ` (sent ${day(r.createdAt)})` : ''}; the SS stays REGISTRATION_IN_PROGRESS for ever`,
      remedy: declinedRemedy(h, o),
      status: 'CRITICAL',
    };
  }
  if (r.status === 'APPROVED')
    return {
      why: `${h}: registration${id} approved, waiting for the next global configuration`,
      remedy: 'none needed: the SS sees it within ~150 s',
      status: 'OK',
    };
  const age = r.createdAt ? (o.now.getTime() - Date.parse(r.createdAt)) / 1000 : 0;
  const status: Status = age > o.t.registrationPending ? 'WARNING' : 'OK';
  return {
    why: `${h}: registration request${id} ${r.status} at the central server for ${ageText(age)}`,
    remedy: r.id !== undefined ? `xrdctl cs request approve ${r.id} (or decline it and register again)` : pendingRemedy(o),
    status,
  };
}

function health(c: CertInput, now: Date, counts: boolean, severity: Status, reason: string): CertHealth {
  return {
    usage: c.usage,
    hash: c.hash,
    ownerId: c.ownerId,
    status: c.status,
    active: c.active,
    ocspStatus: c.ocspStatus,
    notAfter: c.notAfter,
    daysLeft: c.daysLeft,
    daysToExpiry: Math.round(((Date.parse(c.notAfter) - now.getTime()) / 86_400_000) * 100) / 100,
    counts,
    severity,
    reason,
  };
}

/** Order in which a non-working certificate "should be in use": the closest to working first. */
function candidateRank(c: CertInput): number {
  if (c.active && c.status === 'REGISTERED') return 0;
  if (c.status === 'REGISTERED') return 1;
  if (c.status === 'REGISTRATION_IN_PROGRESS') return 2;
  if (c.status === 'GLOBAL_ERROR') return 3;
  if (c.status === 'SAVED') return 4;
  return 5;
}

interface GroupResult {
  checks: CheckResult[];
  certs: CertHealth[];
}

/** One usage group (the auth certificates, or one member's sign certificates) → its checks. */
function classifyGroup(name: string, usage: 'auth' | 'sign', certs: CertInput[], o: CertOptions, member?: string): GroupResult {
  const out: CertHealth[] = [];
  const checks: CheckResult[] = [];
  const what = usage === 'auth' ? 'auth certificate' : `sign certificate of ${member}`;
  const works = certs.filter((c) => working(c, o.now)).sort((a, b) => Date.parse(b.notAfter) - Date.parse(a.notAfter));
  const inUse = works[0];
  if (inUse) {
    let st = daysStatus(inUse.daysLeft, o.t);
    let msg = `${short(inUse.hash)} in use: REGISTERED, active, OCSP GOOD, ${inUse.daysLeft} days left (until ${day(inUse.notAfter)})`;
    let remedy = st === 'OK' ? '' : renewRemedy(usage, o.at, member);
    if (inUse.renewalError) {
      st = worst([st, 'WARNING']);
      msg += `; automatic renewal failed: ${inUse.renewalError}`;
      remedy ||= `fix the ACME renewal (${inUse.renewalError}) or ${renewRemedy(usage, o.at, member)}`;
    }
    const reason = st === 'OK' ? `in use, ${inUse.daysLeft} days left` : msg;
    checks.push(
      check(name, 'certificates', st, msg, remedy, [{ label: `${name} days`, value: inUse.daysLeft, warn: `${o.t.warnDays}:`, crit: `${o.t.critDays}:` }]),
    );
    out.push(health(inUse, o.now, true, st, reason));
  } else if (certs.length === 0) {
    checks.push(
      check(
        name,
        'certificates',
        'CRITICAL',
        `no ${what}: ${usage === 'auth' ? 'the server cannot talk to other security servers' : 'the member cannot sign messages'}`,
        renewRemedy(usage, o.at, member),
      ),
    );
  } else {
    const cand = [...certs].sort((a, b) => candidateRank(a) - candidateRank(b) || Date.parse(b.notAfter) - Date.parse(a.notAfter))[0]!;
    const nw = notWorking(cand, o);
    checks.push(check(name, 'certificates', 'CRITICAL', `no working ${what}: ${nw.why}`, nw.remedy));
    out.push(health(cand, o.now, true, 'CRITICAL', nw.why));
  }
  // the others: informational, except a registration that should become the next one and is stuck
  for (const c of certs) {
    if (out.some((x) => x.hash === c.hash)) continue;
    const h = short(c.hash);
    if (usage === 'auth' && c.status === 'REGISTRATION_IN_PROGRESS') {
      const r = registrationText(c, o);
      if (r && r.status !== 'OK') {
        checks.push(check(`${name}-registration`, 'certificates', r.status, r.why, r.remedy));
        out.push(health(c, o.now, true, r.status, r.why));
        continue;
      }
      out.push(health(c, o.now, false, 'OK', r?.why ?? `${h} registration in progress`));
      continue;
    }
    if (
      c.active &&
      c.status === 'REGISTERED' &&
      (c.ocspStatus === 'OCSP_RESPONSE_REVOKED' || c.ocspStatus === 'OCSP_RESPONSE_SUSPENDED') &&
      !expired(c, o.now)
    ) {
      const why = `${h} is still active but ${ocspShort(c.ocspStatus)} by its CA`;
      checks.push(check(`${name}-revoked`, 'certificates', 'WARNING', why, `disable it: xrdctl cert disable ${o.at} ${h}`));
      out.push(health(c, o.now, true, 'WARNING', why));
      continue;
    }
    const state = `${c.status}${c.active ? ', active' : ', disabled'}, OCSP ${ocspShort(c.ocspStatus)}, ${expired(c, o.now) ? 'expired' : `${c.daysLeft} days left`}`;
    out.push(health(c, o.now, false, 'OK', inUse ? `not in use (${state}); replaced by ${short(inUse.hash)}` : `not in use (${state})`));
  }
  return { checks, certs: out };
}

/** Auth certificate(s) and the sign certificate of every member client. */
export function classifyCertificates(inputs: CertInput[], o: CertOptions): GroupResult {
  const auth = classifyGroup(
    'auth-cert',
    'auth',
    inputs.filter((c) => c.usage === 'auth'),
    o,
  );
  const checks = [...auth.checks];
  const certs = [...auth.certs];
  const sign = inputs.filter((c) => c.usage === 'sign');
  for (const m of o.members) {
    const g = classifyGroup(
      `sign-cert ${m}`,
      'sign',
      sign.filter((c) => c.ownerId === m),
      o,
      m,
    );
    checks.push(...g.checks);
    certs.push(...g.certs);
  }
  for (const c of inputs) {
    if (certs.some((x) => x.hash === c.hash)) continue;
    const why = c.usage === 'sign' ? `member ${c.ownerId ?? '?'} is not a client of this server` : 'key without usage';
    certs.push(health(c, o.now, false, 'OK', `not counted: ${why}`));
  }
  return { checks, certs: certs.sort((a, b) => a.daysToExpiry - b.daysToExpiry) };
}
