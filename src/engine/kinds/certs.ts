import { join } from 'node:path';
import { certRows, csrRows, findKey } from '../../certs/inventory.js';
import { createCsr, importCert, registerAuthCert } from '../../certs/lifecycle.js';
import { isWorking } from '../../certs/safety.js';
import { submitCsr, type IssuerSpec } from '../../certs/submit.js';
import { ConflictError, UsageError } from '../../errors/index.js';
import type { DesiredCert } from '../../model/desired.js';
import { act, defineKind, type Change, type ExecContext, type KindContext, type RotateCertRequest } from '../types.js';

interface IssueParams {
  usage: 'auth' | 'sign';
  member: string | null;
  ca: string;
  issuer: NonNullable<DesiredCert['issuer']>;
  tokenId: string;
  address: string | null;
}

/** The adapter of a manifest issuer; manual issuers keep one CSR/answer pair per certificate in their folder. */
export function issuerSpec(issuer: NonNullable<DesiredCert['issuer']>, server: string, usage: 'auth' | 'sign', member: string | null): IssuerSpec {
  if (issuer.type === 'server-acme') return { type: 'server-acme' };
  if (issuer.type === 'command') return { type: 'command', command: issuer.command, timeoutMs: (issuer.timeoutSeconds ?? 120) * 1000 };
  const base = join(issuer.dir, `${server}-${usage}${member ? '-' + member.replaceAll(':', '_') : ''}`);
  return { type: 'manual', csrFile: `${base}.csr`, certFile: `${base}.crt` };
}

const actions = {
  /**
   * Replace a certificate that is due (within renewBeforeDays, expired or revoked) through the rotation
   * runbook: the same steps, journal and invariants as xrdctl rotate.
   */
  'rotate-cert': async (ctx: ExecContext, p: Omit<RotateCertRequest, 'server'>) => {
    if (!ctx.rotate)
      throw new UsageError('a certificate rotation runs through the rotation runbook, which this command does not have', {
        server: ctx.api.server,
        step: 'rotate-cert',
        hint: 'xrdctl apply, or xrdctl rotate',
      });
    await ctx.rotate({ ...p, server: ctx.api.server }, ctx.progress);
  },
  /**
   * Bring a missing certificate to working: key + CSR on the token → the issuer → import → (auth)
   * register, approve, wait, activate; (sign) activate. A rerun picks up where a failed run stopped:
   * an imported auth cert is registered, an idle sign cert activated, a CSR without its certificate reused.
   */
  'issue-cert': async (ctx: ExecContext, p: IssueParams) => {
    const tokens = await ctx.api.getTokens();
    const now = ctx.api.http.serverNow();
    const register = (hash: string) =>
      registerAuthCert(
        ctx.api,
        hash,
        { address: p.address ?? undefined, cs: ctx.approve ? ctx.cs : undefined, wait: true, activate: true, timeoutMs: ctx.timeoutMs },
        ctx.progress,
      );
    if (p.usage === 'auth') {
      const pending = certRows(ctx.api.server, tokens, now).find(
        (r) =>
          r.usage === 'auth' &&
          (r.status === 'SAVED' || r.status === 'REGISTRATION_IN_PROGRESS' || (r.status === 'REGISTERED' && !r.active)) &&
          r.daysLeft >= 0,
      );
      if (pending) {
        await register(pending.hash);
        return;
      }
    } else {
      const idle = certRows(ctx.api.server, tokens, now).find(
        (r) =>
          r.usage === 'sign' && r.ownerId === p.member && r.status === 'REGISTERED' && !r.active && r.daysLeft >= 0 && r.ocspStatus !== 'OCSP_RESPONSE_REVOKED',
      );
      if (idle) {
        ctx.progress(`activating the sign certificate imported before (${idle.hash.slice(0, 16)}…)`);
        await ctx.api.activateCertificate(idle.hash);
        return;
      }
    }
    const waiting = csrRows(ctx.api.server, tokens).find(
      (c) => c.usage === p.usage && (p.usage === 'auth' || c.ownerId === p.member) && (findKey(tokens, c.keyId)?.key.certificates?.length ?? 0) === 0,
    );
    let keyId: string, csrId: string, csr: Buffer;
    if (waiting) {
      ctx.progress(`reusing key ${waiting.keyId} and its CSR ${waiting.csrId}`);
      ({ keyId, csrId } = waiting);
      csr = p.issuer.type === 'server-acme' ? Buffer.alloc(0) : await ctx.api.downloadCsr(keyId, csrId, 'PEM');
    } else {
      ({ keyId, csrId, csr } = await createCsr(
        ctx.api,
        {
          usage: p.usage === 'auth' ? 'AUTHENTICATION' : 'SIGNING',
          ca: p.ca,
          member: p.member ?? undefined,
          tokenId: p.tokenId,
          address: p.address ?? undefined,
        },
        ctx.progress,
      ));
    }
    const res = await submitCsr({
      api: ctx.api,
      keyId,
      csrId,
      csr,
      usage: p.usage,
      ca: p.ca,
      progress: ctx.progress,
      issuer: issuerSpec(p.issuer, ctx.api.server, p.usage, p.member),
    });
    if (res.kind === 'pending') {
      throw new ConflictError(`certificate pending: the CSR is at ${res.where}`, {
        server: ctx.api.server,
        step: 'issue-cert',
        hint: 'put the CA’s answer where it is expected, then rerun apply',
      });
    }
    const hash = res.kind === 'imported' ? res.hash : (await importCert(ctx.api, res.certificate, `${p.ca} certificate`, ctx.progress)).hash;
    if (p.usage === 'auth') await register(hash);
    else {
      const cert = await ctx.api.getCertificate(hash);
      if (!cert.active) await ctx.api.activateCertificate(hash);
    }
  },
};

