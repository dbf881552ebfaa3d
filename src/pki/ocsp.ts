import { X509Certificate, createHash, createPrivateKey, verify as cryptoVerify, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { UsageError, XrdError } from '../errors/index.js';
import { bareSerial } from './encoding.js';
import { parseCertificate } from './x509.js';

type CertInput = Buffer | string;
export type OcspStatus = 'good' | 'revoked' | 'unknown';

const SIG_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
};

function pkiCert(c: CertInput): pkijs.Certificate {
  return pkijs.Certificate.fromBER(parseCertificate(c).der);
}

function hex(v: ArrayBuffer | Uint8Array): string {
  return Buffer.from(v instanceof Uint8Array ? v : new Uint8Array(v))
    .toString('hex')
    .toUpperCase();
}

/** A DER OCSP request for cert (CertID with SHA-1, as X-Road and most responders expect). */
export async function buildOcspRequest(cert: CertInput, issuer: CertInput): Promise<Buffer> {
  const req = new pkijs.OCSPRequest();
  await req.createForCertificate(pkiCert(cert), { hashAlgorithm: 'SHA-1', issuerCertificate: pkiCert(issuer) });
  return Buffer.from(req.toSchema(true).toBER());
}

export interface ParsedOcspRequest {
  certIds: pkijs.CertID[];
  /** per CertID: the serial, upper-case hex */
  serials: string[];
  /** per CertID: the hash of the issuer's public key, upper-case hex (SHA-1 or SHA-256, as the client chose) */
  issuerKeyHashes: string[];
  /** the nonce extension, echoed in the answer */
  nonce?: pkijs.Extension;
}

export function parseOcspRequest(der: Buffer): ParsedOcspRequest {
  let req: pkijs.OCSPRequest;
  try {
    req = pkijs.OCSPRequest.fromBER(der);
  } catch (e) {
    throw new UsageError(`not an OCSP request: ${(e as Error).message}`);
  }
  const certIds = req.tbsRequest.requestList.map((r) => r.reqCert);
  return {
    certIds,
    serials: certIds.map((c) => hex(c.serialNumber.valueBlock.valueHexView)),
    issuerKeyHashes: certIds.map((c) => hex(c.issuerKeyHash.valueBlock.valueHexView)),
    nonce: req.tbsRequest.requestExtensions?.find((e) => e.extnID === '1.3.6.1.5.5.7.48.1.2'),
  };
}

/** A CA certificate's key hashes as a CertID carries them: SHA-1 and SHA-256 of its subjectPublicKey, upper-case hex. */
export function issuerKeyHashes(caCert: CertInput): { sha1: string; sha256: string } {
  const key = Buffer.from(pkiCert(caCert).subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  return { sha1: createHash('sha1').update(key).digest('hex').toUpperCase(), sha256: createHash('sha256').update(key).digest('hex').toUpperCase() };
}

/** An unsuccessful OCSP response: 1 malformedRequest, 2 internalError, 3 tryLater, 6 unauthorized. */
export function ocspErrorResponse(status: 1 | 2 | 3 | 5 | 6): Buffer {
  return Buffer.from(new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: status }) }).toSchema().toBER());
}

const signingKeys = new Map<string, Promise<webcrypto.CryptoKey>>();
function signingKey(pem: string): Promise<webcrypto.CryptoKey> {
  let k = signingKeys.get(pem);
  if (!k) {
    const pkcs8 = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
    k = webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    if (signingKeys.size > 100) signingKeys.clear();
    signingKeys.set(pem, k);
  }
  return k;
}

export interface BuildResponseOptions {
  request: Buffer;
  /** The CA's certificate, or a delegated responder's (OCSPSigning) with its key. */
  responderCert: CertInput;
  responderKeyPem: string;
  /** the answer for one CertID: its serial and the issuer key hash it names (upper-case hex) */
  statusFor(serialHex: string, issuerKeyHashHex: string): { status: OcspStatus; revokedAt?: Date };
  now?: Date;
  validityMinutes?: number;
}

function certStatus(s: { status: OcspStatus; revokedAt?: Date }): asn1js.BaseBlock {
  if (s.status === 'good') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
  if (s.status === 'revoked') {
    return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.GeneralizedTime({ valueDate: s.revokedAt ?? new Date() })] });
  }
  return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
}

