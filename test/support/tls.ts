import { createTlsCertificate } from '../../src/pki/ca.js';
import { pemToDer, sha256Fingerprint } from '../../src/pki/encoding.js';

/** A self-signed TLS certificate for a test server on 127.0.0.1, from the project's one PKI stack. */
export function selfSignedCert(cn = '127.0.0.1'): { key: string; cert: string; fingerprint: string } {
  const c = createTlsCertificate(cn, { validityDays: 1 });
  return { key: c.privateKeyPem, cert: c.certPem, fingerprint: sha256Fingerprint(pemToDer(c.certPem)) };
}
