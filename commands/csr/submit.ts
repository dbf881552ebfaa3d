import { Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSafe } from '../../src/fs/files.js';
import { XrdCommand } from '../../src/cli/base.js';
import { certRowItem } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { importCert, readCert } from '../../src/certs/lifecycle.js';
import type { CertRow } from '../../src/certs/inventory.js';
import { csrForKey, submitServerAcme, type SubmitOutcome } from '../../src/certs/submit.js';
import { UsageError } from '../../src/errors/index.js';
import type { AcmeOptions } from '../../src/pki/adapters/acme.js';

type Result = {
  server: string;
  adapter: string;
  keyId: string;
  csrId: string;
  certificateFile: string | null;
  pending: string | null;
  imported: CertRow | null;
};

export default class CsrSubmit extends XrdCommand<typeof CsrSubmit, Result> {
  static override summary = 'Send a CSR to a CA and get the certificate back (optionally importing it).';
  static override description =
    'Adapters: server-acme (the security server orders from the CA over ACME itself, X-Road 7.6+), acme (xrdctl is the ACME client: account key kept 0600, EAB, http-01 on 127.0.0.1), command (runs your CA command without a shell: ' +
    '{csr} is a file with the CSR, otherwise it goes to stdin; {cert} a file for the certificate, otherwise stdout; {usage} is auth or sign), ' +
    'manual (writes the CSR to --out; import the answer later with xrdctl cert import).';
  static override examples = [
    '<%= config.bin %> csr submit --key 3 --adapter command --command "openssl ca -batch -config ca.cnf -in {csr} -out {cert}" --import',
    '<%= config.bin %> csr submit --key 3 --adapter server-acme --ca "Sandbox CA"',
    '<%= config.bin %> csr submit --key 3 --adapter manual --out /srv/outbox/ss1-auth.csr',
  ];
  static override flags = {
    key: Flags.string({ required: true, description: 'key id whose CSR is sent' }),
    csr: Flags.string({ description: 'CSR id (default: the key’s only CSR)' }),
    adapter: Flags.string({ required: true, options: ['server-acme', 'acme', 'command', 'manual'], description: 'how the CSR reaches the CA' }),
    ca: Flags.string({ description: 'approved CA name (server-acme)' }),
    command: Flags.string({ description: 'CA command line (command adapter); quoted like a shell, run without one' }),
    'command-env': Flags.string({ multiple: true, description: 'command: pass this environment variable on to the CA command (repeatable; it gets PATH, HOME, LANG, TZ, TMPDIR and these only)' }),
    timeout: Flags.integer({ default: 120, min: 1, max: 86400, description: 'seconds the CA command (or the whole ACME order) may take' }),
    format: Flags.string({ options: ['PEM', 'DER'], default: 'PEM', description: 'CSR format given to the CA' }),
    'acme-directory': Flags.string({ description: 'acme: the CA’s ACME directory URL' }),
    'acme-ca-file': Flags.string({ description: 'acme: PEM bundle that verifies the ACME server’s TLS certificate' }),
    'acme-account-key': Flags.string({ description: 'acme: account key file (made once, mode 0600; default under the XDG state dir)' }),
    'acme-email': Flags.string({ description: 'acme: account contact e-mail' }),
    'acme-eab-kid': Flags.string({ description: 'acme: External Account Binding key id' }),
    'acme-eab-hmac': Flags.string({ description: 'acme: EAB MAC key reference env:NAME or file:PATH (never the key itself)' }),
    'acme-http-port': Flags.integer({ description: 'acme: answer http-01 on 127.0.0.1:PORT (omit when the CA does not validate)' }),
    out: Flags.string({ char: 'o', description: 'manual: where to write the CSR; otherwise: where to write the certificate' }),
    import: Flags.boolean({ description: 'import the certificate into the server (after the checks of cert import)' }),
    activate: Flags.boolean({ description: 'activate an imported sign certificate that is not active yet (ACME sign certificates arrive inactive)' }),
  };
  static override resultSchema = S.obj({
    server: S.str(),
    adapter: S.str(),
    keyId: S.str(),
    csrId: S.str(),
    certificateFile: S.nullable(S.str()),
    pending: S.nullable(S.str()),
    imported: S.nullable(certRowItem),
  });

