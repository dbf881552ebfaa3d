import type { IssuerSpec } from '../certs/submit.js';
import { UsageError } from '../errors/index.js';
import type { AcmeOptions } from '../pki/adapters/acme.js';
import type { SubmitRequest } from '../services/csr.js';

export interface SubmitFlags {
  key: string;
  csr?: string;
  adapter: string;
  ca?: string;
  command?: string;
  'command-env'?: string[];
  timeout: number;
  format: string;
  out?: string;
  import: boolean;
  activate: boolean;
}

/** What each adapter needs, checked before any server is contacted. */
export function checkSubmitFlags(f: SubmitFlags): void {
  if (f.adapter === 'command' && !f.command) throw new UsageError('--adapter command needs --command "…"');
  if (f.adapter === 'server-acme' && !f.ca) throw new UsageError('--adapter server-acme needs --ca NAME');
  if (f.adapter === 'manual' && !f.out) throw new UsageError('--adapter manual needs --out FILE (where the CSR goes)');
}

/** `csr submit`'s flags as the service's request: the issuer by adapter, the output file where it applies. */
export function submitRequestFrom(f: SubmitFlags, acme?: AcmeOptions): SubmitRequest {
  const issuers: Record<string, () => IssuerSpec> = {
    manual: () => ({ type: 'manual', csrFile: f.out! }),
    acme: () => ({ type: 'acme', options: acme! }),
    command: () => ({ type: 'command', command: f.command!, timeoutMs: f.timeout * 1000, passEnv: f['command-env'] }),
    'server-acme': () => ({ type: 'server-acme' }),
  };
  const issuer = (issuers[f.adapter] ?? issuers['server-acme']!)();
  const adapter = f.adapter as SubmitRequest['adapter'];
  const out = f.adapter === 'manual' ? undefined : f.out;
  return { keyId: f.key, csrId: f.csr, adapter, issuer, ca: f.ca, format: f.format as 'PEM' | 'DER', out, import: f.import, activate: f.activate };
}
