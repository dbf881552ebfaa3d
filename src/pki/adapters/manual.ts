import { writeFileSafe } from '../../fs/files.js';
import type { SubmitContext } from './command.js';

/** The CSR was handed over; the certificate is imported later (`xrdctl cert import`). */
export interface PendingResult {
  pending: true;
  csrPath: string;
}

/** manual: writes the CSR (0644, it holds no secret) to a path the operator sends it from. */
export class ManualAdapter {
  readonly name = 'manual';
  constructor(private readonly outPath: string) {}

  async submit(csr: Buffer, ctx: SubmitContext): Promise<PendingResult> {
    writeFileSafe(this.outPath, csr, { overwrite: true, what: 'CSR', mode: 0o644 });
    ctx.log?.(`${ctx.usage} CSR (${ctx.csrFormat}) written to ${this.outPath}; import the certificate when the CA answers`);
    return { pending: true, csrPath: this.outPath };
  }
}
