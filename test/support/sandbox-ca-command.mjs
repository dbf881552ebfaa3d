#!/usr/bin/env node
// A "site script" CA for tests of the command adapter: sends the CSR file to the sandbox CA's control
// endpoint and writes the certificate. Usage: sandbox-ca-command.mjs CSR_FILE CERT_FILE auth|sign
// (XRD_SANDBOX_CONTROL_URL, XRD_SANDBOX_CONTROL_TOKEN and XRD_SANDBOX_CONTROL_FINGERPRINT from the environment).
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';

const [csrFile, certFile, usage] = process.argv.slice(2);
const { XRD_SANDBOX_CONTROL_URL: url, XRD_SANDBOX_CONTROL_TOKEN: token, XRD_SANDBOX_CONTROL_FINGERPRINT: fp } = process.env;
const body = JSON.stringify({ csr: readFileSync(csrFile, 'utf8'), usage: usage === 'sign' ? 'SIGNING' : 'AUTHENTICATION' });
const u = new URL(`${url}/ca/sign`);
// the sandbox's admin certificate is self-signed: pin it on the socket before a byte (the token) is sent
const socket = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false, timeout: 10_000 });
socket.once('error', (e) => {
  console.error(`sandbox CA: ${e.message}`);
  process.exit(1);
});
socket.once('secureConnect', () => {
  if (socket.getPeerCertificate().fingerprint256 !== fp) {
    console.error('sandbox CA: TLS fingerprint mismatch');
    socket.destroy();
    process.exit(3);
  }
  const req = https.request(u, { method: 'POST', createConnection: () => socket, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
    let data = '';
    res.on('data', (c) => (data += c));
    res.on('end', () => {
      if (res.statusCode !== 200) {
        console.error(`sandbox CA refused: ${res.statusCode} ${data}`);
        process.exit(1);
      }
      writeFileSync(certFile, JSON.parse(data).certificate);
      process.exit(0);
    });
  });
  req.on('error', (e) => {
    console.error(`sandbox CA: ${e.message}`);
    process.exit(1);
  });
  req.end(body);
});
