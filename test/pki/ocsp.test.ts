import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/pki/ca.js';
import { createCsr } from '../../src/pki/csr.js';
import { generateRsaKeyPair } from '../../src/pki/keys.js';
import { buildOcspRequest, buildOcspResponse, parseOcspRequest, parseOcspResponse, queryOcsp } from '../../src/pki/ocsp.js';
import { parseCertificate } from '../../src/pki/x509.js';

describe('OCSP', () => {
  const ca = CertificateAuthority.create('OCSP Test CA');
  const other = CertificateAuthority.create('Other CA');
  const kp = generateRsaKeyPair(2048);
  const certPem = ca.signCsr(createCsr(kp.privateKeyPem, { subject: [{ name: 'CN', value: 'SS1' }] }).pem, { usage: 'sign' });
  const serial = parseCertificate(certPem).serialHex.toUpperCase();
  const respond = (req: Buffer, responder = ca) =>
    buildOcspResponse({ request: req, responderCert: responder.certPem, responderKeyPem: responder.keyPem, statusFor: (s) => ca.status(s) });

  it('request/response round trip: good, then revoked with its time; a foreign signature is invalid', async () => {
    const req = await buildOcspRequest(certPem, ca.certPem);
    expect(parseOcspRequest(req).serials.map((s) => s.replace(/^0+/, ''))).toEqual([serial.replace(/^0+/, '')]);
    const good = parseOcspResponse(await respond(req), ca.certPem);
    expect(good).toMatchObject({ status: 'good', signatureValid: true });
    expect(good.nextUpdate!.getTime()).toBeGreaterThan(good.thisUpdate.getTime());
    ca.revoke(serial, 'keyCompromise', new Date('2026-01-01T00:00:00Z'));
    const revoked = parseOcspResponse(await respond(req), ca.certPem);
    expect(revoked.status).toBe('revoked');
    expect(revoked.revokedAt?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseOcspResponse(await respond(req, other), ca.certPem).signatureValid).toBe(false);
    expect(() => parseOcspResponse(Buffer.from('nope'), ca.certPem)).toThrow(/not an OCSP response/);
  });

  it('queryOcsp over HTTP on 127.0.0.1, and a bounded timeout', async () => {
    let hang = false;
    const srv = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (hang) return;
        res.setHeader('content-type', 'application/ocsp-response');
        res.end(await respond(Buffer.concat(chunks)));
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
    try {
      expect(await queryOcsp(url, certPem, ca.certPem, { timeoutMs: 3000 })).toMatchObject({ status: 'revoked', signatureValid: true });
      hang = true;
      await expect(queryOcsp(url, certPem, ca.certPem, { timeoutMs: 300 })).rejects.toThrow(/did not answer within 300 ms/);
    } finally {
      srv.closeAllConnections();
      srv.close();
    }
  });
});
