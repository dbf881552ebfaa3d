/**
 * The sandbox CAs' OCSP responder (RFC 6960), on the project's one OCSP implementation (src/pki/ocsp):
 * answers signed by the CA itself, GOOD / REVOKED / UNKNOWN from the CA's issued and revoked lists.
 * Served over plain HTTP on 127.0.0.1 (as OCSP is), POST with application/ocsp-request or GET /{base64}.
 */
import { buildOcspResponse, issuerKeyHashes, ocspErrorResponse, parseOcspRequest, type ParsedOcspRequest } from '../pki/ocsp.js';
import { bareSerial as bare } from '../pki/encoding.js';
import type { CaState } from './model.js';

const hashes = new Map<string, { sha1: string; sha256: string }>();
function keyHashes(ca: CaState): { sha1: string; sha256: string } {
  let h = hashes.get(ca.certPem);
  if (!h) {
    h = issuerKeyHashes(ca.certPem);
    if (hashes.size > 200) hashes.clear();
    hashes.set(ca.certPem, h);
  }
  return h;
}

/** Answer one DER OCSP request for the given CAs (the responder picks the CA by the first CertID's issuer key hash). */
export async function ocspRespond(cas: CaState[], reqDer: Buffer, now: Date): Promise<Buffer> {
  let req: ParsedOcspRequest;
  try {
    req = parseOcspRequest(reqDer);
  } catch {
    return ocspErrorResponse(1);
  }
  if (!req.certIds.length) return ocspErrorResponse(1);
  const first = req.issuerKeyHashes[0];
  const ca = cas.find((c) => [keyHashes(c).sha1, keyHashes(c).sha256].includes(first!));
  if (!ca) return ocspErrorResponse(6);
  const own = keyHashes(ca);
  const issued = new Set(ca.issued.map(bare));
  const revoked = new Map(Object.entries(ca.revoked).map(([s, r]) => [bare(s), r]));
  return buildOcspResponse({
    request: reqDer,
    responderCert: ca.certPem,
    responderKeyPem: ca.keyPem,
    now,
    validityMinutes: 60,
    statusFor(serial, keyHash) {
      if (keyHash !== own.sha1 && keyHash !== own.sha256) return { status: 'unknown' };
      const s = bare(serial);
      if (!issued.has(s)) return { status: 'unknown' };
      const r = revoked.get(s);
      return r ? { status: 'revoked', revokedAt: new Date(r.at) } : { status: 'good' };
    },
  });
}
