// PKI benchmark: RSA-2048 key generation and PKCS#10 CSR creation per second, node-forge vs node:crypto,
// measured side by side in one run. xrdctl generates keys with node:crypto and builds CSRs with node-forge.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);

function rate(label: string, fn: () => void, minRuns = 2): number {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const t0 = process.hrtime.bigint();
  while (n < minRuns || Date.now() < end) {
    fn();
    n++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const r = n / s;
  console.log(`${label.padEnd(44)} ${r.toFixed(1).padStart(8)}/s  (${n} in ${s.toFixed(1)} s)`);
  return r;
}

function csrWithForge(keys: { publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey }) {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([
    { name: 'countryName', value: 'EE' },
    { name: 'organizationName', value: 'Ministry' },
    { type: '2.5.4.5', value: 'DEV/SS1/GOV' }, // serialNumber, X-Road style
    { name: 'commonName', value: 'ss1.example.org' },
  ]);
  csr.sign(keys.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

console.log(`RSA-2048 key generation and CSR creation (${seconds} s per measurement)`);
// node-forge hands key generation to node:crypto when it can; its own (pure JS) generator is what runs
// where it cannot, and what the choice is about
(forge as unknown as { options: { usePureJavaScript: boolean } }).options.usePureJavaScript = true;
const forgeKey = rate('key generation, node-forge (pure JS)', () => forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 }), 2);
(forge as unknown as { options: { usePureJavaScript: boolean } }).options.usePureJavaScript = false;
const cryptoKey = rate('key generation, node:crypto (OpenSSL)', () => generateKeyPairSync('rsa', { modulusLength: 2048 }));
const kp = generateKeyPairSync('rsa', { modulusLength: 2048 });
const fk = { publicKey: forge.pki.publicKeyFromPem(kp.publicKey.export({ type: 'spki', format: 'pem' }).toString()), privateKey: forge.pki.privateKeyFromPem(kp.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) };
const forgeCsr = rate('CSR creation, node-forge sign', () => csrWithForge(fk));
const both = rate('key (node:crypto) + CSR (node-forge)', () => {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
  csrWithForge({ publicKey: forge.pki.publicKeyFromPem(k.publicKey.export({ type: 'spki', format: 'pem' }).toString()), privateKey: forge.pki.privateKeyFromPem(k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) });
});
console.log(`ratio key generation node:crypto / node-forge: ${(cryptoKey / forgeKey).toFixed(1)}x`);
console.log(`ratio CSR signing vs key generation (node:crypto): ${(forgeCsr / cryptoKey).toFixed(1)}x; combined ${both.toFixed(1)}/s`);
