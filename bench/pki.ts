// PKI benchmark: RSA key generation (2048 and 3072) and PKCS#10 CSR creation per second, measured side by
// side in one run: the product's src/pki (keys by node:crypto, CSRs built by node-forge and signed by
// node:crypto) against node-forge doing all of it in pure JavaScript (the floor to beat, not a target).
import forge from 'node-forge';
import { createCsr } from '../src/pki/csr.js';
import { generateRsaKeyPair, generateRsaKeyPairForge } from '../src/pki/keys.js';
import { quick, row } from './row.js';

const seconds = Number(process.env.BENCH_SECONDS ?? (quick ? 1 : 4));

function rate(label: string, fn: () => void, minRuns = 2): number {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const t0 = process.hrtime.bigint();
  while (n < minRuns || (Date.now() < end && n < 100_000)) {
    fn();
    n++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const r = n / s;
  console.log(`${label.padEnd(48)} ${r.toFixed(1).padStart(8)}/s  (${n} in ${s.toFixed(1)} s)`);
  return r;
}

const subject = [
  { name: 'C', value: 'EE' },
  { name: 'O', value: 'Ministry' },
  { name: 'serialNumber', value: 'DEV/SS1/GOV' },
  { name: 'CN', value: 'ss1.example.org' },
];

function forgeOnlyCsr(privateKeyPem: string): string {
  const key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject([
    { shortName: 'C', value: 'EE' },
    { shortName: 'O', value: 'Ministry' },
    { type: '2.5.4.5', value: 'DEV/SS1/GOV' },
    { shortName: 'CN', value: 'ss1.example.org' },
  ]);
  csr.sign(key, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

console.log(`RSA key generation and CSR creation (${seconds} s per measurement)`);
const pure = forge as unknown as { options: { usePureJavaScript: boolean } };
for (const bits of [2048, 3072]) {
  pure.options.usePureJavaScript = true;
  const f = rate(`key generation RSA-${bits}, node-forge (pure JS)`, () => generateRsaKeyPairForge(bits), 1);
  pure.options.usePureJavaScript = false;
  const c = rate(`key generation RSA-${bits}, src/pki (node:crypto)`, () => generateRsaKeyPair(bits));
  console.log(`ratio RSA-${bits} key generation src/pki / node-forge: ${(c / f).toFixed(1)}x`);
  row({ name: `pki: RSA-${bits} keys/s, src/pki vs node-forge`, measured: c, floor: f, unit: '/s', target: 1.0, better: 'higher' });
}
const kp = generateRsaKeyPair(2048);
const fc = rate('CSR RSA-2048, node-forge sign (pure JS)', () => forgeOnlyCsr(kp.privateKeyPem));
const pc = rate('CSR RSA-2048, src/pki (node:crypto sign)', () => createCsr(kp.privateKeyPem, { subject, usage: 'sign' }));
console.log(`ratio CSR creation src/pki / node-forge: ${(pc / fc).toFixed(1)}x`);
row({
  name: 'pki: CSRs/s, src/pki vs node-forge',
  measured: pc,
  floor: fc,
  unit: '/s',
  target: 1.0,
  better: 'higher',
  note: 'the floor is node-forge doing it all in JavaScript: what src/pki must beat',
});
