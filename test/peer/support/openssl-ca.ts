import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway OpenSSL CA for peer tests: `openssl ca` signs CSRs (behind xrdctl's command adapter),
 * and an OCSP responder answers on 127.0.0.1 by running `openssl ocsp` per request (never
 * `openssl ocsp -port`, which listens on every interface and reads its index only at start).
 */
export interface OpensslCa {
  dir: string;
  caCert: string;
  /** argv for the command adapter: {csr}, {cert} and {usage} are filled in by xrdctl */
  commandArgv: string[];
  ocspUrl: string;
  /** revoke by the issued certificate's file, or by its serial (hex, as in index.txt) */
  revoke(certFileOrSerial: string): void;
  stop(): Promise<void>;
}

const run = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });

export async function startOpensslCa(name = 'xrdctl Test OpenSSL CA'): Promise<OpensslCa> {
  const dir = mkdtempSync(join(tmpdir(), 'xrdctl-openssl-ca-'));
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const ocspUrl = `http://127.0.0.1:${port}/ocsp`;
  writeFileSync(
    join(dir, 'openssl.cnf'),
    `[ ca ]
default_ca = ca_default
[ ca_default ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.crt
private_key = $dir/ca.key
serial = $dir/serial
default_md = sha256
default_days = 365
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
serialNumber = optional
businessCategory = optional
[ req ]
distinguished_name = dn
[ dn ]
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ auth_ext ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth, serverAuth
authorityInfoAccess = OCSP;URI:${ocspUrl}
[ sign_ext ]
basicConstraints = CA:false
keyUsage = critical, nonRepudiation
authorityInfoAccess = OCSP;URI:${ocspUrl}
[ ocsp_ext ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
`,
  );
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', `/C=EE/O=xrdctl tests/CN=${name}`, '-config', 'openssl.cnf', '-extensions', 'ca_ext'], dir);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ocsp.key', '-out', 'ocsp.csr', '-subj', '/CN=OCSP responder', '-config', 'openssl.cnf'], dir);
  run(['ca', '-batch', '-config', 'openssl.cnf', '-extensions', 'ocsp_ext', '-in', 'ocsp.csr', '-out', 'ocsp.crt', '-notext'], dir);

  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      // re-read the index for every request, so revocations show at once
      const p = spawn('openssl', ['ocsp', '-index', 'index.txt', '-rsigner', 'ocsp.crt', '-rkey', 'ocsp.key', '-CA', 'ca.crt', '-reqin', '-', '-respout', '-', '-nmin', '5'], { cwd: dir });
      const out: Buffer[] = [];
      p.stdout.on('data', (d) => out.push(d));
      const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
      p.on('error', () => undefined); // a failed spawn ends in 'close' with a non-zero code
      p.on('close', (code) => {
        clearTimeout(timer);
        if (code !== 0) {
          res.writeHead(500).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.concat(out));
      });
      p.stdin.end(Buffer.concat(chunks));
    });
  });

  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    commandArgv: ['openssl', 'ca', '-batch', '-config', join(dir, 'openssl.cnf'), '-extensions', '{usage}_ext', '-in', '{csr}', '-out', '{cert}', '-notext'],
    ocspUrl,
    revoke: (what) => {
      const bySerial = join(dir, 'newcerts', `${what.toUpperCase()}.pem`);
      const file = /^[0-9A-Fa-f]+$/.test(what) && existsSync(bySerial) ? bySerial : what;
      run(['ca', '-config', 'openssl.cnf', '-revoke', file], dir);
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
