import { Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { dirFlag, spareKeysFlag } from '../../src/cli/sandbox-flags.js';
import { S, item } from '../../src/cli/schema.js';
import { sandboxDir } from '../../src/sandboxctl/index.js';
import { startSandboxCli, type StartResult as Result } from '../../src/sandboxctl/control.js';
import { renderSandboxStarted } from '../../src/output/views.js';

export default class SandboxStart extends XrdCommand<typeof SandboxStart, Result> {
  static override summary = 'Start the sandbox: a simulated Central Server and N Security Servers on 127.0.0.1 speaking the real admin APIs.';
  static override ownSignals = true; // Ctrl-C ends a read-only watch (or the foreground sandbox) at once
  static override description =
    'Each server gets its own HTTPS listener with a self-signed admin certificate (pinned by fingerprint), real API keys with X-Road roles, real keys, CSRs, a CA and OCSP, and the management-request flow. ' +
    'State persists in --dir. API keys are written to a 0600 file (and printed only with --show-keys).';
  static override examples = [
    '<%= config.bin %> sandbox start --detach --security-servers 2 --write-contexts',
    '<%= config.bin %> sandbox start --preset initialized',
  ];
  static override flags = {
    dir: dirFlag,
    'security-servers': Flags.integer({ default: 1, min: 1, max: 100, description: 'number of security servers' }),
    preset: Flags.string({
      options: ['blank', 'empty', 'initialized'],
      default: 'initialized',
      description:
        'blank: the Central Server uninitialised too (no member classes or members); empty: CS initialised, security servers not; initialized: anchor and owner set, token logged out, no keys',
    }),
    'strict-spec': Flags.boolean({
      description: "answer exactly the OpenAPI spec's statuses instead of the real X-Road 7.8 server's (docs/sandbox.md lists where they differ)",
    }),
    'gc-interval': Flags.integer({ description: 'global configuration distribution interval in ms (sandbox default 3000; real X-Road ~60000-150000)' }),
    'cert-validity-days': Flags.integer({ description: 'validity of certificates the sandbox CA issues' }),
    'no-rate-limit': Flags.boolean({ description: 'turn off the 20 req/s, 600/min per-client limit (benchmarks)' }),
    'spare-keys': spareKeysFlag,
    detach: Flags.boolean({ char: 'd', description: 'run in the background; stop with xrdctl sandbox stop' }),
    'write-contexts': Flags.boolean({ description: 'write xrdctl contexts sandbox-cs, sandbox-ss1, … (keys in 0600 files)' }),
    'show-keys': Flags.boolean({ description: 'include the admin API keys in the output' }),
  };
  static override resultSchema = S.obj({
    dir: S.str(),
    pid: S.int(),
    detached: S.bool(),
    cs: item({ name: S.str(), url: S.str(), fingerprint: S.str() }),
    ss: S.arr(item({ name: S.str(), url: S.str(), fingerprint: S.str(), serverId: S.nullable(S.str()) })),
    contexts: S.arr(S.str()),
    apiKeys: S.nullable({ type: 'object', additionalProperties: { type: 'string' } }),
  });

  protected async execute(): Promise<Result> {
    const f = this.flags;
    const dir = sandboxDir(f.dir);
    const opts = {
      dir,
      securityServers: f['security-servers'],
      preset: f.preset as 'blank' | 'empty' | 'initialized',
      strictSpec: f['strict-spec'],
      gcIntervalMs: f['gc-interval'],
      certValidityDays: f['cert-validity-days'],
      rateLimit: !f['no-rate-limit'],
      spareKeys: f['spare-keys'],
    };
    const show = { writeContexts: f['write-contexts'], showKeys: f['show-keys'] };
    if (f.detach) this.out.info(`starting the sandbox in ${dir} …`);
    const { result, exitCode } = await startSandboxCli(opts, { detach: f.detach, ...show }, (r) => {
      this.render(r);
      this.out.info('sandbox running; Ctrl-C stops it');
    });
    if (exitCode) process.exitCode = exitCode;
    return result;
  }

  private rendered = false;
  protected override render(r: Result): void {
    if (this.rendered) return;
    this.rendered = true;
    renderSandboxStarted(this.out, r);
  }
}