/**
 * Certificates: one working auth certificate per server, one working sign certificate per listed
 * member. Sign certificates need the token; auth certificates also need every sign certificate of the
 * server, because the registration request is signed with the owner's sign certificate.
 */
export const certKind = defineKind({
  name: 'certificate',
  scope: 'security',
  actions,
  dependsOn: (c, ix) => [
    ...ix.find('token-login', () => true, c.server),
    // the registration of a new auth certificate is signed with the owner's sign certificate: sign first
    ...(c.action?.params.usage === 'auth'
      ? [
          ...ix.find<IssueParams>('issue-cert', (p) => p.usage === 'sign', c.server),
          ...ix.find<IssueParams>('rotate-cert', (p) => p.usage === 'sign', c.server),
        ]
      : []),
  ],
});

export function certChangeId(server: string, usage: 'auth' | 'sign', member?: string | null): string {
  return `${server}/${usage}-cert/${usage === 'auth' ? 'auth' : `sign ${member}`}`;
}

/**
 * Missing → issue through the manifest's issuer. Within renewBeforeDays of expiry → reported as
 * needing rotation (rotation is its own runbook).
 */
export function diffCerts({ server, actual, now }: KindContext): Change[] {
  const out: Change[] = [];
  const rows = certRows(server.name, actual.tokens, now);
  const working = (usage: 'auth' | 'sign', member?: string) =>
    actual.tokens.flatMap((t) =>
      (t.keys ?? []).flatMap((k) =>
        (k.certificates ?? []).filter(
          (c) => isWorking(c, now) && (usage === 'auth' ? k.usage === 'AUTHENTICATION' : k.usage === 'SIGNING' && c.owner_id === member),
        ),
      ),
    );
  for (const d of server.certificates) {
    const key = d.usage === 'auth' ? 'auth' : `sign ${d.member}`;
    const base = { server: server.name, kind: `${d.usage}-cert` as const, key, pos: d.pos, id: certChangeId(server.name, d.usage, d.member), dependsOn: [] };
    const ok = working(d.usage, d.member);
    const mine = rows.filter((r) => r.usage === d.usage && (d.usage === 'auth' || r.ownerId === d.member) && r.status !== 'DELETION_IN_PROGRESS');
    const what = `${d.usage} certificate${d.member ? ` ${d.usage === 'sign' ? 'of' : 'for'} ${d.member}` : ''}`;
    const rotate = (hash: string, why: string): Change => ({
      ...base,
      op: 'update',
      summary: `rotate ${what} (${why})`,
      diff: { certificate: { from: hash, to: 'a new key and certificate' } },
      action: act(actions, 'rotate-cert', {
        usage: d.usage,
        member: d.member ?? null,
        ca: d.ca,
        issuer: d.issuer ?? null,
        certHash: hash,
        keepReplacedMs: d.keepReplacedMs ?? null,
      }),
    });
    if (ok.length === 0) {
      const inProgress = mine.find(
        (r) =>
          (d.usage === 'auth'
            ? r.status === 'REGISTRATION_IN_PROGRESS' || r.status === 'SAVED' || (r.status === 'REGISTERED' && !r.active)
            : r.status === 'REGISTERED' && !r.active) &&
          r.daysLeft >= 0 &&
          r.ocspStatus !== 'OCSP_RESPONSE_REVOKED',
      );
      // an expired or revoked certificate still there is replaced and cleaned up by the runbook
      const dead = mine.find((r) => r.daysLeft < 0 || r.ocspStatus === 'OCSP_RESPONSE_REVOKED' || r.ocspStatus === 'OCSP_RESPONSE_SUSPENDED');
      if (dead && !inProgress && d.issuer) {
        out.push(rotate(dead.hash, dead.daysLeft < 0 ? 'expired' : (dead.ocspStatus ?? '').replace('OCSP_RESPONSE_', '').toLowerCase()));
        continue;
      }
      out.push({
        ...base,
        op: d.issuer ? 'create' : 'unsafe',
        summary: d.issuer
          ? `${inProgress ? 'finish' : 'issue'} ${what} from ${d.ca} (${d.issuer.type})`
          : `no working ${what}: give the manifest an issuer, or run xrdctl csr create / cert import`,
        action: d.issuer
          ? act(actions, 'issue-cert', {
              usage: d.usage,
              member: d.member ?? null,
              ca: d.ca,
              issuer: d.issuer,
              tokenId: server.token.id,
              address: server.address ?? null,
            })
          : undefined,
      });
      continue;
    }
    const best = ok
      .map((c) => ({
        hash: c.certificate_details.hash.toUpperCase(),
        days: Math.floor((Date.parse(c.certificate_details.not_after) - now.getTime()) / 86_400_000),
      }))
      .sort((a, b) => b.days - a.days)[0]!;
    if (best.days < d.renewBeforeDays) {
      out.push(
        d.issuer
          ? rotate(best.hash, `${best.days} days left`)
          : {
              ...base,
              op: 'unsafe',
              summary: `${what} needs rotation: ${best.days} days left (renewBeforeDays ${d.renewBeforeDays}); give it an issuer, or run xrdctl rotate ${d.usage}`,
            },
      );
    }
  }
  return out;
}
