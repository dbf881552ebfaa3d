import { XrdCommand } from '../src/cli/base.js';
import { manifestArgs } from '../src/cli/manifest-flags.js';
import { S } from '../src/cli/schema.js';
import { ManifestErrors } from '../src/errors/index.js';
import { loadManifest } from '../src/manifest/index.js';

type Result = { valid: true; files: string[]; instance: string; securityServers: number; clients: number; services: number };

export default class Validate extends XrdCommand<typeof Validate, Result> {
  static override summary = 'Check manifests without contacting any server: every problem at once, each at file:line:col.';
  static override strict = false;
  static override args = manifestArgs;
  static override examples = ['<%= config.bin %> validate examples/small/manifest.yaml', '<%= config.bin %> validate manifests/ --json'];
  static override resultSchema = S.obj({ valid: { const: true }, files: S.arr(S.str()), instance: S.str(), securityServers: S.int(), clients: S.int(), services: S.int() });

  protected async execute(): Promise<Result> {
    const files = this.positional;
    const r = await loadManifest(files);
    if (!r.manifest || r.errors.length) throw new ManifestErrors(r.errors);
    const m = r.manifest;
    const clients = m.servers.flatMap((s) => s.clients);
    return {
      valid: true,
      files: r.files,
      instance: m.instance,
      securityServers: m.servers.length,
      clients: clients.length,
      services: clients.flatMap((c) => c.serviceDescriptions.flatMap((d) => d.services)).length,
    };
  }

  protected override render(r: Result): void {
    this.out.print(`${r.files.join(', ')}: valid (${r.instance}: ${r.securityServers} security servers, ${r.clients} clients, ${r.services} services)`);
  }
}
