import { RotationCommand, rotateFlags, type RotateOutput } from '../../src/cli/rotate-command.js';

export default class RotateAuth extends RotationCommand<typeof RotateAuth> {
  static override summary =
    'Rotate the auth certificate of a security server: new key, CA, import, register, approve, activate, verify, then retire the old one.';
  static override description =
    'Routine (xroad-flows §5.2): the old certificate is disabled and unregistered only after the new one is REGISTERED, active, OCSP GOOD and peers had --propagation seconds to fetch global configuration. ' +
    'A journal under the state folder records every step: xrdctl rotate resume ID continues after a crash, a CA that takes a day or an approval; xrdctl rotate abort ID undoes what can be undone. ' +
    'Exit codes: 0 done, 4 waiting (the CA, an approval, a grace period), 5 refused for safety, 1 failed, 2 bad input.';
  static override examples = [
    '<%= config.bin %> rotate auth -c ss1 --adapter server-acme --ca "Sandbox CA" --yes',
    '<%= config.bin %> rotate auth -f manifest.yaml --all --yes --json',
    '<%= config.bin %> rotate auth -c ss1 --emergency --adapter command --command "openssl ca -batch -config ca.cnf -in {csr} -out {cert}" --revoke-command "openssl ca -config ca.cnf -revoke newcerts/{serialHex}.pem" --yes',
  ];
  static override flags = rotateFlags;

  protected async execute(): Promise<RotateOutput> {
    return this.finish(await this.start('auth'));
  }
}
