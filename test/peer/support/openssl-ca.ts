import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient } from '../../../src/http/index.js';
import type { SandboxHandle } from '../../../src/sandbox/index.js';

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
  /** argv of a revoke command for rotate --revoke-command ({serialHex} filled in by xrdctl) */
  revokeArgv: string[];
  /** make the central server approve this CA (with its OCSP responder) and let global configuration carry it */
  approveAt(sb: SandboxHandle): Promise<string>;
  /** issue a certificate for a CSR file with the auth or sign profile */
  issue(csrFile: string, usage: 'auth' | 'sign', certFile: string): void;
  /** who signs OCSP answers: the CA itself, a delegated responder it issued (OCSPSigning, the default), or an impostor with the CA's name */
  setResponder(who: 'ca' | 'delegated' | 'impostor'): void;
  /** a responder that is down answers 503 */
  setDown(down: boolean): void;
  /** a self-signed certificate that is not a CA (bad input for a certification service) */
  leafCert(cn: string): Buffer;
  stop(): Promise<void>;
}

/** multipart/form-data as the CS API takes it for certification services and OCSP responders */
export function multipart(fields: Record<string, string | { filename: string; data: Buffer }>): { body: Buffer; contentType: string } {
  const boundary = `xrdctl-${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, v] of Object.entries(fields)) {
    const file = typeof v === 'object';
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${v.filename}"` : ''}\r\n${file ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`,
      ),
    );
    parts.push(file ? v.data : Buffer.from(v));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
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
subjectAltName = DNS:ss.openssl-ca.test
authorityInfoAccess = OCSP;URI:${ocspUrl}
[ sign_ext ]
basicConstraints = CA:false
keyUsage = critical, nonRepudiation
subjectAltName = DNS:sign.openssl-ca.test
authorityInfoAccess = OCSP;URI:${ocspUrl}
[ ocsp_ext ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
[ leaf_ext ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
`,
  );
  run(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '30',
      '-subj',
      `/C=EE/O=xrdctl tests/CN=${name}`,
      '-config',
      'openssl.cnf',
      '-extensions',
      'ca_ext',
    ],
    dir,
  );
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ocsp.key', '-out', 'ocsp.csr', '-subj', '/CN=OCSP responder', '-config', 'openssl.cnf'], dir);
  run(['ca', '-batch', '-config', 'openssl.cnf', '-extensions', 'ocsp_ext', '-in', 'ocsp.csr', '-out', 'ocsp.crt', '-notext'], dir);

  let responder: 'ca' | 'delegated' | 'impostor' = 'delegated';
  let down = false;
  const signerFiles = { ca: ['ca.crt', 'ca.key'], delegated: ['ocsp.crt', 'ocsp.key'], impostor: ['imp.crt', 'imp.key'] } as const;
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 65_536) chunks.push(c);
    });
    req.on('end', () => {
      if (down) {
        res.writeHead(503).end();
        return;
      }
      // re-read the index for every request, so revocations show at once
      const [cert, key] = signerFiles[responder];
      const p = spawn(
        'openssl',
        ['ocsp', '-index', 'index.txt', '-rsigner', cert, '-rkey', key, '-CA', 'ca.crt', '-reqin', '-', '-respout', '-', '-nmin', '5'],
        {
          cwd: dir,
        },
      );
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
    revokeArgv: ['openssl', 'ca', '-config', join(dir, 'openssl.cnf'), '-revoke', join(dir, 'newcerts', '{serialHex}.pem')],
    approveAt: async (sb) => {
      const cs = new HttpClient({ baseUrl: sb.cs.url, server: 'cs', apiKey: sb.cs.apiKeys.admin, tlsFingerprint: sb.cs.fingerprint });
      try {
        const svc = multipart({
          certificate: { filename: 'ca.crt', data: readFileSync(join(dir, 'ca.crt')) },
          certificate_profile_info: 'ee.ria.xroad.common.certificateprofile.impl.EjbcaCertificateProfileInfoProvider',
          tls_auth: 'false',
          default_csr_format: 'PEM',
        });
        const added = await cs.request<{ id: number; name: string }>({
          method: 'POST',
          path: '/certification-services',
          body: svc.body,
          contentType: svc.contentType,
          step: 'add-certification-service',
        });
        const ocsp = multipart({ url: ocspUrl, cost_type: 'FREE' });
        await cs.request({
          method: 'POST',
          path: `/certification-services/${added.body.id}/ocsp-responders`,
          body: ocsp.body,
          contentType: ocsp.contentType,
          step: 'add-ocsp-responder',
        });
        await sb.waitForGlobalConf();
        await sb.waitForGlobalConf();
        return added.body.name;
      } finally {
        cs.close();
      }
    },
    issue: (csrFile, usage, certFile) =>
      run(['ca', '-batch', '-config', 'openssl.cnf', '-extensions', `${usage}_ext`, '-in', csrFile, '-out', certFile, '-notext'], dir),
    setResponder: (who) => {
      if (who === 'impostor' && !existsSync(join(dir, 'imp.crt'))) {
        // the CA's name on a key the CA never certified
        run(
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-keyout',
            'imp.key',
            '-out',
            'imp.crt',
            '-days',
            '2',
            '-subj',
            `/C=EE/O=xrdctl tests/CN=${name}`,
            '-config',
            'openssl.cnf',
            '-extensions',
            'ca_ext',
          ],
          dir,
        );
      }
      responder = who;
    },
    setDown: (d) => {
      down = d;
    },
    leafCert: (cn) => {
      const file = `leaf-${randomBytes(4).toString('hex')}`;
      run(
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          `${file}.key`,
          '-out',
          `${file}.crt`,
          '-days',
          '2',
          '-subj',
          `/CN=${cn}`,
          '-config',
          'openssl.cnf',
          '-extensions',
          'leaf_ext',
        ],
        dir,
      );
      return readFileSync(join(dir, `${file}.crt`));
    },
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
