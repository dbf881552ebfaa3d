import { Flags } from './oclif.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors/index.js';
import type { AcmeOptions } from '../pki/adapters/acme.js';

/** The acme adapter's flags (csr submit, rotate). */
export const acmeFlags = {
  'acme-directory': Flags.string({ description: 'acme: the CA’s ACME directory URL' }),
  'acme-ca-file': Flags.string({ description: 'acme: PEM bundle that verifies the ACME server’s TLS certificate' }),
  'acme-account-key': Flags.string({ description: 'acme: account key file (made once, mode 0600; default under the XDG state dir)' }),
  'acme-email': Flags.string({ description: 'acme: account contact e-mail' }),
  'acme-eab-kid': Flags.string({ description: 'acme: External Account Binding key id' }),
  'acme-eab-hmac': Flags.string({ description: 'acme: EAB MAC key reference env:NAME or file:PATH (never the key itself)' }),
  'acme-http-port': Flags.integer({ description: 'acme: answer http-01 on 127.0.0.1:PORT (omit when the CA does not validate)' }),
};

export interface AcmeFlagValues {
  'acme-directory'?: string;
  'acme-ca-file'?: string;
  'acme-account-key'?: string;
  'acme-email'?: string;
  'acme-eab-kid'?: string;
  'acme-eab-hmac'?: string;
  'acme-http-port'?: number;
}

/** The acme settings from the flags, checked locally (UsageError, exit 2) before anything is sent; the EAB key stays a reference. */
export async function acmeSettings(
  f: AcmeFlagValues,
  timeoutMs: number,
): Promise<Omit<AcmeOptions, 'eab'> & { eabKid?: string; eabHmacRef?: string; httpPort?: number }> {
  const dir = f['acme-directory'];
  if (!dir) throw new UsageError('--adapter acme needs --acme-directory URL');
  let url: URL;
  try {
    url = new URL(dir);
  } catch {
    throw new UsageError(`--acme-directory ${dir}: not a URL`, { hint: 'e.g. https://ca.example.org/acme/directory' });
  }
  if (url.protocol !== 'https:')
    throw new UsageError(`--acme-directory ${dir}: ACME needs https://`, { hint: "pass the CA's TLS trust with --acme-ca-file when it is private" });
  if (f['acme-eab-kid'] && !f['acme-eab-hmac']) throw new UsageError('--acme-eab-kid needs --acme-eab-hmac env:NAME or file:PATH');
  if (f['acme-eab-hmac'] && !f['acme-eab-kid']) throw new UsageError('--acme-eab-hmac needs --acme-eab-kid (the key id the CA gave with the MAC key)');
  const port = f['acme-http-port'];
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`--acme-http-port ${port}: not a port (1-65535)`);
  if (f['acme-ca-file'] && !existsSync(f['acme-ca-file'])) throw new UsageError(`--acme-ca-file ${f['acme-ca-file']}: no such file`);
  const { stateDir } = await import('../config/paths.js');
  return {
    directoryUrl: dir,
    caBundleFile: f['acme-ca-file'],
    accountKeyFile: f['acme-account-key'] ?? join(stateDir(), 'acme', 'account.key'),
    email: f['acme-email'],
    eabKid: f['acme-eab-kid'],
    eabHmacRef: f['acme-eab-hmac'],
    httpPort: port,
    challenge: port ? { type: 'http-01', listen: { host: '127.0.0.1', port } } : { type: 'none' },
    // the timeout bounds the whole order; each request to the CA at most 30 s of it
    orderTimeoutMs: timeoutMs,
    timeoutMs: Math.min(30_000, timeoutMs),
  };
}
