import { Args } from '../../src/cli/oclif.js';
import { RotationCommand, type RotateOutput } from '../../src/cli/rotate-command.js';
import { rotationStatus } from '../../src/services/rotate.js';

export default class RotateStatus extends RotationCommand<typeof RotateStatus> {
  static override summary = 'Rotations and their steps, from the journals (one, or all).';
  static override examples = ['<%= config.bin %> rotate status', '<%= config.bin %> rotate status ss1-auth-20261201-101500 --json'];
  static override args = { id: Args.string({ description: 'rotation id' }) };

  protected async execute(): Promise<RotateOutput> {
    const r = rotationStatus(this.args.id);
    return { status: r.status, rotations: this.finish({ ...r, status: 'done' }).rotations };
  }
}
