import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';

type Result = {
  server: string;
  keyId: string;
  keyLabel: string;
  csrId: string;
  usage: string;
  ca: string;
  format: string;
  memberId: string | null;
  subject: Record<string, string>;
  file: string | null;
  csr: string;
};

export default class CsrCreate extends XrdCommand<typeof CsrCreate, Result> {
  static override summary = 'Create a key and a CSR on the security server (auth or sign), subject filled from the CA profile.';
  static override examples = [
    '<%= config.bin %> csr create --usage auth --ca "Sandbox CA" --out auth.csr',
    '<%= config.bin %> csr create --usage sign --member DEV:GOV:1001 --ca "Sandbox CA" --subject C=EE',
  ];
  static override idInputs = { member: 'member' } as const;
  static override flags = {
    usage: Flags.string({ required: true, options: ['auth', 'sign'], description: 'certificate usage' }),
    ca: Flags.string({ required: true, description: 'approved CA name (xrdctl cert cas lists them)' }),
    member: Flags.string({ description: 'member id INSTANCE:CLASS:CODE (sign CSRs)' }),
    token: Flags.string({ default: '0', description: 'token id' }),
    key: Flags.string({ description: 'existing key id (a new CSR for a key without certificate); default: a new key' }),
    label: Flags.string({ description: 'label of the new key' }),
    format: Flags.string({ options: ['PEM', 'DER'], description: "CSR format (default: the CA's)" }),
    subject: Flags.string({ multiple: true, description: 'subject field override FIELD=VALUE (repeatable)' }),
    address: Flags.string({ description: "server DNS name for CN/subjectAltName (default: the server's address)" }),
    out: Flags.string({ char: 'o', description: 'write the CSR to this file' }),
  };
  static override resultSchema = S.obj({
    server: S.str(),
    keyId: S.str(),
    keyLabel: S.str(),
    csrId: S.str(),
    usage: S.enum(['auth', 'sign']),
    ca: S.str(),
    format: S.enum(['PEM', 'DER']),
    memberId: S.nullable(S.str()),
    subject: { type: 'object', additionalProperties: { type: 'string' } },
    file: S.nullable(S.str()),
    csr: S.str('PEM text, or base64 of the DER'),
  });

  protected async execute(): Promise<Result> {
    const f = this.flags;
    const { createKeyCsr } = await import('../../src/services/csr.js');
    const o = {
      usage: f.usage,
      ca: f.ca,
      member: f.member,
      tokenId: f.token,
      keyId: f.key,
      label: f.label,
      format: f.format as 'PEM' | 'DER' | undefined,
      subject: f.subject,
      address: f.address,
      out: f.out,
    };
    return createKeyCsr(
      () => this.securityServer(),
      o,
      (title, run) => this.out.steps([{ title, run }]),
    );
  }

  protected override render(r: Result): void {
    // status to stderr: `csr create > x.csr` leaves only the CSR in the file
    this.out.info(`key ${r.keyId} (${r.keyLabel}), CSR ${r.csrId} for ${r.ca}${r.file ? ` written to ${r.file}` : ''}`);
    if (!r.file) this.out.print(r.format === 'PEM' ? r.csr.trimEnd() : r.csr);
  }
}
