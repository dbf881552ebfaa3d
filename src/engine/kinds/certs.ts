import { certRows, csrRows, findKey } from '../../certs/inventory.js';
import { createCsr, importCert, registerAuthCert } from '../../certs/lifecycle.js';
import { isWorking } from '../../certs/safety.js';
import { submitServerAcme } from '../../certs/submit.js';
import { ConflictError, UsageError } from '../../errors/index.js';
import type { Change, Executor, KindContext } from '../types.js';

/**
 * Desired certificates: one working auth certificate per server, one working sign certificate per
 * listed member. Missing → apply issues one through the manifest's issuer (key+CSR, CA, import,
 * register + approve + activate for auth). Within renewBeforeDays of expiry → reported as
 * "needs rotation" (rotation is a runbook of its own, never a side effect of apply).
 */
export function diffCerts({ server, actual }: KindContext, now = new Date()): Change[] {
  const out: Change[] = [];
  const rows = certRows(server.name, actual.tokens, now);
  const working = (usage: 'auth' | 'sign', member?: string) =>
    actual.tokens.flatMap((t) => (t.keys ?? []).flatMap((k) => (k.certificates ?? []).filter((c) => isWorking(c, now) && (usage === 'auth' ? k.usage === 'AUTHENTICATION' : k.usage === 'SIGNING' && c.owner_id === member))));
  for (const d of server.certificates) {
    const key = d.usage === 'auth' ? 'auth' : `sign ${d.member}`;
    const base = { server: server.name, kind: `${d.usage}-cert`, key, pos: d.pos };
    const ok = working(d.usage, d.member);
    if (ok.length === 0) {
      const inProgress = rows.find((r) => r.usage === d.usage && (d.usage === 'auth' ? r.status === 'REGISTRATION_IN_PROGRESS' || r.status === 'SAVED' : r.ownerId === d.member));
      out.push({
        ...base,
        id: `${server.name}/${d.usage}-cert/${key}`,
        op: d.issuer ? 'create' : 'unsafe',
        summary: d.issuer
          ? `${inProgress ? 'finish' : 'issue'} ${d.usage} certificate${d.member ? ` for ${d.member}` : ''} from ${d.ca} (${d.issuer.type})`
          : `no working ${d.usage} certificate${d.member ? ` for ${d.member}` : ''}: give the manifest an issuer, or run xrdctl csr create / cert import`,
        phase: d.usage === 'sign' ? 20 : 30,
        action: d.issuer ? { type: 'issue-cert', params: { usage: d.usage, member: d.member ?? null, ca: d.ca, issuer: d.issuer, tokenId: server.token.id, address: server.address ?? null } } : undefined,
      });
      continue;
    }
    const best = Math.max(...ok.map((c) => Math.floor((Date.parse(c.certificate_details.not_after) - now.getTime()) / 86_400_000)));
    if (best < d.renewBeforeDays) {
      out.push({ ...base, id: `${server.name}/${d.usage}-cert/${key}`, op: 'unsafe', summary: `${d.usage} certificate${d.member ? ` of ${d.member}` : ''} needs rotation: ${best} days left (renewBeforeDays ${d.renewBeforeDays})`, phase: d.usage === 'sign' ? 20 : 30 });
    }
  }
  return out;
}

export const certExecutors: Record<string, Executor> = {
  'issue-cert': async (ctx, p) => {
    const usage = p.usage === 'auth' ? 'AUTHENTICATION' : 'SIGNING';
    const tokens = await ctx.api.getTokens();
    const now = new Date();
    // a rerun picks up where a failed run stopped: an imported auth cert is registered, not issued again
    if (p.usage === 'auth') {
      const pending = certRows(ctx.api.server, tokens, now).find((r) => r.usage === 'auth' && (r.status === 'SAVED' || r.status === 'REGISTRATION_IN_PROGRESS' || (r.status === 'REGISTERED' && !r.active)));
      if (pending) {
        await registerAuthCert(ctx.api, pending.hash, { address: p.address ?? undefined, cs: ctx.central?.approveRequests ? ctx.cs : undefined, wait: true, activate: true, timeoutMs: ctx.timeoutMs }, ctx.progress);
        return;
      }
    }
    if (p.usage === 'sign') {
      // imported before but not activated (a failed run): activate it rather than issue another
      const idle = certRows(ctx.api.server, tokens, now).find((r) => r.usage === 'sign' && r.ownerId === p.member && r.status === 'REGISTERED' && !r.active && r.daysLeft >= 0 && r.ocspStatus !== 'OCSP_RESPONSE_REVOKED');
      if (idle) {
        ctx.progress(`activating the sign certificate imported before (${idle.hash.slice(0, 16)}…)`);
        await ctx.api.activateCertificate(idle.hash);
        return;
      }
    }
    if (p.issuer.type !== 'server-acme') {
      throw new UsageError(`issuer ${p.issuer.type} is not supported by apply yet`, { server: ctx.api.server, step: 'issue-cert', hint: 'use issuer serverAcme, or xrdctl csr submit' });
    }
    // a key whose CSR never got its certificate (a failed run) is used again, not left behind
    const waiting = csrRows(ctx.api.server, tokens).find((c) => c.usage === p.usage && (p.usage === 'auth' || c.ownerId === p.member) && (findKey(tokens, c.keyId)?.key.certificates?.length ?? 0) === 0);
    const csr = waiting
      ? { keyId: waiting.keyId, csrId: waiting.csrId, csr: Buffer.alloc(0) }
      : await createCsr(ctx.api, { usage, ca: p.ca, member: p.member ?? undefined, tokenId: p.tokenId, address: p.address ?? undefined }, ctx.progress);
    if (waiting) ctx.progress(`reusing key ${waiting.keyId} and its CSR ${waiting.csrId}`);
    const res = await submitServerAcme({ api: ctx.api, keyId: csr.keyId, csrId: csr.csrId, csr: csr.csr, usage: p.usage, ca: p.ca, progress: ctx.progress });
    if (res.kind === 'certificate') await importCert(ctx.api, res.certificate, `${p.ca} certificate`, ctx.progress);
    if (res.kind === 'pending') throw new ConflictError(`certificate pending at ${res.where}`, { server: ctx.api.server, step: 'issue-cert' });
    if (p.usage === 'auth') {
      const hash = res.kind === 'imported' ? res.hash : '';
      await registerAuthCert(ctx.api, hash, { address: p.address ?? undefined, cs: ctx.central?.approveRequests ? ctx.cs : undefined, wait: true, activate: true, timeoutMs: ctx.timeoutMs }, ctx.progress);
    } else if (res.kind === 'imported') {
      const cert = await ctx.api.getCertificate(res.hash);
      if (!cert.active) await ctx.api.activateCertificate(res.hash);
    }
  },
};
