import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { certRowItem } from '../../src/cli/cert-schemas.js';
import { S } from '../../src/cli/schema.js';
import { submitKeyCsr, type SubmitResult as Result } from '../../src/services/csr.js';
import { checkSubmitFlags, submitRequestFrom } from '../../src/cli/submit-flags.js';
import type { AcmeOptions } from '../../src/pki/adapters/acme.js';
import { acmeFlags, acmeSettings } from '../../src/cli/acme-flags.js';

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
    'command-env': Flags.string({
      multiple: true,
      description: 'command: pass this environment variable on to the CA command (repeatable; it gets PATH, HOME, LANG, TZ, TMPDIR and these only)',
    }),
    timeout: Flags.integer({ default: 120, min: 1, max: 86400, description: 'seconds the CA command (or the whole ACME order) may take' }),
    format: Flags.string({ options: ['PEM', 'DER'], default: 'PEM', description: 'CSR format given to the CA' }),
    ...acmeFlags,
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
    checkSubmitFlags(f);
    // acme: everything local is checked (and the EAB secret resolved) before any server is contacted
    const acme = f.adapter === 'acme' ? await this.acmeOptions() : undefined;
    const api = await this.securityServer();
    const req = submitRequestFrom(f, acme);
    let res!: Result;
    await this.out.steps([
      { title: `submit the CSR of key ${f.key} (${f.adapter})`, run: async (update) => void (res = await submitKeyCsr(api, req, update)) },
    ]);
    return res;
  }

  /** The acme adapter's options from the flags; the EAB secret is resolved before anything is sent. */
  private async acmeOptions(): Promise<AcmeOptions> {
    const { eabKid, eabHmacRef, ...o } = await acmeSettings(this.flags, this.flags.timeout * 1000);
    const { resolveSecret } = await import('../../src/config/secrets.js');
    const hmac = eabHmacRef ? await resolveSecret(eabHmacRef, { what: 'ACME EAB MAC key (--acme-eab-hmac)', warn: (m) => this.out.warn(m) }) : undefined;
    return { ...o, eab: eabKid && hmac ? { kid: eabKid, hmacKey: hmac } : undefined };
  }

  protected override render(r: Result): void {
    if (r.pending) this.out.print(`CSR ${r.csrId} written to ${r.pending}; import the CA's answer with xrdctl cert import`);
    if (r.certificateFile) this.out.print(`certificate written to ${r.certificateFile}`);
    if (r.imported) this.out.print(`imported ${r.imported.usage} certificate ${r.imported.hash} (${r.imported.status}${r.imported.active ? ', active' : ''})`);
  }
}
