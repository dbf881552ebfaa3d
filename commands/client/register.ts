import { Args, Flags } from '../../src/cli/oclif.js';
import type { CentralServerApi } from '../../src/api/central-server.js';
import { XrdCommand } from '../../src/cli/base.js';
import { act, actionResultSchema, type ActionResult } from '../../src/cli/action-command.js';
import { UsageError } from '../../src/errors/index.js';

export default class ClientRegister extends XrdCommand<typeof ClientRegister, ActionResult> {
  static override summary = 'Register a client at the central server; optionally approve it there and wait until it is REGISTERED.';
  static override examples = [
    '<%= config.bin %> client register -c ss1 DEV:GOV:1001:REPORTS',
    '<%= config.bin %> client register -c ss1 DEV:GOV:1001:REPORTS --approve --cs-context cs',
  ];
  static override args = { id: Args.string({ required: true, description: 'client id INSTANCE:CLASS:CODE:SUBSYSTEM' }) };
  static override idInputs = { id: 'client' } as const;
  static override flags = {
    approve: Flags.boolean({ description: 'approve the registration request at the central server and wait for REGISTERED' }),
    'cs-context': Flags.string({ description: "central server context (default: the context's centralContext)" }),
    timeout: Flags.integer({ default: 300, min: 1, max: 86400, description: 'seconds to wait for REGISTERED' }),
  };
  static override resultSchema = actionResultSchema;

  protected async execute(): Promise<ActionResult> {
    const ctx = this.context();
    const api = await this.securityServer(ctx);
    let cs: CentralServerApi | undefined;
    if (this.flags.approve) {
      const name = this.flags['cs-context'] ?? ctx.centralContext;
      if (!name) throw new UsageError('--approve needs a central server context', { hint: 'pass --cs-context NAME' });
      cs = await this.centralServer(this.context(name));
    }
    const serverId = (await api.getCurrentSecurityServer())[0]?.id ?? '';
    const o = { cs, approve: !!cs, serverId, timeoutMs: this.flags.timeout * 1000, progress: (m: string) => this.out.info(m) };
    const r = await act(api, 'register-client', this.args.id, { id: this.args.id }, o);
    const waited = cs ? await act(api, 'wait-clients-registered', this.args.id, { ids: [this.args.id] }, o) : undefined;
    return { ...r, changed: r.changed || !!waited?.changed };
  }

  protected override render(r: ActionResult): void {
    this.out.print(r.changed ? `${r.target}: registration sent${this.flags.approve ? ', approved, REGISTERED' : ''}` : `${r.target}: already registered`);
  }
}
