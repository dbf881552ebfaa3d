import { createHash, createPublicKey, generateKeyPair, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

const RSA = (bits: number) => ({
  modulusLength: bits,
  publicKeyEncoding: { type: 'spki' as const, format: 'pem' as const },
  privateKeyEncoding: { type: 'pkcs8' as const, format: 'pem' as const },
});

/** RSA key pair with node:crypto (OpenSSL, fast). PKCS#8 private key, SPKI public key. */
export function generateRsaKeyPair(bits = 2048): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', RSA(bits));
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** The same off the main thread (libuv's pool): start many in parallel. */
export function generateRsaKeyPairAsync(bits = 2048): Promise<KeyPairPem> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', RSA(bits), (err, publicKeyPem, privateKeyPem) => (err ? reject(err) : resolve({ privateKeyPem, publicKeyPem })));
  });
}

/** RSA key pair with pure-JS node-forge (slow; kept for the benchmark's comparison). */
export function generateRsaKeyPairForge(bits = 2048): KeyPairPem {
  const kp = forge.pki.rsa.generateKeyPair({ bits, e: 0x10001, workers: -1 });
  return { privateKeyPem: forge.pki.privateKeyToPem(kp.privateKey), publicKeyPem: forge.pki.publicKeyToPem(kp.publicKey) };
}

/** The SPKI PEM of a public or private key PEM. */
export function publicKeyPemOf(keyPem: string): string {
  return createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
}

/** The SubjectPublicKeyInfo DER of a key, base64: equal for the same key whatever its PEM's line breaks. */
export function spkiBase64(keyPem: string): string {
  return createPublicKey(keyPem).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** SHA-256 of the SubjectPublicKeyInfo DER, lower-case hex. */
export function publicKeyFingerprint(keyPem: string): string {
  const der = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}
