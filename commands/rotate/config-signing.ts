import { RotationCommand, configSigningFlags, type RotateOutput } from '../../src/cli/rotate-command.js';

export default class RotateConfigSigning extends RotationCommand<typeof RotateConfigSigning> {
  static override summary = 'Change the central server’s configuration signing key without leaving a security server unable to verify global configuration.';
  static override description =
    'Regular (UG-CS §5.4): a new key on the central server token; activated only once every security server of the manifest downloaded a configuration listing its verification certificate; ' +
    'every server seen verifying the configuration it signs; then the old key is deleted after --keep-old. ' +
    '--emergency (a compromised key): the new key signs at once, the re-created internal anchor is pushed to every server in parallel and checked by its diagnostics, the old key is deleted and the anchor re-created and pushed again without it, ' +
    'and a server that could not be reached is reported with the anchor file to import and the resume command. The old key is never deleted while a reachable server trusts only it. ' +
    'The journal, rotate status|resume|abort and the exit codes are those of rotate auth: 0 done, 4 waiting (distribution, grace period, unreachable servers), 5 refused for safety, 3 a key without the role, 1 failed, 2 bad input.';
  static override examples = [
    '<%= config.bin %> rotate config-signing -f manifest.yaml --yes',
    '<%= config.bin %> rotate config-signing -f manifest.yaml --emergency --yes --json',
    '<%= config.bin %> rotate config-signing -f manifest.yaml --source external --keep-old 7d --yes',
  ];
  static override flags = configSigningFlags;

  protected async execute(): Promise<RotateOutput> {
    return this.finish(await this.configSigning());
  }
}
