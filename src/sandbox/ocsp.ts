/**
 * A real OCSP responder (RFC 6960) for the sandbox CAs, built with pkijs: answers signed by the CA itself
 * (CA-designated responder not needed), GOOD / REVOKED / UNKNOWN from the CA's issued and revoked lists.
 * Served over plain HTTP on 127.0.0.1 (as OCSP is), POST with application/ocsp-request or GET /{base64}.
 */
import { createHash, webcrypto } from 'node:crypto';
type CryptoKey = webcrypto.CryptoKey;
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pemToDer } from './ca.js';
import type { CaState } from './model.js';

let engineSet = false;
function ensureEngine(): void {
  if (engineSet) return;
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] }));
  engineSet = true;
}

const keyCache = new Map<string, Promise<CryptoKey>>();
function caKey(ca: CaState): Promise<CryptoKey> {
  let k = keyCache.get(ca.keyPem);
  if (!k) {
    k = webcrypto.subtle.importKey('pkcs8', pemToDer(ca.keyPem), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    keyCache.set(ca.keyPem, k);
  }
  return k;
}

function toAb(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

function errorResponse(status: number): Buffer {
  const r = new pkijs.OCSPResponse();
  r.responseStatus.valueBlock.valueDec = status; // 1 malformedRequest, 2 internalError, 6 unauthorized
  return Buffer.from(r.toSchema().toBER(false));
}

/** Answer one DER OCSP request for the given CAs (the responder picks the CA by issuer key hash). */
export async function ocspRespond(cas: CaState[], reqDer: Buffer, now: Date): Promise<Buffer> {
  ensureEngine();
  let req: pkijs.OCSPRequest;
  try {
    req = pkijs.OCSPRequest.fromBER(toAb(reqDer));
  } catch {
    return errorResponse(1);
  }
  const list = req.tbsRequest.requestList;
  if (!list.length) return errorResponse(1);
  const parsed = cas.map((ca) => {
    const cert = pkijs.Certificate.fromBER(toAb(pemToDer(ca.certPem)));
    const spki = Buffer.from(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
    return { ca, cert, keyHashSha1: createHash('sha1').update(spki).digest('hex'), keyHashSha256: createHash('sha256').update(spki).digest('hex') };
  });
  const first = Buffer.from(list[0]!.reqCert.issuerKeyHash.valueBlock.valueHexView).toString('hex');
  const issuer = parsed.find((p) => p.keyHashSha1 === first || p.keyHashSha256 === first);
  if (!issuer) return errorResponse(6);
  const basic = new pkijs.BasicOCSPResponse();
  basic.tbsResponseData.responderID = issuer.cert.subject;
  basic.tbsResponseData.producedAt = now;
  for (const r of list) {
    const keyHash = Buffer.from(r.reqCert.issuerKeyHash.valueBlock.valueHexView).toString('hex');
    const serial = Buffer.from(r.reqCert.serialNumber.valueBlock.valueHexView).toString('hex').replace(/^0+/, '');
    const single = new pkijs.SingleResponse();
    single.certID = r.reqCert;
    single.thisUpdate = now;
    single.nextUpdate = new Date(now.getTime() + 3600_000);
    const issued = issuer.ca.issued.map((s) => s.replace(/^0+/, ''));
    if (keyHash !== issuer.keyHashSha1 && keyHash !== issuer.keyHashSha256) {
      single.certStatus = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } }); // unknown
    } else if (issued.includes(serial)) {
      const rev = Object.entries(issuer.ca.revoked).find(([s]) => s.replace(/^0+/, '') === serial)?.[1];
      single.certStatus = rev
        ? new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.GeneralizedTime({ valueDate: new Date(rev.at) })] })
        : new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }}); // good (NULL)
    } else {
      single.certStatus = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 }}); // unknown
    }
    basic.tbsResponseData.responses.push(single);
  }
  // echo the nonce if one was sent
  const nonce = req.tbsRequest.requestExtensions?.find((e) => e.extnID === '1.3.6.1.5.5.7.48.1.2');
  if (nonce) basic.tbsResponseData.responseExtensions = [nonce];
  basic.certs = [issuer.cert];
  await basic.sign((await caKey(issuer.ca)) as unknown as Parameters<typeof basic.sign>[0], 'SHA-256');
  const resp = new pkijs.OCSPResponse();
  resp.responseStatus.valueBlock.valueDec = 0;
  resp.responseBytes = new pkijs.ResponseBytes();
  resp.responseBytes.responseType = '1.3.6.1.5.5.7.48.1.1';
  resp.responseBytes.response = new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) });
  return Buffer.from(resp.toSchema().toBER(false));
}
