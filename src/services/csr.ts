import { checkWriteTarget, writeFileSafe } from '../fs/files.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type { CertRow } from '../certs/inventory.js';
import { certAction, createCsr, importCert, parseSubjectOverrides, readCert, usageType } from '../certs/lifecycle.js';
import { csrForKey, submitCsr, type IssuerSpec } from '../certs/submit.js';
import { UsageError } from '../errors/index.js';

export interface SubmitRequest {
  keyId: string;
  csrId?: string;
  adapter: 'server-acme' | 'acme' | 'command' | 'manual';
  issuer: IssuerSpec;
  ca?: string;
  format: 'PEM' | 'DER';
  /** where the certificate goes (the CSR, for manual) */
  out?: string;
  import: boolean;
  /** activate an imported sign certificate that arrived inactive */
  activate: boolean;
}

export interface SubmitResult {
  server: string;
  adapter: string;
  keyId: string;
  csrId: string;
  certificateFile: string | null;
  pending: string | null;
  imported: CertRow | null;
}

/** csr submit: the key's CSR to its CA through one adapter, then the certificate to a file and/or imported. */
export async function submitKeyCsr(api: SecurityServerApi, r: SubmitRequest, progress: (m: string) => void): Promise<SubmitResult> {
  const res: SubmitResult = { server: api.server, adapter: r.adapter, keyId: r.keyId, csrId: '', certificateFile: null, pending: null, imported: null };
  const { csrId, usage, csr } = await csrForKey(api, r.keyId, r.csrId, r.format);
  res.csrId = csrId;
  const outcome = await submitCsr({ api, keyId: r.keyId, csrId, csr, usage, ca: r.ca ?? '', progress, issuer: r.issuer, csrFormat: r.format });
  if (outcome.kind === 'pending') res.pending = outcome.where;
  else if (outcome.kind === 'imported') res.imported = await readCert(api, outcome.hash);
  else {
    if (r.out) {
      writeFileSafe(r.out, outcome.certificate, { overwrite: true, what: 'certificate', mode: 0o644 });
      res.certificateFile = r.out;
    }
    if (r.import) res.imported = await importCert(api, outcome.certificate, `certificate from ${r.adapter}`, progress);
    else if (!r.out) throw new UsageError('the CA answered but the certificate has nowhere to go', { hint: 'pass --import or --out FILE' });
  }
  if (r.activate && res.imported && res.imported.usage === 'sign' && !res.imported.active) {
    progress('activating the sign certificate');
    await certAction(api, res.imported.hash, 'activate');
    res.imported = await readCert(api, res.imported.hash);
  }
  return res;
}

/**
 * csr create: a bad --out fails before a key and a CSR exist on the server; then key and CSR on the token
 * (shown as one step), and the CSR to --out (0644: it holds no secret) or in the result.
 */
export async function createKeyCsr(
  connect: () => Promise<SecurityServerApi>,
  o: {
    usage: string;
    ca: string;
    member?: string;
    tokenId?: string;
    keyId?: string;
    label?: string;
    format?: 'PEM' | 'DER';
    subject?: string[];
    address?: string;
    out?: string;
  },
  step: (title: string, run: (update: (m: string) => void) => Promise<void>) => Promise<void>,
) {
  if (o.out) checkWriteTarget(o.out, { overwrite: true, what: 'CSR' });
  const api = await connect();
  let res!: Awaited<ReturnType<typeof createCsr>>;
  await step(`create ${o.usage} key and CSR on ${api.server}`, async (update) => {
    res = await createCsr(
      api,
      {
        usage: usageType(o.usage),
        ca: o.ca,
        member: o.member,
        tokenId: o.tokenId,
        keyId: o.keyId,
        label: o.label,
        format: o.format,
        subject: parseSubjectOverrides(o.subject),
        address: o.address,
      },
      update,
    );
  });
  if (o.out) writeFileSafe(o.out, res.csr, { overwrite: true, what: 'CSR', mode: 0o644 });
  const { csr, ...rest } = res;
  // PEM text with the line ends of this system (the server may send CRLF), so `csr create > x.csr` is a clean file
  return { ...rest, file: o.out ?? null, csr: res.format === 'PEM' ? csr.toString('utf8').replace(/\r\n/g, '\n') : csr.toString('base64') };
}
