import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import { repoRoot } from './cli.js';

/** The environment the example manifests reference (what `xrdctl sandbox env` prints). */
export function manifestEnv(sb: SandboxHandle): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of [sb.cs, ...sb.ss]) {
    const p = `XRD_${s.name.toUpperCase()}`;
    env[`${p}_URL`] = s.url;
    env[`${p}_TLS_FINGERPRINT`] = s.fingerprint;
    env[`${p}_API_KEY`] = s.apiKeys.admin!;
    if (s.tokenPin) env[`${p}_PIN`] = s.tokenPin;
  }
  return env;
}

/** A copy of an example manifest, changed through the YAML document API (comments and positions kept). */
export function editedManifest(
  dir: string,
  name: string,
  edit: (doc: ReturnType<typeof parseDocument>) => void,
  source = 'examples/small/manifest.yaml',
): string {
  const doc = parseDocument(readFileSync(join(repoRoot, source), 'utf8'));
  edit(doc);
  const out = join(dir, name);
  writeFileSync(out, doc.toString());
  return out;
}
