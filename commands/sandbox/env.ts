import { XrdCommand } from '../../src/cli/base.js';
import { dirFlag } from '../../src/cli/sandbox-flags.js';
import { S } from '../../src/cli/schema.js';
import { UsageError } from '../../src/errors/index.js';
import { readSecrets, runningInfo, sandboxDir } from '../../src/sandboxctl/index.js';

type Result = { variables: Record<string, string> };

export default class SandboxEnv extends XrdCommand<typeof SandboxEnv, Result> {
  static override summary = 'Print shell exports for a running sandbox (URLs, TLS fingerprints, admin API keys, token PINs) for manifests that reference them.';
  static override description = 'This prints secrets on purpose, for eval in a rehearsal shell: eval "$(xrdctl sandbox env)". The example manifests use these names.';
  static override flags = { dir: dirFlag };
  static override resultSchema = S.obj({ variables: { type: 'object', additionalProperties: { type: 'string' } } });

  protected async execute(): Promise<Result> {
    const dir = sandboxDir(this.flags.dir);
    const info = runningInfo(dir);
    if (!info) throw new UsageError(`no sandbox is running in ${dir}`, { hint: 'xrdctl sandbox start --detach' });
    // read the file directly: these values are meant to be printed here, so they are not registered for redaction
    const s = readSecrets(dir, { register: false });
    const v: Record<string, string> = {};
    for (const srv of [info.cs, ...info.ss]) {
      const p = `XRD_${srv.name.toUpperCase()}`;
      v[`${p}_URL`] = srv.url;
      v[`${p}_TLS_FINGERPRINT`] = srv.fingerprint;
      const key = s.apiKeys[srv.name]?.admin;
      if (key) v[`${p}_API_KEY`] = key;
      const pin = s.pins?.[srv.name];
      if (pin) v[`${p}_PIN`] = pin;
    }
    return { variables: v };
  }

  protected override render(r: Result): void {
    for (const [k, val] of Object.entries(r.variables)) this.out.print(`export ${k}='${val.replace(/'/g, "'\\''")}'`);
  }
}
