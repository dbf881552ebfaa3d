import { ManifestErrors } from '../errors/index.js';
import { loadManifest } from '../manifest/index.js';

export interface ValidateResult {
  valid: true;
  files: string[];
  instance: string;
  securityServers: number;
  clients: number;
  services: number;
  offline: boolean;
}

/**
 * Check manifests without contacting any server, reporting every problem of every file in one pass (syntax,
 * schema, semantics). Offline (the default) needs no environment: `${VAR}` references are checked for their
 * syntax and left unexpanded; with `offline: false` each must be set, as plan and apply need them.
 */
export async function validateManifests(paths: string[], opts: { offline: boolean }): Promise<ValidateResult> {
  const r = await loadManifest(paths, { offline: opts.offline });
  if (!r.manifest || r.errors.length) throw new ManifestErrors(r.errors);
  const clients = r.manifest.servers.flatMap((s) => s.clients);
  return {
    valid: true,
    files: r.files,
    instance: r.manifest.instance,
    securityServers: r.manifest.servers.length,
    clients: clients.length,
    services: clients.flatMap((c) => c.serviceDescriptions.flatMap((d) => d.services)).length,
    offline: opts.offline,
  };
}
