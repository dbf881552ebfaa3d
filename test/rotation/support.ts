import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';

/** Two security servers with certificates only (auth + the owner's sign certificate). */
export const rotationManifest = join(repoRoot, 'examples/rotation/manifest.yaml');

/** A sandbox of two security servers whose certificates the rotation manifest issued (through the CLI's apply). */
export async function sandboxWithCertificates(): Promise<{ E: SandboxEnv; env: Record<string, string> }> {
  const E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 300 });
  const env = manifestEnv(E.sb);
  const r = await E.run(['apply', rotationManifest, '--yes', '--json'], { env });
  expect(r.exitCode, r.stderr).toBe(0);
  return { E, env };
}

/** What a server's certificates look like, independent of hashes: usage, status, active, OCSP per certificate. */
export async function certShape(E: SandboxEnv, ctx: string): Promise<string[]> {
  const certs = (await E.run(['cert', 'list', '-c', ctx, '--json'])).json().certificates as {
    usage: string;
    status: string;
    active: boolean;
    ocspStatus?: string;
  }[];
  return certs.map((c) => `${c.usage} ${c.status} ${c.active ? 'active' : 'inactive'} ${c.ocspStatus ?? '-'}`).sort();
}
