import { XrdCommand } from '../../src/cli/base.js';
import { dirFlag } from '../../src/cli/sandbox-flags.js';
import { S } from '../../src/cli/schema.js';
import { sandboxVariables } from '../../src/sandboxctl/control.js';

type Result = { variables: Record<string, string> };

export default class SandboxEnv extends XrdCommand<typeof SandboxEnv, Result> {
  static override summary = 'Print shell exports for a running sandbox (URLs, TLS fingerprints, admin API keys, token PINs) for manifests that reference them.';
  static override description =
    'This prints secrets on purpose, for eval in a rehearsal shell: eval "$(xrdctl sandbox env)". The example manifests use these names.';
  static override examples = ['eval "$(<%= config.bin %> sandbox env)"', '<%= config.bin %> sandbox env --json'];
  static override flags = { dir: dirFlag };
  static override resultSchema = S.obj({ variables: { type: 'object', additionalProperties: { type: 'string' } } });

  protected async execute(): Promise<Result> {
    return { variables: sandboxVariables(this.flags.dir) };
  }

  protected override render(r: Result): void {
    this.out.lines(Object.entries(r.variables).map(([k, val]) => `export ${k}='${val.replace(/'/g, "'\\''")}'`));
  }
}
