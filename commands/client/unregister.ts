import { Args } from '@oclif/core';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, type ActionResult } from '../../src/cli/action-command.js';

export default class ClientUnregister extends XrdCommand<typeof ClientUnregister, ActionResult> {
  static override summary = 'Send a client deletion request to the central server (takes effect at once).';
  static override args = { id: Args.string({ required: true, description: 'client id INSTANCE:CLASS:CODE:SUBSYSTEM' }) };
  static override idInputs = { id: 'client' } as const;
  static override flags = {  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const api = await this.securityServer();
    await this.confirm(`unregister ${this.args.id} at the central server? Its services stop being reachable`);
    return act(api, 'unregister-client', this.args.id, { id: this.args.id });
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.server}: ${r.action} ${r.target}: done` : `${r.server}: ${r.action} ${r.target}: nothing to do`);
  }
}
