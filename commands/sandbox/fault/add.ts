import { Flags } from '../../../src/cli/oclif.js';
import { XrdCommand } from '../../../src/cli/base.js';
import { dirFlag } from '../../../src/cli/sandbox-flags.js';
import { S } from '../../../src/cli/schema.js';
import { UsageError } from '../../../src/errors/index.js';
import { CORRUPTIONS, type Corruption } from '../../../src/sandbox/http.js';
import { SandboxControl } from '../../../src/sandboxctl/control.js';

type Result = { id: string };

export default class SandboxFaultAdd extends XrdCommand<typeof SandboxFaultAdd, Result> {
  static override summary = 'Inject a fault into a running sandbox: an error status, latency, a reset connection, a hang or a mangled answer.';
  static override examples = [
    '<%= config.bin %> sandbox fault add --server ss1 --operation registerCertificate --status 500 --code management_request_sending_failed --times 1',
    "<%= config.bin %> sandbox fault add --server '*' --operation '*' --latency 20",
    "<%= config.bin %> sandbox fault add --server ss1 --operation 'PUT /tokens/{id}/login' --reset --probability 0.3 --seed 7",
    '<%= config.bin %> sandbox fault add --server ss1 --operation getTokens --corrupt html-200 --times 1',
  ];
  static override flags = {
    dir: dirFlag,
    server: Flags.string({ required: true, description: "server name (cs, ss1, …) or '*'" }),
    operation: Flags.string({ required: true, description: "operationId, 'METHOD /path/template', or '*'" }),
    status: Flags.integer({ description: 'answer with this HTTP status and an X-Road error body' }),
    code: Flags.string({ description: 'error code in that body' }),
    latency: Flags.integer({ description: 'added latency in ms' }),
    reset: Flags.boolean({ description: 'reset the connection without an answer' }),
    hang: Flags.boolean({ description: 'never answer' }),
    corrupt: Flags.string({
      options: [...CORRUPTIONS],
      description: 'run the operation, then mangle its answer: half a body, invalid JSON, an HTML 200, or JSON of the wrong shape',
    }),
    times: Flags.integer({ description: 'only the next N matching calls' }),
    probability: Flags.string({ description: 'apply with this probability (0..1)' }),
    seed: Flags.integer({ description: 'seed for a reproducible --probability sequence' }),
  };
  static override resultSchema = S.obj({ id: S.str() });

  protected async execute(): Promise<Result> {
    const f = this.flags;
    if (f.status === undefined && f.latency === undefined && !f.reset && !f.hang && !f.corrupt) {
      throw new UsageError('a fault needs one of --status, --latency, --reset, --hang, --corrupt');
    }
    const probability = f.probability === undefined ? undefined : Number(f.probability);
    if (probability !== undefined && !(probability >= 0 && probability <= 1)) throw new UsageError('--probability must be a number from 0 to 1');
    const ctl = SandboxControl.open(f.dir);
    this.onClose(() => ctl.close());
    return ctl.addFault({
      server: f.server,
      operation: f.operation,
      status: f.status,
      code: f.code,
      latencyMs: f.latency,
      reset: f.reset || undefined,
      hang: f.hang || undefined,
      corrupt: f.corrupt as Corruption | undefined,
      times: f.times,
      probability,
      seed: f.seed,
    });
  }

  protected override render(r: Result): void {
    this.out.print(`fault ${r.id} added`);
  }
}
