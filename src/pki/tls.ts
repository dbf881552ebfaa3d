import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { UsageError } from '../errors/index.js';

/**
 * Keys and CSRs for information-system TLS (the certificates a client's information system presents
 * to its security server). Keys come from node:crypto (7x faster than node-forge's pure-JS generator,
 * see npm run bench); the PKCS#10 is built and signed with node-forge.
 */
export function generateTlsKey(bits: number): string {
  if (![2048, 3072, 4096].includes(bits)) throw new UsageError(`--bits must be 2048, 3072 or 4096, not ${bits}`);
  return generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

const SHORT: Record<string, string> = {
  CN: 'commonName',
  C: 'countryName',
  O: 'organizationName',
  OU: 'organizationalUnitName',
  L: 'localityName',
  ST: 'stateOrProvinceName',
};

/** `CN=is.example.org` → a subject attribute; serialNumber and other OIDs by dotted number also work. */
export function subjectAttr(pair: string): forge.pki.CertificateField {
  const i = pair.indexOf('=');
  if (i <= 0) throw new UsageError(`--subject '${pair}' is not FIELD=VALUE`, { hint: 'e.g. --subject CN=is.example.org --subject O=Ministry' });
  const k = pair.slice(0, i).trim();
  const value = pair.slice(i + 1);
  if (SHORT[k]) return { name: SHORT[k], value };
  if (k === 'serialNumber') return { type: '2.5.4.5', value };
  if (/^\d+(\.\d+)+$/.test(k)) return { type: k, value };
  throw new UsageError(`unknown subject field '${k}'`, { hint: `use ${Object.keys(SHORT).join(', ')}, serialNumber or a dotted OID` });
}

export function createTlsCsr(keyPem: string, subject: string[], san: string[] = []): string {
  if (!subject.length) throw new UsageError('a CSR needs a subject', { hint: '--subject CN=is.example.org' });
  let key: forge.pki.rsa.PrivateKey;
  try {
    key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  } catch (e) {
    throw new UsageError(`not an RSA private key in PEM: ${(e as Error).message}`);
  }
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject(subject.map(subjectAttr));
  if (san.length) {
    const altNames = san.map((s) => {
      const m = /^(DNS|IP):(.+)$/i.exec(s);
      if (!m) throw new UsageError(`--san '${s}' is not DNS:NAME or IP:ADDRESS`);
      return m[1]!.toUpperCase() === 'DNS' ? { type: 2, value: m[2]! } : { type: 7, ip: m[2]! };
    });
    csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames }] }]);
  }
  csr.sign(key, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}
