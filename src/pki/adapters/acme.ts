import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { FileError, NetworkError, UsageError, redact, registerSecret } from '../../errors/index.js';
import { READ_LIMITS, readBoundedFile, writeFileSafe } from '../../fs/files.js';
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
  challenge: { type: 'http-01'; listen: { host: '127.0.0.1'; port: number } } | { type: 'none' };
  /** timeout of every HTTP request to the CA (default 30 s; acme-client has none of its own) */
  timeoutMs?: number;
  /** the whole order, polls included, ends within this (default 120 s) */
  orderTimeoutMs?: number;
}

/** Which part of the ACME exchange failed: named in the message; the error's step is always acme-order. */
type Phase = 'account' | 'order' | 'authorization' | 'challenge' | 'finalization' | 'certificate';

const PROBLEM_RE = /"detail"\s*:\s*"([^"]+)"/;

/** The account key: read it, or create it once with mode 0600 (refuse a key others can read, or one that is no key). */
export function accountKey(file: string): Buffer {
  const fail = (why: string, hint?: string) => new UsageError(`ACME account key ${file} ${why}`, { step: 'acme-order', hint });
  if (existsSync(file)) {
    const st = statSync(file);
    if (!st.isFile()) throw fail('is not a file');
    if ((st.mode & 0o077) !== 0) throw fail('is readable by group or others', `chmod 600 ${file}`);
    let pem: Buffer;
    try {
      pem = readBoundedFile(file, { maxBytes: READ_LIMITS.key, what: 'ACME account key' });
      createPrivateKey(pem);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw fail(
        `cannot be used: ${code && !code.startsWith('ERR_') ? code : 'not a PEM private key'}`,
        'point --acme-account-key at the PEM key of the account, or at a new path to make one',
      );
    }
    return pem;
  }
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSafe(file, pem, { mode: 0o600, what: 'ACME account key' });
  } catch (e) {
    if (e instanceof FileError) throw fail(`cannot be written: ${e.message}`);
    throw fail(`cannot be written: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return Buffer.from(pem);
}

/**
 * The `acme` adapter: xrdctl itself is the ACME client (acme-client). It orders a certificate for
 * the names in the CSR (CN and DNS subjectAltNames), answers http-01 on 127.0.0.1, finalizes with
 * the CSR the security server made, and returns the leaf and chain. Every wait is bounded: each HTTP
 * request by timeoutMs, each status poll by a count of short backoffs, the whole order by orderTimeoutMs.
 * A refusal is one NetworkError or UsageError with step acme-order and the CA's problem detail.
 */
export class AcmeAdapter implements CaAdapter {
  readonly name = 'acme';
  constructor(private readonly o: AcmeOptions) {
    if (o.eab) registerSecret(o.eab.hmacKey);
    if (o.challenge.type === 'http-01' && o.challenge.listen.host !== '127.0.0.1') {
      throw new UsageError(`http-01 is served on 127.0.0.1 only, not ${String(o.challenge.listen.host)}`, { step: 'acme-order' });
    }
  }

  async submit(csr: Buffer, ctx: SubmitContext): Promise<SubmitResult> {
    const orderMs = this.o.orderTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const server: { s?: http.Server; over?: boolean } = {};
    const run = this.order(csr, ctx, server);
    run.catch(() => undefined); // settled later if the deadline wins: never an unhandled rejection
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new NetworkError(`the ACME order did not finish within ${orderMs / 1000} s`, {
              step: 'acme-order',
              hint: 'is the CA slow or stuck validating? try again later',
            }),
          ),
        orderMs,
      );
      onAbort = () => reject(new NetworkError('the ACME order was cancelled', { step: 'acme-order' }));
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([run, bound]);
    } finally {
      clearTimeout(timer);
      if (onAbort) ctx.signal?.removeEventListener('abort', onAbort);
      server.over = true;
      if (server.s) await new Promise<void>((r) => server.s!.close(() => r()));
    }
  }

  private async order(csr: Buffer, ctx: SubmitContext, server: { s?: http.Server; over?: boolean }): Promise<SubmitResult> {
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
    let ca: Buffer | undefined;
    if (this.o.caBundleFile) {
      try {
        ca = readBoundedFile(this.o.caBundleFile, { maxBytes: READ_LIMITS.caBundle, what: 'ACME CA bundle' });
      } catch (e) {
        throw new UsageError(
          `ACME CA bundle ${this.o.caBundleFile}: ${e instanceof FileError ? e.message : `cannot read: ${(e as NodeJS.ErrnoException).code}`}`,
          { step: 'acme-order' },
        );
      }
    }
    // the axios defaults are shared by every client: set (or clear) the trust of this CA each time
    acme.axios.defaults.httpsAgent = ca ? new https.Agent({ ca, keepAlive: false }) : undefined;
    await this.probe(timeout, ca);
    const parsed = parseCsr(csr);
    const names = [...new Set([...parsed.subject.filter((a) => a.name === 'CN' || a.name === 'commonName').map((a) => a.value), ...parsed.san])].filter((n) =>
      /^[A-Za-z0-9.-]+$/.test(n),
    );
    if (!names.length) throw new UsageError('the CSR names no DNS name (CN or subjectAltName) for ACME to validate', { step: 'acme-order' });
    const pem = csr.toString('latin1').includes('-----BEGIN')
      ? csr
      : Buffer.from(
          `-----BEGIN CERTIFICATE REQUEST-----\n${csr
            .toString('base64')
            .match(/.{1,64}/g)!
            .join('\n')}\n-----END CERTIFICATE REQUEST-----\n`,
        );
    const client = new acme.Client({
      directoryUrl: this.o.directoryUrl,
      accountKey: accountKey(this.o.accountKeyFile),
      externalAccountBinding: this.o.eab,
      // every status poll: at most 10 tries, 0.2 s … 2 s apart
      backoffAttempts: 10,
      backoffMin: 200,
      backoffMax: 2000,
    });
    const tokens = new Map<string, string>();
    const step = async <T>(phase: Phase, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        throw this.refusal(phase, e);
      }
    };
    if (this.o.challenge.type === 'http-01') {
      const s = await this.challengeServer(this.o.challenge.listen.port, tokens);
      if (server.over)
        s.close(); // the deadline came first: do not leave it listening
      else server.s = s;
    }
    ctx.log?.('ACME account');
    await step('account', async () => {
      try {
        return await client.createAccount({ termsOfServiceAgreed: true, ...(this.o.email ? { contact: [`mailto:${this.o.email}`] } : {}) });
      } catch (e) {
        // the account exists already (the key is reused): some CAs refuse acme-client's follow-up empty update
        if (/POST-as-GET/i.test((e as Error).message ?? '')) return undefined;
        throw e;
      }
    });
    ctx.log?.(`ACME order for ${names.join(', ')}`);
    const order = await step('order', () => client.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })) }));
    const authzs = await step('authorization', () => client.getAuthorizations(order));
    for (const authz of authzs) {
      if (authz.status === 'valid') continue;
      // with challenge 'none' the http-01 challenge is still triggered (the CA marks it valid without looking)
      const ch = authz.challenges.find((c) => c.type === 'http-01');
      if (!ch) throw new NetworkError(`the CA offers no http-01 challenge for ${authz.identifier.value}`, { step: 'acme-order' });
      if (this.o.challenge.type === 'http-01') {
        tokens.set(ch.token, await client.getChallengeKeyAuthorization(ch));
        ctx.log?.(`http-01 for ${authz.identifier.value} on 127.0.0.1:${this.o.challenge.listen.port}`);
      }
      await step('challenge', () => client.completeChallenge(ch));
      await step('challenge', () => client.waitForValidStatus(ch));
    }
    const finalized = await step('finalization', () => client.finalizeOrder(order, pem));
    const done = finalized.status === 'valid' ? finalized : await step('finalization', () => client.waitForValidStatus(finalized));
    const full = await step('certificate', () => client.getCertificate(done));
    const blocks = full.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (!blocks.length) throw new NetworkError('the CA returned no certificate', { step: 'acme-order' });
    return { certificate: Buffer.from(blocks[0]! + '\n'), chain: blocks.slice(1).map((b) => Buffer.from(b + '\n')) };
  }

  /** Reach the directory first: a precise error for a CA that is down or whose TLS is untrusted. */
  private async probe(timeoutMs: number, ca: Buffer | undefined): Promise<void> {
    const { requestBytes } = await import('../../http/plain.js');
    try {
      new URL(this.o.directoryUrl);
    } catch {
      throw new UsageError(`ACME directory URL ${this.o.directoryUrl}: not a URL`, {
        step: 'acme-order',
        hint: 'an https:// URL of the directory, e.g. https://ca.example.org/acme/directory',
      });
    }
    let status: number;
    try {
      ({ status } = await requestBytes(this.o.directoryUrl, { method: 'GET', ca, timeoutMs, what: `ACME directory ${this.o.directoryUrl}` }));
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e instanceof Error && /did not answer/.test(e.message) ? 'ETIMEDOUT' : (e as Error).message);
      const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code ?? '');
      throw new NetworkError(`cannot reach the ACME directory ${this.o.directoryUrl}: ${code}`, {
        step: 'acme-order',
        hint: tls ? "the CA's TLS certificate is not trusted: pass its CA bundle (--acme-ca-file)" : 'is the ACME server running, and the URL right?',
      });
    }
    if (status !== 200) throw new NetworkError(`ACME directory ${this.o.directoryUrl} answered ${status}`, { step: 'acme-order' });
  }

  /**
   * One line from whatever acme-client threw: the CA's problem detail (or the network error code),
   * the phase in the message, step acme-order. What the CA refuses is a NetworkError (exit 1); what
   * is wrong before anything is sent (the CSR, a port, a file) is a UsageError (exit 2).
   */
  private refusal(phase: Phase, e: unknown): Error {
    if (e instanceof UsageError || e instanceof NetworkError) return e;
    const err = e as { message?: string; code?: string };
    let detail = (err.message ?? String(e)).trim() || 'no detail given';
    const m = PROBLEM_RE.exec(detail);
    if (m) detail = m[1]!;
    detail = redact(detail.split('\n')[0]!);
    // acme-client turns a request that got no answer (timeout, connection lost, retries used up) into
    // this TypeError and loses the cause (publishlab/node-acme-client#101)
    if (e instanceof TypeError && /reading 'config'/.test(detail)) {
      return new NetworkError(
        `ACME ${phase} failed: no usable answer from the CA (timed out after ${(this.o.timeoutMs ?? 30_000) / 1000} s, or the connection failed)`,
        { step: 'acme-order', hint: 'is the ACME server up and reachable? try again later' },
      );
    }
    if (err.code && /^(E[A-Z]+|ERR_[A-Z_]+)$/.test(err.code)) {
      return new NetworkError(`ACME ${phase} failed: ${err.code}${detail && !detail.includes(err.code) ? ` (${detail})` : ''}`, {
        step: 'acme-order',
        hint: 'is the ACME server reachable?',
      });
    }
    const hint =
      phase === 'account' && this.o.eab
        ? 'check the EAB key id and MAC key'
        : phase === 'challenge' && this.o.challenge.type === 'none'
          ? 'this CA validates: answer http-01 with --acme-http-port N where it can reach this host'
          : phase === 'challenge'
            ? 'the CA could not fetch http://NAME/.well-known/acme-challenge/… from this host: check DNS, port forwarding to --acme-http-port, and firewalls'
            : undefined;
    return new NetworkError(`ACME server refused the ${phase}: ${detail}`, { step: 'acme-order', hint });
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
      server.once('error', (e) =>
        reject(
          new UsageError(`cannot serve http-01 on 127.0.0.1:${port}: ${(e as NodeJS.ErrnoException).code}`, {
            step: 'acme-order',
            hint: 'choose a free port with --acme-http-port',
          }),
        ),
      );
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  }
}