  protected async execute(): Promise<Result> {
    const f = this.flags;
    if (f.adapter === 'command' && !f.command) throw new UsageError('--adapter command needs --command "…"');
    if (f.adapter === 'server-acme' && !f.ca) throw new UsageError('--adapter server-acme needs --ca NAME');
    if (f.adapter === 'manual' && !f.out) throw new UsageError('--adapter manual needs --out FILE (where the CSR goes)');
    // acme: everything local is checked (and the EAB secret resolved) before any server is contacted
    const acme = f.adapter === 'acme' ? await this.acmeOptions() : undefined;
    const api = await this.securityServer();
    const res: Result = { server: api.server, adapter: f.adapter, keyId: f.key, csrId: '', certificateFile: null, pending: null, imported: null };
    await this.out.steps([
      {
        title: `submit the CSR of key ${f.key} (${f.adapter})`,
        run: async (update) => {
          const { csrId, usage, csr } = await csrForKey(api, f.key, f.csr, f.format as 'PEM' | 'DER');
          res.csrId = csrId;
          const ctx = { api, keyId: f.key, csrId, csr, usage, ca: f.ca ?? '', progress: update };
          let outcome: SubmitOutcome;
          if (f.adapter === 'server-acme') outcome = await submitServerAcme(ctx);
          else if (f.adapter === 'manual') {
            const { ManualAdapter } = await import('../../src/pki/adapters/manual.js');
            const r = await new ManualAdapter(f.out!).submit(csr, { usage, csrFormat: f.format as 'PEM' | 'DER', log: update });
            outcome = { kind: 'pending', where: r.csrPath };
          }
          else if (f.adapter === 'acme') {
            const { AcmeAdapter } = await import('../../src/pki/adapters/acme.js');
            const r = await new AcmeAdapter(acme!).submit(csr, { usage, csrFormat: f.format as 'PEM' | 'DER', log: update });
            outcome = { kind: 'certificate', certificate: r.certificate };
          } else {
            const { CommandAdapter, splitCommand } = await import('../../src/pki/adapters/command.js');
            const adapter = new CommandAdapter(splitCommand(f.command!), { timeoutMs: f.timeout * 1000, passEnv: f['command-env'] });
            const r = await adapter.submit(csr, { usage, csrFormat: f.format as 'PEM' | 'DER', log: update });
            outcome = { kind: 'certificate', certificate: r.certificate };
          }
          if (outcome.kind === 'pending') res.pending = outcome.where;
          else if (outcome.kind === 'imported') res.imported = await readCert(api, outcome.hash);
          else {
            if (f.out) {
              writeFileSafe(f.out, outcome.certificate, { overwrite: true, what: 'certificate', mode: 0o644 });
              res.certificateFile = f.out;
            }
            if (f.import) res.imported = await importCert(api, outcome.certificate, `certificate from ${f.adapter}`, update);
            else if (!f.out) throw new UsageError('the CA answered but the certificate has nowhere to go', { hint: 'pass --import or --out FILE' });
          }
          if (f.activate && res.imported && res.imported.usage === 'sign' && !res.imported.active) {
            update('activating the sign certificate');
            const { certAction } = await import('../../src/certs/lifecycle.js');
            await certAction(api, res.imported.hash, 'activate');
            res.imported = await readCert(api, res.imported.hash);
          }
        },
      },
    ]);
    return res;
  }

  /** The acme adapter's options from the flags; local mistakes are UsageErrors (exit 2) before anything is sent. */
  private async acmeOptions(): Promise<AcmeOptions> {
    const f = this.flags;
    const dir = f['acme-directory'];
    if (!dir) throw new UsageError('--adapter acme needs --acme-directory URL');
    let url: URL;
    try {
      url = new URL(dir);
    } catch {
      throw new UsageError(`--acme-directory ${dir}: not a URL`, { hint: 'e.g. https://ca.example.org/acme/directory' });
    }
    if (url.protocol !== 'https:') throw new UsageError(`--acme-directory ${dir}: ACME needs https://`, { hint: "pass the CA's TLS trust with --acme-ca-file when it is private" });
    if (f['acme-eab-kid'] && !f['acme-eab-hmac']) throw new UsageError('--acme-eab-kid needs --acme-eab-hmac env:NAME or file:PATH');
    if (f['acme-eab-hmac'] && !f['acme-eab-kid']) throw new UsageError('--acme-eab-hmac needs --acme-eab-kid (the key id the CA gave with the MAC key)');
    const port = f['acme-http-port'];
    if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`--acme-http-port ${port}: not a port (1-65535)`);
    if (f['acme-ca-file'] && !existsSync(f['acme-ca-file'])) throw new UsageError(`--acme-ca-file ${f['acme-ca-file']}: no such file`);
    const [{ resolveSecret }, { stateDir }] = await Promise.all([import('../../src/config/secrets.js'), import('../../src/config/paths.js')]);
    // a secret reference only (env:NAME, file:PATH): the MAC key itself never appears on a command line
    const hmac = f['acme-eab-hmac'] ? await resolveSecret(f['acme-eab-hmac'], { what: 'ACME EAB MAC key (--acme-eab-hmac)', warn: (m) => this.out.warn(m) }) : undefined;
    return {
      directoryUrl: dir,
      caBundleFile: f['acme-ca-file'],
      accountKeyFile: f['acme-account-key'] ?? join(stateDir(), 'acme', 'account.key'),
      email: f['acme-email'],
      eab: f['acme-eab-kid'] && hmac ? { kid: f['acme-eab-kid'], hmacKey: hmac } : undefined,
      challenge: port ? { type: 'http-01', listen: { host: '127.0.0.1', port } } : { type: 'none' },
      // --timeout bounds the whole order; each request to the CA at most 30 s of it
      orderTimeoutMs: f.timeout * 1000,
      timeoutMs: Math.min(30_000, f.timeout * 1000),
    };
  }

  protected override render(r: Result): void {
    if (r.pending) this.out.print(`CSR ${r.csrId} written to ${r.pending}; import the CA's answer with xrdctl cert import`);
    if (r.certificateFile) this.out.print(`certificate written to ${r.certificateFile}`);
    if (r.imported) this.out.print(`imported ${r.imported.usage} certificate ${r.imported.hash} (${r.imported.status}${r.imported.active ? ', active' : ''})`);
  }
}
