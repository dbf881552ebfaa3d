import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ManualAdapter } from '../../src/pki/adapters/manual.js';
import { UsageError } from '../../src/errors/index.js';

it('manual adapter writes the CSR and answers pending; an unwritable path is a UsageError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xrd-manual-'));
  try {
    const out = join(dir, 'auth.csr');
    const r = await new ManualAdapter(out).submit(Buffer.from('CSR'), { usage: 'auth', csrFormat: 'PEM' });
    expect(r).toEqual({ pending: true, csrPath: out });
    expect(readFileSync(out, 'utf8')).toBe('CSR');
    await expect(new ManualAdapter(join(dir, 'no/such/dir/x.csr')).submit(Buffer.from('x'), { usage: 'sign', csrFormat: 'DER' })).rejects.toThrow(UsageError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
