import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { S } from '../../src/cli/schema.js';

type Result = { server: string; tokenId: string; keyId: string; label: string };

export default class KeyCreate extends XrdCommand<typeof KeyCreate, Result> {
  static override summary = 'Create a key on a token (its usage is set by its first CSR).';
  static override examples = [
    '<%= config.bin %> key create -c ss1 --label auth-2027',
    '<%= config.bin %> key create -c ss1 --token 0 --label sign-2027 --json',
  ];
  static override flags = {
    token: Flags.string({ default: '0', description: 'token id' }),
    label: Flags.string({ required: true, description: 'key label' }),
  };
  static override resultSchema = S.obj({ server: S.str(), tokenId: S.str(), keyId: S.str(), label: S.str() });

  protected async execute(): Promise<Result> {
    const api = await this.securityServer();
    const k = await api.addKey(this.flags.token, this.flags.label);
    return { server: api.server, tokenId: this.flags.token, keyId: k.id, label: k.label };
  }

  protected override render(r: Result): void {
    this.out.print(`key ${r.keyId} (${r.label}) created on token ${r.tokenId}`);
  }
}
