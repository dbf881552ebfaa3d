import { Args, Flags } from '../../src/cli/oclif.js';
import { RotationCommand, type RotateOutput } from '../../src/cli/rotate-command.js';
import { resumeRotation } from '../../src/services/rotate.js';

export default class RotateResume extends RotationCommand<typeof RotateResume> {
  static override summary =
    'Continue a rotation from where it stopped (a crash, a CA that took a day, an approval, a grace period); the servers are re-read first.';
  static override examples = ['<%= config.bin %> rotate resume ss1-auth-20261201-101500 --yes'];
  static override args = { id: Args.string({ required: true, description: 'rotation id (xrdctl rotate status lists them)' }) };
  static override flags = { 'i-understand-downtime': Flags.boolean({ description: 'consent for a --cut-now rotation off a terminal' }) };

  protected async execute(): Promise<RotateOutput> {
    return this.finish(await resumeRotation(this.args.id, this.hooks()));
  }
}
