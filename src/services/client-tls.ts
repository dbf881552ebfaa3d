import { READ_LIMITS, readBoundedFile } from '../fs/files.js';
import type { SecurityServerApi } from '../api/security-server.js';
import { UsageError } from '../errors/index.js';
import { parseCertificate } from '../pki/x509.js';

export interface TlsCertRow {
  hash: string;
  subject: string;
  notAfter: string;
}

/** The information-system TLS certificates of a client. */
export async function listClientTls(api: SecurityServerApi, client: string): Promise<{ server: string; client: string; certificates: TlsCertRow[] }> {
  const rows = await api.getClientTlsCertificates(client);
  return {
    server: api.server,
    client,
    certificates: rows.map((c) => ({ hash: c.hash, subject: c.subject_distinguished_name ?? '', notAfter: c.not_after ?? '' })),
  };
}

/** Add an information system's TLS certificate to a client: parsed and checked locally first; one already there is `changed: false`. */
export async function addClientTls(api: () => Promise<SecurityServerApi>, client: string, file: string) {
  const bytes = readBoundedFile(file, { maxBytes: READ_LIMITS.certificate, what: 'certificate' });
  let cert;
  try {
    cert = parseCertificate(bytes);
  } catch (e) {
    throw new UsageError(`${file}: not an X.509 certificate (PEM or DER): ${(e as Error).message}`);
  }
  if (cert.notAfter.getTime() < Date.now()) throw new UsageError(`${file}: certificate expired on ${cert.notAfter.toISOString()}`);
  const ss = await api();
  const have = await ss.getClientTlsCertificates(client);
  const changed = !have.some((c) => c.hash.toUpperCase() === cert.sha256Hex);
  if (changed) await ss.addClientTlsCertificate(client, cert.der);
  return { server: ss.server, client, hash: cert.sha256Hex, subject: cert.subject.replace(/\n/g, ', '), notAfter: cert.notAfter.toISOString(), changed };
}
