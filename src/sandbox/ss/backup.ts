/**
 * Security Server routes: the internal TLS certificate (/system/certificate…) and configuration backups (/backups…).
 * A restore replaces the key configuration (tokens, keys, certificates) and the local configuration with the
 * backup's, and, like the real restore (its services restart), leaves the software token logged out: one of the
 * ways to lose the working auth or sign certificate (xroad-flows §5), which the outage record sees.
 */
import { parseCertificate } from '../../pki/x509.js';
import { bad, conflict, notFound } from '../http.js';
import { createTlsCertificate } from '../../pki/ca.js';
import { createCsr } from '../../pki/csr.js';
import { derToPem, pemToDer } from '../../pki/encoding.js';
import { generateRsaKeyPairAsync, spkiBase64 } from '../../pki/keys.js';
import { certInputToDer, certificateDetails } from '../certs.js';
import type { BackupState } from '../model.js';
import { tar, tarGz, untar } from '../tar.js';
import { str } from '../validate.js';
import { ok, noContent, SYS, OBS } from './common.js';
import type { Route } from '../http.js';
import type { SsCtx } from './context.js';

const BACKUP_MAX = 50;

export function backupRoutes(x: SsCtx): Route[] {
  const { e, ss, st } = x;
  const tlsNow = () => ss.internalTls ?? { ...st.tls[ss.name]!, publicKeyPem: '' };
  const backupOf = (name: string): BackupState => {
    const b = (ss.backups ?? []).find((y) => y.filename === name);
    if (!b) throw notFound('backup_file_not_found', name);
    return b;
  };
  const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const backupFile = (b: BackupState) =>
    tar(
      [
        {
          name: 'sandbox-backup.json',
          data: Buffer.from(JSON.stringify({ format: 'xrdctl-sandbox-backup/1', server: ss.name, created_at: b.createdAt, ...b.snapshot })),
        },
      ],
      new Date(b.createdAt),
    );
  const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

  return [
    // ---------- internal TLS certificate ----------
    { method: 'GET', path: '/system/certificate', op: 'getSystemCertificate', roles: [SYS, OBS], h: () => ok(certificateDetails(pemToDer(tlsNow().certPem))) },
    {
      method: 'GET',
      path: '/system/certificate/export',
      op: 'downloadSystemCertificate',
      roles: [SYS, OBS],
      h: () => {
        const der = pemToDer(tlsNow().certPem);
        return {
          status: 200,
          raw: tarGz(
            [
              { name: 'cert.pem', data: Buffer.from(derToPem(der, 'CERTIFICATE')) },
              { name: 'cert.cer', data: der },
            ],
            e.clock.now(),
          ),
          headers: { 'content-type': 'application/gzip', 'content-disposition': 'attachment; filename="certs.tar.gz"' },
        };
      },
    },
    {
      method: 'POST',
      path: '/system/certificate',
      op: 'generateSystemTlsKeyAndCertificate',
      roles: [SYS],
      write: true,
      h: async () => {
        const kp = await generateRsaKeyPairAsync();
        const c = createTlsCertificate(ss.address, { now: e.clock.now(), key: kp });
        ss.internalTls = { keyPem: c.privateKeyPem, certPem: c.certPem, publicKeyPem: c.publicKeyPem };
        return noContent();
      },
    },
    {
      method: 'POST',
      path: '/system/certificate/csr',
      op: 'generateSystemCertificateRequest',
      roles: [SYS],
      write: true,
      h: async (c) => {
        const name = str(c.json(), 'name', 'distinguishedName');
        const subject = name
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
          .map((p) => {
            const i = p.indexOf('=');
            if (i <= 0 || i === p.length - 1) throw bad('invalid_distinguished_name', name);
            return { name: p.slice(0, i).trim(), value: p.slice(i + 1).trim() };
          });
        if (!subject.length) throw bad('invalid_distinguished_name', name);
        if (!ss.internalTls) {
          // the CSR is for the internal TLS key: a sandbox SS that never generated one gets one now
          const kp = await generateRsaKeyPairAsync();
          const cert = createTlsCertificate(ss.address, { now: e.clock.now(), key: kp });
          ss.internalTls = { keyPem: kp.privateKeyPem, certPem: cert.certPem, publicKeyPem: kp.publicKeyPem };
        }
        let csr: { der: Buffer };
        try {
          csr = createCsr(ss.internalTls.keyPem, { subject });
        } catch {
          throw bad('invalid_distinguished_name', name);
        }
        return {
          status: 201,
          raw: csr.der,
          headers: { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="request.csr"' },
        };
      },
    },
    {
      method: 'POST',
      path: '/system/certificate/import',
      op: 'importSystemCertificate',
      roles: [SYS],
      write: true,
      upload: true,
      h: (c) => {
        let der: Buffer;
        let spki: string;
        try {
          der = certInputToDer(c.body);
          spki = parseCertificate(der).publicKeyPem;
        } catch {
          throw bad('invalid_cert_uploaded');
        }
        const mine = ss.internalTls;
        if (!mine?.publicKeyPem || spkiBase64(spki) !== spkiBase64(mine.publicKeyPem))
          throw bad('keys_not_match', 'the certificate is not for the internal TLS key');
        mine.certPem = derToPem(der, 'CERTIFICATE');
        return ok(certificateDetails(der));
      },
    },

    // ---------- backups ----------
    {
      method: 'GET',
      path: '/backups',
      op: 'getBackups',
      roles: [SYS],
      h: () => ok((ss.backups ?? []).map((b) => ({ filename: b.filename, created_at: b.createdAt }))),
    },
    {
      method: 'POST',
      path: '/backups',
      op: 'addBackup',
      roles: [SYS],
      write: true,
      h: () => {
        if (!ss.tokenInitialized || !ss.serverCode) throw conflict('server_not_initialized');
        const now = e.clock.now();
        const list = (ss.backups ??= []);
        let filename = `conf_backup_${stamp(now)}.tar`;
        for (let n = 1; list.some((b) => b.filename === filename) && n < 100; n++) filename = `conf_backup_${stamp(now)}-${n}.tar`;
        if (list.some((b) => b.filename === filename)) throw conflict('backup_file_already_exists', filename);
        const b: BackupState = {
          filename,
          createdAt: now.toISOString(),
          snapshot: clone({
            keys: ss.keys,
            clients: ss.clients,
            serviceDescriptions: ss.serviceDescriptions,
            acls: ss.acls,
            localGroups: ss.localGroups,
            tsps: ss.tsps,
            pinSha256: ss.pinSha256,
            tokenInitialized: ss.tokenInitialized,
          }),
        };
        list.push(b);
        if (list.length > BACKUP_MAX) list.splice(0, list.length - BACKUP_MAX);
        return ok({ filename, created_at: b.createdAt }, 201);
      },
    },
    {
      method: 'DELETE',
      path: '/backups/{filename}',
      op: 'deleteBackup',
      roles: [SYS],
      write: true,
      h: (c) => {
        const b = backupOf(c.params.filename!);
        ss.backups = ss.backups!.filter((y) => y !== b);
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/backups/{filename}/download',
      op: 'downloadBackup',
      roles: [SYS],
      h: (c) => {
        const b = backupOf(c.params.filename!);
        return {
          status: 200,
          raw: backupFile(b),
          headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${b.filename}"` },
        };
      },
    },
    {
      method: 'PUT',
      path: '/backups/{filename}/restore',
      op: 'restoreBackup',
      roles: [SYS],
      write: true,
      h: (c) => {
        const b = backupOf(c.params.filename!);
        // the file is what is restored (as on the real server): read it back
        const json = untar(backupFile(b)).get('sandbox-backup.json');
        if (!json) throw bad('backup_restoration_failed', b.filename);
        const snap = JSON.parse(json.toString('utf8')) as BackupState['snapshot'];
        ss.keys = snap.keys;
        ss.clients = snap.clients;
        ss.serviceDescriptions = snap.serviceDescriptions;
        ss.acls = snap.acls;
        ss.localGroups = snap.localGroups;
        ss.tsps = snap.tsps;
        ss.pinSha256 = snap.pinSha256;
        ss.tokenInitialized = snap.tokenInitialized;
        // the restore restarts the services: tokens come back logged out (no autologin in the sandbox)
        ss.loggedIn = false;
        return ok({ hsm_tokens_logged_out: false });
      },
    },
  ];
}
