import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** RSA key pair with node:crypto (OpenSSL, fast). PKCS#8 private key, SPKI public key. */
export function generateRsaKeyPair(bits = 2048): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** RSA key pair with pure-JS node-forge (slow; kept for the benchmark). */
export function generateRsaKeyPairForge(bits = 2048): KeyPairPem {
  const kp = forge.pki.rsa.generateKeyPair({ bits, e: 0x10001, workers: -1 });
  return { privateKeyPem: forge.pki.privateKeyToPem(kp.privateKey), publicKeyPem: forge.pki.publicKeyToPem(kp.publicKey) };
}

/** The SPKI PEM of a public or private key PEM. */
export function publicKeyPemOf(keyPem: string): string {
  return createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
}

/** SHA-256 of the SubjectPublicKeyInfo DER, lower-case hex. */
export function publicKeyFingerprint(keyPem: string): string {
  const der = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}
