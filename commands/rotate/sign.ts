import { RotationCommand, rotateFlags, type RotateOutput } from '../../src/cli/rotate-command.js';

export default class RotateSign extends RotationCommand<typeof RotateSign> {
  static override summary = 'Rotate a member’s sign certificate: new key, CA, import, activate, verify (OCSP GOOD), then retire the old one.';
  static override description =
    'Routine (xroad-flows §5.1): the old sign certificate is disabled only once the new one is active, REGISTERED and OCSP GOOD, because every management request is signed with it. ' +
    'When both are due, rotate sign before auth. The journal, resume and abort work as for rotate auth.';
  static override examples = [
    '<%= config.bin %> rotate sign -c ss1 --member DEV:GOV:1001 --adapter server-acme --ca "Sandbox CA"',
    '<%= config.bin %> rotate sign -f manifest.yaml --server ss1 --json',
  ];
  static override flags = rotateFlags;

  protected async execute(): Promise<RotateOutput> {
    return this.finish(await this.start('sign'));
  }
}
