import { Flags } from '../src/cli/oclif.js';
import { XrdCommand } from '../src/cli/base.js';
import { manifestArgs } from '../src/cli/manifest-flags.js';
import { S } from '../src/cli/schema.js';
import { validateManifests, type ValidateResult } from '../src/services/validate.js';

export default class Validate extends XrdCommand<typeof Validate, ValidateResult> {
  static override summary =
    'Check manifests without contacting any server: every problem at once (syntax, schema, semantics), each at file:line:col with a hint.';
  static override strict = false;
  static override args = manifestArgs;
  static override flags = {
    offline: Flags.boolean({
      default: true,
      allowNo: true,
      description: '${VAR} references are checked for syntax only, no variable needs to be set (--no-offline: each must be set, as plan and apply need)',
    }),
  };
  static override examples = [
    '<%= config.bin %> validate examples/small/manifest.yaml',
    '<%= config.bin %> validate manifests/ --json',
    '<%= config.bin %> validate manifests/ --no-offline   # the variables plan and apply will need are set',
  ];
  static override resultSchema = S.obj({
    valid: { const: true },
    files: S.arr(S.str()),
    instance: S.str(),
    securityServers: S.int(),
    clients: S.int(),
    services: S.int(),
    offline: S.bool(),
  });

  protected async execute(): Promise<ValidateResult> {
    return validateManifests(this.positional, { offline: this.flags.offline });
  }

  protected override render(r: ValidateResult): void {
    this.out.print(`${r.files.join(', ')}: valid (${r.instance}: ${r.securityServers} security servers, ${r.clients} clients, ${r.services} services)`);
  }
}
