/**
 * OCSP client for certificates of external CAs (approved through POST /certification-services; the sandbox holds
 * no key for them): builds an RFC 6960 request with pkijs, POSTs it to the CA's registered responder over HTTP(S)
 * with a bounded timeout, verifies the answer against the CA certificate or a responder certificate the CA issued
 * (delegated, id-kp-OCSPSigning) or the one registered at the CS, and caches the status for a short time
 * (sandbox clock). As on a real security server the admin API reads the cache; a refresh runs in the background
 * (and activation waits for a fresh one). Any failure gives UNKNOWN.
 */
import { buildOcspRequest, parseOcspResponse } from '../pki/ocsp.js';
import { requestBytes } from '../http/plain.js';
import { parseCertificate } from '../pki/x509.js';
import type { CaState } from './model.js';

export type OcspAnswer = 'GOOD' | 'REVOKED' | 'UNKNOWN';
export interface ResponderState {
  url: string;
  ok: boolean;
  at?: Date;
  error?: string;
}

async function post(url: string, body: Buffer, timeoutMs: number): Promise<Buffer> {
  const r = await requestBytes(url, {
    body,
    contentType: 'application/ocsp-request',
    accept: 'application/ocsp-response',
    timeoutMs,
    what: `OCSP responder ${url}`,
  });
  if (r.status !== 200) throw new Error(`OCSP responder answered HTTP ${r.status}`);
  return r.body;
}

/** Verify a DER OCSP response for `certDer` with the product's OCSP code; throws on anything not trustworthy. */
export function verifyOcspResponse(respDer: Buffer, certDer: Buffer, caPem: string, responderPem: string | undefined, now: Date): OcspAnswer {
  const forCert = parseOcspResponse(respDer, caPem, parseCertificate(certDer).serialHex, { responder: responderPem, now });
  if (!forCert.signatureValid) throw new Error('OCSP response signature does not verify against the CA or its responder');
  if (forCert.nextUpdate && forCert.nextUpdate.getTime() < now.getTime() - 300_000) throw new Error('OCSP response is stale (nextUpdate passed)');
  return forCert.status === 'good' ? 'GOOD' : forCert.status === 'revoked' ? 'REVOKED' : 'UNKNOWN';
}

export class OcspClient {
  private cache = new Map<string, { status: OcspAnswer; at: number }>();
  private inflight = new Map<string, Promise<OcspAnswer>>();
  readonly responders = new Map<string, ResponderState>();
  constructor(
    private now: () => Date,
    public cacheMs: number,
    public timeoutMs: number,
    private onChange: () => void = () => {},
  ) {}

  /** cached answer (undefined if none or older than cacheMs of sandbox time) */
  cached(hash: string): OcspAnswer | undefined {
    const c = this.cache.get(hash);
    if (!c) return undefined;
    return this.now().getTime() - c.at <= this.cacheMs ? c.status : undefined;
  }
  /** last answer whatever its age */
  last(hash: string): OcspAnswer | undefined {
    return this.cache.get(hash)?.status;
  }

  /** ask the CA's responders (in order) for this cert; bounded by timeoutMs per responder */
  query(hash: string, certDer: Buffer, ca: CaState): Promise<OcspAnswer> {
    const running = this.inflight.get(hash);
    if (running) return running;
    const p = (async (): Promise<OcspAnswer> => {
      let status: OcspAnswer = 'UNKNOWN';
      for (const r of (ca.ocspResponders ?? []).slice(0, 5)) {
        try {
          const der = await post(r.url, await buildOcspRequest(certDer, ca.certPem), this.timeoutMs);
          status = verifyOcspResponse(der, certDer, ca.certPem, r.certPem, this.now());
          this.responders.set(r.url, { url: r.url, ok: true, at: this.now() });
          break;
        } catch (err) {
          this.responders.set(r.url, { url: r.url, ok: false, at: this.now(), error: (err as Error).message });
          status = 'UNKNOWN';
        }
      }
      const before = this.cache.get(hash)?.status;
      this.cache.set(hash, { status, at: this.now().getTime() });
      if (before !== status) this.onChange();
      return status;
    })().finally(() => this.inflight.delete(hash));
    this.inflight.set(hash, p);
    return p;
  }

  /** probe a responder with no cert of interest (diagnostics): any well-formed OCSP answer counts as reachable */
  async probe(url: string, caPem: string): Promise<ResponderState> {
    try {
      await post(url, await buildOcspRequest(caPem, caPem), this.timeoutMs);
      const s = { url, ok: true, at: this.now() };
      this.responders.set(url, s);
      return s;
    } catch (err) {
      const s = { url, ok: false, at: this.now(), error: (err as Error).message };
      this.responders.set(url, s);
      return s;
    }
  }
}
