import { Args, Flags } from '../../src/cli/oclif.js';
import { XrdCommand } from '../../src/cli/base.js';
import { contextViewProps } from '../../src/cli/context-schema.js';
import { S } from '../../src/cli/schema.js';
import { addContext, type ContextView } from '../../src/config/context-ops.js';

export default class ContextAdd extends XrdCommand<typeof ContextAdd, ContextView> {
  static override summary = 'Add a context: a named server profile (kind, URL, API key reference, TLS pin).';
  static override description =
    'The API key is given as a reference, never as the key itself: env:NAME (an environment variable), file:PATH (first line of a file, mode 0600) or prompt. ' +
    'Self-signed admin certificates are trusted by pinning their SHA-256 fingerprint (--tls-fingerprint); otherwise the system CAs (or --ca-file) verify the server.';
  static override examples = [
    '<%= config.bin %> context add ss1 --kind security --url https://ss1.example.org:4000 --api-key env:XRD_SS1_API_KEY --tls-fingerprint AB:CD:…',
  ];
  static override args = { name: Args.string({ required: true, description: 'context name' }) };
  static override flags = {
    kind: Flags.string({ required: true, options: ['central', 'security'], description: 'server kind' }),
    url: Flags.string({ required: true, description: 'admin API URL, e.g. https://ss1.example.org:4000 (/api/v1 is added when no path is given)' }),
    'api-key': Flags.string({ required: true, description: 'API key reference: env:NAME, file:PATH or prompt' }),
    'tls-fingerprint': Flags.string({ description: 'SHA-256 fingerprint of the server TLS certificate (pins it)' }),
    'ca-file': Flags.string({ description: 'PEM CA bundle to verify the server with' }),
    'central-context': Flags.string({ description: 'for a security server: the central server context used for approvals' }),
    'token-pin': Flags.string({ description: 'token PIN reference: env:NAME, file:PATH or prompt' }),
    use: Flags.boolean({ description: 'make it the current context' }),
    overwrite: Flags.boolean({ description: 'replace an existing context of that name' }),
  };
  static override resultSchema = S.obj(contextViewProps);

  protected async execute(): Promise<ContextView> {
    const f = this.flags;
    return addContext(
      {
        name: this.args.name,
        kind: f.kind as 'central' | 'security',
        url: f.url,
        apiKey: f['api-key'],
        tlsFingerprint: f['tls-fingerprint'],
        caFile: f['ca-file'],
        centralContext: f['central-context'],
        tokenPin: f['token-pin'],
      },
      { overwrite: f.overwrite, use: f.use },
    );
  }

  protected override render(r: ContextView): void {
    this.out.print(`context ${r.name} saved${r.current ? ' (current)' : ''}`);
  }
}
