/**
 * OCSP client for certificates of external CAs (approved through POST /certification-services; the sandbox holds
 * no key for them): builds an RFC 6960 request with pkijs, POSTs it to the CA's registered responder over HTTP(S)
 * with a bounded timeout, verifies the answer against the CA certificate or a responder certificate the CA issued
 * (delegated, id-kp-OCSPSigning) or the one registered at the CS, and caches the status for a short time
 * (sandbox clock). As on a real security server the admin API reads the cache; a refresh runs in the background
 * (and activation waits for a fresh one). Any failure gives UNKNOWN.
 */
import { createHash, webcrypto, X509Certificate } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pemToDer } from './ca.js';
import type { CaState } from './model.js';

export type OcspAnswer = 'GOOD' | 'REVOKED' | 'UNKNOWN';
export interface ResponderState { url: string; ok: boolean; at?: Date; error?: string }

let engineSet = false;
function ensureEngine(): void {
  if (engineSet) return;
  pkijs.setEngine('node-ext', new pkijs.CryptoEngine({ name: 'node-ext', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] }));
  engineSet = true;
}
const toAb = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export function buildOcspRequest(certDer: Buffer, caDer: Buffer): Buffer {
  const ca = pkijs.Certificate.fromBER(toAb(caDer));
  const cert = pkijs.Certificate.fromBER(toAb(certDer));
  const nameHash = createHash('sha1').update(Buffer.from(ca.subject.toSchema().toBER(false))).digest();
  const keyHash = createHash('sha1').update(Buffer.from(ca.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)).digest();
  const id = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '1.3.14.3.2.26', algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: toAb(nameHash) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: toAb(keyHash) }),
    serialNumber: cert.serialNumber,
  });
  const req = new pkijs.OCSPRequest();
  req.tbsRequest.requestList = [new pkijs.Request({ reqCert: id })];
  return Buffer.from(req.toSchema(true).toBER(false));
}

function post(url: string, body: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, { method: 'POST', timeout: timeoutMs, headers: { 'content-type': 'application/ocsp-request', 'content-length': String(body.length), accept: 'application/ocsp-response' } }, (res) => {
      const chunks: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n > 1_000_000) { req.destroy(new Error('OCSP response too large')); return; }
        chunks.push(c);
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`OCSP responder answered HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`OCSP responder timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`OCSP responder timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Parse and verify a DER OCSP response for `certDer`; throws on anything not trustworthy. */
export async function verifyOcspResponse(respDer: Buffer, certDer: Buffer, caPem: string, responderPem: string | undefined, now: Date): Promise<OcspAnswer> {
  ensureEngine();
  const resp = pkijs.OCSPResponse.fromBER(toAb(respDer));
  if (resp.responseStatus.valueBlock.valueDec !== 0 || !resp.responseBytes) throw new Error(`OCSP responseStatus ${resp.responseStatus.valueBlock.valueDec}`);
  const basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView.slice().buffer as ArrayBuffer);
  const caX = new X509Certificate(caPem);
  // the bytes as signed (re-encoding could differ from the responder's DER)
  const view = (basic.tbsResponseData as unknown as { tbsView?: Uint8Array }).tbsView;
  const tbs = view && view.byteLength ? Buffer.from(view) : Buffer.from(basic.tbsResponseData.toSchema(true).toBER(false));
  const sigAlg = basic.signatureAlgorithm.algorithmId;
  const hash = ({ '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512', '1.2.840.113549.1.1.5': 'sha1', '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384' } as Record<string, string>)[sigAlg];
  if (!hash) throw new Error(`unsupported OCSP signature algorithm ${sigAlg}`);
  const sig = Buffer.from(basic.signature.valueBlock.valueHexView);
  // candidate signers: the CA, the responder cert registered at the CS, certs in the response issued by the CA with OCSPSigning
  const candidates: X509Certificate[] = [caX];
  if (responderPem) candidates.push(new X509Certificate(responderPem));
  for (const c of basic.certs ?? []) {
    const x = new X509Certificate(Buffer.from(c.toSchema().toBER(false)));
    if (x.checkIssued(caX) && x.verify(caX.publicKey) && (x.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.9')) {
      const t = now.getTime();
      if (t >= new Date(x.validFrom).getTime() && t <= new Date(x.validTo).getTime()) candidates.push(x);
    }
  }
  const { verify } = await import('node:crypto');
  const signer = candidates.find((x) => { try { return verify(hash, tbs, x.publicKey, sig); } catch { return false; } });
  if (!signer) throw new Error('OCSP response signature does not verify against the CA or its responder');
  const cert = pkijs.Certificate.fromBER(toAb(certDer));
  const serial = Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex');
  const single = basic.tbsResponseData.responses.find((r) => Buffer.from(r.certID.serialNumber.valueBlock.valueHexView).toString('hex') === serial);
  if (!single) throw new Error('OCSP response does not name the certificate');
  if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime() - 300_000) throw new Error('OCSP response is stale (nextUpdate passed)');
  const tag = (single.certStatus as { idBlock: { tagNumber: number } }).idBlock.tagNumber;
  return tag === 0 ? 'GOOD' : tag === 1 ? 'REVOKED' : 'UNKNOWN';
}

export class OcspClient {
  private cache = new Map<string, { status: OcspAnswer; at: number }>();
  private inflight = new Map<string, Promise<OcspAnswer>>();
  readonly responders = new Map<string, ResponderState>();
  constructor(private now: () => Date, public cacheMs: number, public timeoutMs: number, private onChange: () => void = () => {}) {}

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
          const der = await post(r.url, buildOcspRequest(certDer, pemToDer(ca.certPem)), this.timeoutMs);
          status = await verifyOcspResponse(der, certDer, ca.certPem, r.certPem, this.now());
          this.responders.set(r.url, { url: r.url, ok: true, at: this.now() });
          break;
        } catch (err) {
          this.responders.set(r.url, { url: r.url, ok: false, at: this.now(), error: (err as Error).message });
          if (process.env.XRDCTL_SANDBOX_DEBUG_OCSP) console.error(`OCSP ${r.url}: ${(err as Error).message}`);
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
      const caDer = pemToDer(caPem);
      await post(url, buildOcspRequest(caDer, caDer), this.timeoutMs);
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
