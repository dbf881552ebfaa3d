import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { NetworkError, UsageError, redact, registerSecret } from '../../errors/index.js';
import { parseCsr } from '../csr.js';
import type { CaAdapter, SubmitContext, SubmitResult } from './command.js';

export interface AcmeOptions {
  directoryUrl: string;
  /** PEM bundle that verifies the ACME server's TLS certificate (TLS is never unverified) */
  caBundleFile?: string;
  /** account key: generated once (mode 0600) and reused */
  accountKeyFile: string;
  email?: string;
  /** External Account Binding, when the CA requires it (values resolved from secret references) */
  eab?: { kid: string; hmacKey: string };
  /** http-01: serve the key authorization on 127.0.0.1:port while the order runs; 'none' when the CA validates nothing */
  challenge: { type: 'http-01'; port: number } | { type: 'none' };
  timeoutMs?: number;
}

const PROBLEM_RE = /"detail"\s*:\s*"([^"]+)"/;

/** The account key: read it, or create it once with mode 0600 (refuse a key others can read). */
export function accountKey(file: string): Buffer {
  if (existsSync(file)) {
    const st = statSync(file);
    if ((st.mode & 0o077) !== 0) throw new UsageError(`ACME account key ${file} is readable by group or others`, { hint: `chmod 600 ${file}` });
    return readFileSync(file);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(file, pem, { mode: 0o600 });
  return Buffer.from(pem);
}

/**
 * The `acme` adapter: xrdctl itself is the ACME client (acme-client). It orders a certificate for
 * the names in the CSR (CN and DNS subjectAltNames), answers http-01 on 127.0.0.1, finalizes with
 * the CSR the security server made, and returns the leaf and chain. Every wait is bounded.
 */
export class AcmeAdapter implements CaAdapter {
  readonly name = 'acme';
  constructor(private readonly o: AcmeOptions) {
    if (o.eab) registerSecret(o.eab.hmacKey);
  }

  async submit(csr: Buffer, ctx: SubmitContext): Promise<SubmitResult> {
    const acme = await import('acme-client');
    const timeout = this.o.timeoutMs ?? 30_000;
    // acme-client's HTTP has no timeout by default, and must trust the CA's TLS certificate
    acme.axios.defaults.timeout = timeout;
    // its own retry of failed requests waits 5 s, 10 s, … up to 5 times: keep it bounded and short
    (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number; retryDefaultDelay: number } }).acmeSettings = {
      ...(acme.axios.defaults as unknown as { acmeSettings: object }).acmeSettings,
      retryMaxAttempts: 2,
      retryDefaultDelay: 1,
    };
    if (this.o.caBundleFile) {
      let ca: Buffer;
      try {
        ca = readFileSync(this.o.caBundleFile);
      } catch (e) {
        throw new UsageError(`ACME CA bundle ${this.o.caBundleFile}: cannot read: ${(e as NodeJS.ErrnoException).code}`);
      }
      acme.axios.defaults.httpsAgent = new https.Agent({ ca, keepAlive: false });
    }
    await this.probe(timeout);
    const parsed = parseCsr(csr);
    const names = [...new Set([...parsed.subject.filter((a) => a.type === 'CN' || a.type === 'commonName').map((a) => a.value), ...parsed.san])].filter((n) => /^[A-Za-z0-9.-]+$/.test(n));
    if (!names.length) throw new UsageError('the CSR names no DNS name (CN or subjectAltName) for ACME to validate', { step: 'acme-order' });
    const pem = csr.toString('latin1').includes('-----BEGIN') ? csr : Buffer.from(`-----BEGIN CERTIFICATE REQUEST-----\n${csr.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`);
    const client = new acme.Client({
      directoryUrl: this.o.directoryUrl,
      accountKey: accountKey(this.o.accountKeyFile),
      externalAccountBinding: this.o.eab,
      backoffAttempts: 10,
      backoffMin: 200,
      backoffMax: 2000,
    });
    const tokens = new Map<string, string>();
    let server: http.Server | undefined;
    const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        throw this.refusal(what, e);
      }
    };
    try {
      if (this.o.challenge.type === 'http-01') server = await this.challengeServer(this.o.challenge.port, tokens);
      ctx.log?.('ACME account');
      await step('acme-account', async () => {
        try {
          return await client.createAccount({ termsOfServiceAgreed: true, ...(this.o.email ? { contact: [`mailto:${this.o.email}`] } : {}) });
        } catch (e) {
          // the account exists already (the key is reused): some CAs refuse acme-client's follow-up empty update
          if (/POST-as-GET/i.test((e as Error).message ?? '')) return undefined;
          throw e;
        }
      });
      ctx.log?.(`ACME order for ${names.join(', ')}`);
      const order = await step('acme-order', () => client.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })) }));
      const authzs = await step('acme-authorization', () => client.getAuthorizations(order));
      for (const authz of authzs) {
        if (authz.status === 'valid') continue;
        const ch = authz.challenges.find((c) => c.type === 'http-01');
        if (!ch) throw new NetworkError(`the CA offers no http-01 challenge for ${authz.identifier.value}`, { step: 'acme-authorization' });
        tokens.set(ch.token, await client.getChallengeKeyAuthorization(ch));
        ctx.log?.(`http-01 for ${authz.identifier.value}`);
        await step('acme-challenge', () => client.completeChallenge(ch));
        await step('acme-challenge', () => client.waitForValidStatus(ch));
      }
      const finalized = await step('acme-finalize', () => client.finalizeOrder(order, pem));
      const done = finalized.status === 'valid' ? finalized : await step('acme-finalize', () => client.waitForValidStatus(finalized));
      const full = await step('acme-certificate', () => client.getCertificate(done));
      const blocks = full.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      if (!blocks.length) throw new NetworkError('the CA returned no certificate', { step: 'acme-certificate' });
      return { certificate: Buffer.from(blocks[0]! + '\n'), chain: blocks.slice(1).map((b) => Buffer.from(b + '\n')) };
    } finally {
      if (server) await new Promise<void>((r) => server!.close(() => r()));
    }
  }

  /** Reach the directory first: a precise error for a CA that is down or whose TLS is untrusted. */
  private probe(timeoutMs: number): Promise<void> {
    let ca: Buffer | undefined;
    if (this.o.caBundleFile) ca = readFileSync(this.o.caBundleFile);
    return new Promise((resolve, reject) => {
      const req = https.get(this.o.directoryUrl, { ca, timeout: timeoutMs }, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else reject(new NetworkError(`ACME directory ${this.o.directoryUrl} answered ${res.statusCode}`, { step: 'acme-directory' }));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(e.code ?? '');
        reject(
          new NetworkError(`cannot reach the ACME directory ${this.o.directoryUrl}: ${e.code ?? e.message}`, {
            step: 'acme-directory',
            hint: tls ? "the CA's TLS certificate is not trusted: pass its CA bundle (--acme-ca-file)" : 'is the ACME server running, and the URL right?',
          }),
        );
      });
    });
  }

  private refusal(step: string, e: unknown): Error {
    if (e instanceof UsageError || e instanceof NetworkError) return e;
    const err = e as { message?: string; response?: { data?: unknown } };
    let detail = err.message ?? String(e);
    const m = PROBLEM_RE.exec(detail);
    if (m) detail = m[1]!;
    return new NetworkError(`ACME server refused (${step}): ${redact(detail.split('\n')[0]!)}`, { step, hint: step === 'acme-account' && this.o.eab ? 'check the EAB key id and MAC key' : undefined });
  }

  private challengeServer(port: number, tokens: Map<string, string>): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      const m = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
      const ka = m ? tokens.get(m[1]!) : undefined;
      if (!ka) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(ka);
    });
    return new Promise((resolve, reject) => {
      server.once('error', (e) => reject(new NetworkError(`cannot serve http-01 on 127.0.0.1:${port}: ${(e as NodeJS.ErrnoException).code}`, { step: 'acme-challenge' })));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  }
}
