import { Args } from '../src/cli/oclif.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XrdCommand } from '../src/cli/base.js';
import { S } from '../src/cli/schema.js';
import { generateCompletion, type Shell } from '../src/completions/generate.js';

type Result = { shell: string; script: string };

export default class Completion extends XrdCommand<typeof Completion, Result> {
  static override summary = 'Print the shell completion script for bash, zsh or fish.';
  static override examples = [
    'source <(<%= config.bin %> completion bash)',
    '<%= config.bin %> completion zsh > "${fpath[1]}/_xrdctl"',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/xrdctl.fish',
  ];
  static override args = { shell: Args.string({ required: true, options: ['bash', 'zsh', 'fish'], description: 'shell' }) };
  static override multilineFields = ['script'];
  static override resultSchema = S.obj({ shell: S.enum(['bash', 'zsh', 'fish']), script: S.str() });

  protected async execute(): Promise<Result> {
    const manifest = JSON.parse(readFileSync(join(this.config.root, 'oclif.manifest.json'), 'utf8'));
    return { shell: this.args.shell, script: generateCompletion(this.args.shell as Shell, manifest) };
  }

  protected override render(r: Result): void {
    this.out.print(r.script.trimEnd());
  }
}