/** A signed, successful DER OCSP response answering every CertID of the request. */
export async function buildOcspResponse(o: BuildResponseOptions): Promise<Buffer> {
  const now = o.now ?? new Date();
  const { certIds, serials, issuerKeyHashes: keyHashes, nonce } = parseOcspRequest(o.request);
  const responder = pkiCert(o.responderCert);
  const basic = new pkijs.BasicOCSPResponse();
  basic.tbsResponseData.responderID = responder.subject;
  basic.tbsResponseData.producedAt = now;
  for (const [i, id] of certIds.entries()) {
    const r = new pkijs.SingleResponse();
    r.certID = id;
    r.certStatus = certStatus(o.statusFor(serials[i]!, keyHashes[i]!));
    r.thisUpdate = now;
    r.nextUpdate = new Date(now.getTime() + (o.validityMinutes ?? 10) * 60_000);
    basic.tbsResponseData.responses.push(r);
  }
  if (nonce) basic.tbsResponseData.responseExtensions = [nonce];
  basic.certs = [responder];
  await basic.sign((await signingKey(o.responderKeyPem)) as never, 'SHA-256');
  const resp = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: 0 }),
    responseBytes: new pkijs.ResponseBytes({
      responseType: '1.3.6.1.5.5.7.48.1.1',
      response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER() }),
    }),
  });
  return Buffer.from(resp.toSchema().toBER());
}

export interface ParsedOcspResponse {
  status: OcspStatus;
  revokedAt?: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Signed by the issuer, or by a responder cert the issuer signed. */
  signatureValid: boolean;
}

/**
 * The status of the first (or the given serial's) answer in a DER OCSP response. The signature is checked
 * against the issuer, a responder certificate registered for the CA (`responder`), or a delegated
 * responder in the response that the issuer signed, carrying OCSPSigning and valid at `now`.
 */
export function parseOcspResponse(der: Buffer, issuer: CertInput, serialHex?: string, o: { responder?: CertInput; now?: Date } = {}): ParsedOcspResponse {
  let basic: pkijs.BasicOCSPResponse;
  try {
    const resp = pkijs.OCSPResponse.fromBER(der);
    const code = resp.responseStatus.valueBlock.valueDec;
    if (code !== 0) throw new XrdError(`OCSP responder answered status ${code} (not successful)`);
    if (!resp.responseBytes) throw new Error('no response bytes');
    basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
  } catch (e) {
    if (e instanceof XrdError) throw e;
    throw new UsageError(`not an OCSP response: ${(e as Error).message}`);
  }
  const want = serialHex === undefined ? undefined : bareSerial(serialHex);
  const single = basic.tbsResponseData.responses.find((r) => !want || bareSerial(hex(r.certID.serialNumber.valueBlock.valueHexView)) === want);
  if (!single) throw new XrdError(`OCSP response has no answer for serial ${serialHex}`);
  const tag = single.certStatus.idBlock.tagNumber;
  const status: OcspStatus = tag === 0 ? 'good' : tag === 1 ? 'revoked' : 'unknown';
  let revokedAt: Date | undefined;
  if (status === 'revoked') {
    const t = (single.certStatus as asn1js.Constructed).valueBlock.value[0] as asn1js.GeneralizedTime | undefined;
    revokedAt = t?.toDate();
  }
  const issuerCert = parseCertificate(issuer);
  const tbs = Buffer.from(basic.tbsResponseData.tbsView);
  const sig = Buffer.from(basic.signature.valueBlock.valueHexView);
  const alg = SIG_HASH[basic.signatureAlgorithm.algorithmId];
  const check = (pem: string) => !!alg && cryptoVerify(alg, tbs, pem, sig);
  let signatureValid = false;
  try {
    signatureValid = check(issuerCert.publicKeyPem) || (!!o.responder && check(parseCertificate(o.responder).publicKeyPem));
    if (!signatureValid) {
      // delegated responder: a cert in the response issued by the issuer and carrying OCSPSigning
      for (const c of basic.certs ?? []) {
        const rc = parseCertificate(Buffer.from(c.toSchema().toBER()));
        const delegated = rc.extKeyUsage.some((u) => /OCSP/i.test(u) || u === '1.3.6.1.5.5.7.3.9');
        const t = (o.now ?? new Date()).getTime();
        const current = t >= rc.notBefore.getTime() && t <= rc.notAfter.getTime();
        if (delegated && current && new X509Certificate(rc.der).verify(new X509Certificate(issuerCert.der).publicKey) && check(rc.publicKeyPem)) {
          signatureValid = true;
          break;
        }
      }
    }
  } catch {
    signatureValid = false;
  }
  return { status, revokedAt, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate, signatureValid };
}

/** POST an OCSP request (application/ocsp-request) with a bounded timeout and parse the answer. */
export async function queryOcsp(url: string, cert: CertInput, issuer: CertInput, opts: { timeoutMs?: number } = {}): Promise<ParsedOcspResponse> {
  const body = await buildOcspRequest(cert, issuer);
  const { requestBytes } = await import('../http/plain.js');
  const res = await requestBytes(url, {
    body,
    contentType: 'application/ocsp-request',
    accept: 'application/ocsp-response',
    timeoutMs: opts.timeoutMs ?? 5000,
    what: `OCSP responder ${url}`,
  });
  if (res.status < 200 || res.status > 299) throw new XrdError(`OCSP responder ${url} answered HTTP ${res.status}`);
  const der = res.body;
  return parseOcspResponse(der, issuer, parseCertificate(cert).serialHex);
}
