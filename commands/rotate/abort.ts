import { Args } from '../../src/cli/oclif.js';
import { RotationCommand, type RotateOutput } from '../../src/cli/rotate-command.js';
import { abortRotation } from '../../src/services/rotate.js';

export default class RotateAbort extends RotationCommand<typeof RotateAbort> {
  static override summary = 'Stop a rotation and undo what can be undone (the new key and certificate, while the old one is untouched); says what cannot.';
  static override examples = ['<%= config.bin %> rotate abort ss1-auth-20261201-101500 --yes'];
  static override args = { id: Args.string({ required: true, description: 'rotation id' }) };

  protected async execute(): Promise<RotateOutput> {
    const r = await abortRotation(this.args.id, this.hooks());
    this.report(r.undone, r.kept);
    return this.finish(r);
  }
}
