import { writeFile } from 'node:fs/promises';
import { UsageError } from '../../errors/index.js';
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
    try {
      await writeFile(this.outPath, csr, { mode: 0o644 });
    } catch (e) {
      throw new UsageError(`cannot write the CSR to ${this.outPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    ctx.log?.(`${ctx.usage} CSR (${ctx.csrFormat}) written to ${this.outPath}; import the certificate when the CA answers`);
    return { pending: true, csrPath: this.outPath };
  }
}
