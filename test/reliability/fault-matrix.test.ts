import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContext } from '../../src/config/context-ops.js';
import type { FaultSpec } from '../../src/sandbox/index.js';
import { repoRoot } from '../support/cli.js';
import { startHostileServer, type Corruption } from '../support/hostile-server.js';
import { runInProcess } from '../support/inproc.js';
import { manifestEnv } from '../support/manifest-env.js';
import { sandboxWithContexts, type SandboxEnv } from '../support/sandbox.js';
import { SecretScan } from '../support/secret-scan.js';

/**
 * Every operation the certificate lifecycle, the imperative commands, `server info` and `cert
 * expiry` call × every fault kind: the sandbox's own (500 with an X-Road error, 409, 401, 403, a
 * timeout, a reset, a slow answer) and a hostile proxy's (a truncated body, invalid JSON, an HTML
 * 200, a body that breaks the schema). Each cell: the documented exit code, one error line naming
 * the server and the step, then the fault is lifted and a rerun succeeds. Runs in-process (the
 * built CLI, no node start per run); the whole matrix takes well under two minutes.
 */
type Fault =
  | { kind: string; via: 'sandbox'; spec: Omit<FaultSpec, 'server' | 'operation'>; exit: number }
  | { kind: string; via: 'hostile'; corruption: Corruption; exit: number };

const FAULTS: Fault[] = [
  { kind: '500', via: 'sandbox', spec: { status: 500, code: 'internal_error', metadata: ['boom'] }, exit: 1 },
  { kind: '409', via: 'sandbox', spec: { status: 409, code: 'conflict' }, exit: 1 },
  { kind: '401', via: 'sandbox', spec: { status: 401, code: 'unauthorized' }, exit: 3 },
  { kind: '403', via: 'sandbox', spec: { status: 403, code: 'forbidden' }, exit: 3 },
  { kind: 'timeout', via: 'sandbox', spec: { hang: true }, exit: 1 },
  { kind: 'reset', via: 'sandbox', spec: { reset: true }, exit: 1 },
  { kind: 'slow', via: 'sandbox', spec: { latencyMs: 150 }, exit: 0 },
  { kind: 'truncated', via: 'hostile', corruption: 'truncated', exit: 1 },
  { kind: 'invalid-json', via: 'hostile', corruption: 'invalid-json', exit: 1 },
  { kind: 'html-200', via: 'hostile', corruption: 'html-200', exit: 1 },
  { kind: 'schema', via: 'hostile', corruption: 'schema', exit: 1 },
];

const C = 'DEV:GOV:1001:BUDGET';
interface Op {
  name: string;
  /** the sandbox operationId and the request path (for the hostile proxy) of the faulted call */
  op: string;
  method: string;
  path: RegExp;
  step: string;
  server: 'ss1' | 'cs';
  args: (i: number) => string[];
  /** set the stage before a cell (fault-free) */
  before?: 'logout' | 'login';
  /** documented exceptions: fault kind → exit code */
  expect?: Record<string, number>;
  /** a monitoring command (health convention): a server that cannot be read is an UNKNOWN row (exit 3) for that server, not an error line */
  monitoring?: boolean;
}

const OPS: Op[] = [
  {
    name: 'server info',
    op: 'systemVersion',
    method: 'GET',
    path: /^\/api\/v1\/system\/version$/,
    step: 'get-version',
    server: 'ss1',
    args: () => ['server', 'info'],
  },
  {
    name: 'server info',
    op: 'getInitializationStatus',
    method: 'GET',
    path: /^\/api\/v1\/initialization\/status$/,
    step: 'get-initialization-status',
    server: 'ss1',
    args: () => ['server', 'info'],
  },
  {
    name: 'server info (cs)',
    op: 'getSystemStatus',
    method: 'GET',
    path: /^\/api\/v1\/system\/status$/,
    step: 'get-system-status',
    server: 'cs',
    args: () => ['server', 'info'],
  },
  { name: 'token list', op: 'getTokens', method: 'GET', path: /^\/api\/v1\/tokens$/, step: 'list-tokens', server: 'ss1', args: () => ['token', 'list'] },
  { name: 'cert list', op: 'getTokens', method: 'GET', path: /^\/api\/v1\/tokens$/, step: 'list-tokens', server: 'ss1', args: () => ['cert', 'list'] },
  {
    name: 'cert expiry',
    op: 'getTokens',
    method: 'GET',
    path: /^\/api\/v1\/tokens$/,
    step: 'list-tokens',
    server: 'ss1',
    args: () => ['cert', 'expiry'],
    monitoring: true,
  },
  { name: 'key list', op: 'getTokens', method: 'GET', path: /^\/api\/v1\/tokens$/, step: 'list-tokens', server: 'ss1', args: () => ['key', 'list'] },
  {
    name: 'client list',
    op: 'findClients',
    method: 'GET',
    path: /^\/api\/v1\/clients(\?|$)/,
    step: 'list-clients',
    server: 'ss1',
    args: () => ['client', 'list'],
  },
  {
    name: 'service list',
    op: 'getClientServiceDescriptions',
    method: 'GET',
    path: /\/service-descriptions$/,
    step: 'list-service-descriptions',
    server: 'ss1',
    args: () => ['service', 'list', '--client', C],
  },
  {
    name: 'group list',
    op: 'getClientLocalGroups',
    method: 'GET',
    path: /\/local-groups$/,
    step: 'list-local-groups',
    server: 'ss1',
    args: () => ['group', 'list', '--client', C],
  },
  {
    name: 'access list',
    op: 'getClientServiceClients',
    method: 'GET',
    path: /\/service-clients$/,
    step: 'list-service-clients',
    server: 'ss1',
    args: () => ['access', 'list', '--client', C],
  },
  {
    name: 'cs request list',
    op: 'findManagementRequests',
    method: 'GET',
    path: /^\/api\/v1\/management-requests/,
    step: 'list-management-requests',
    server: 'cs',
    args: () => ['cs', 'request', 'list'],
  },
  {
    name: 'token login',
    op: 'loginToken',
    method: 'PUT',
    path: /\/tokens\/0\/login$/,
    step: 'token-login',
    server: 'ss1',
    args: () => ['token', 'login'],
    before: 'logout',
  },
  {
    name: 'key create',
    op: 'addKey',
    method: 'POST',
    path: /\/tokens\/0\/keys$/,
    step: 'create-key',
    server: 'ss1',
    args: (i) => ['key', 'create', '--label', `fm-${i}`],
    before: 'login',
  },
  {
    name: 'csr create',
    op: 'addKeyAndCsr',
    method: 'POST',
    path: /\/keys-with-csrs$/,
    step: 'create-key-and-csr',
    server: 'ss1',
    args: () => ['csr', 'create', '--usage', 'sign', '--member', 'DEV:GOV:1001', '--ca', 'Sandbox CA'],
    before: 'login',
  },
  {
    name: 'client add',
    op: 'addClient',
    method: 'POST',
    path: /^\/api\/v1\/clients$/,
    step: 'add-client',
    server: 'ss1',
    args: (i) => ['client', 'add', `DEV:GOV:1001:FM${i}`],
  },
  {
    name: 'group add',
    op: 'addClientLocalGroup',
    method: 'POST',
    path: /\/local-groups$/,
    step: 'add-local-group',
    server: 'ss1',
    args: (i) => ['group', 'add', '--client', C, '--code', `fm${i}`, '--description', 'fault matrix'],
  },
  {
    name: 'cs member add',
    op: 'addMember',
    method: 'POST',
    path: /^\/api\/v1\/members$/,
    step: 'add-member',
    server: 'cs',
    args: (i) => ['cs', 'member', 'add', `DEV:COM:9${String(i).padStart(3, '0')}`, '--name', 'Fault Matrix Ltd'],
    // a 409 is read as "the member exists" only once the central server lists it (src/engine/kinds/central.ts): the
    // fault's 409 adds nothing, so the add fails at its step (exit 1), and a rerun converges
  },
];

describe('fault matrix: every operation × every fault kind', () => {
  let E: SandboxEnv;
  const hostile: Awaited<ReturnType<typeof startHostileServer>>[] = [];
  let rule: { path: RegExp; method: string; corruption: Corruption } | undefined;
  // a short per-request timeout where the fault is a hang; otherwise room for key generation on a busy machine
  const env = (kind?: string) => ({ XRDCTL_CONFIG_DIR: E.configDir, XRDCTL_TIMEOUT: kind === 'timeout' ? '0.3' : '20' });

  beforeAll(async () => {
    E = await sandboxWithContexts({ securityServers: 2, gcIntervalMs: 200 });
    const r = await E.run(['apply', join(repoRoot, 'examples/small/manifest.yaml'), '--yes'], { env: manifestEnv(E.sb) });
    expect(r.exitCode, r.stderr).toBe(0);
    for (const s of [E.sb.cs, E.sb.ss[0]!]) {
      const h = await startHostileServer({
        upstream: { url: s.url, fingerprint: s.fingerprint },
        rule: (q) => (rule && q.method === rule.method && rule.path.test(q.url.split('?')[0]!) ? rule.corruption : undefined),
      });
      hostile.push(h);
      const key = join(E.work, `h-${s.name}.key`);
      writeFileSync(key, s.apiKeys.admin!, { mode: 0o600 });
      const pin = s.tokenPin ? join(E.work, `h-${s.name}.pin`) : undefined;
      if (pin) writeFileSync(pin, s.tokenPin!, { mode: 0o600 });
      await addContext(
        {
          name: `h${s.name}`,
          kind: s.name === 'cs' ? 'central' : 'security',
          url: h.url,
          apiKey: `file:${key}`,
          tlsFingerprint: h.fingerprint,
          tokenPin: pin ? `file:${pin}` : undefined,
        },
        { env: { XRDCTL_CONFIG_DIR: E.configDir } },
      );
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all(hostile.map((h) => h.close()));
    await E?.stop();
  });

  it('documented exit code, one line naming server and step, a rerun that converges; no secret in any output', async () => {
    const scan = new SecretScan(E.secrets);
    const table = new Map<string, Map<string, string>>();
    const failures: string[] = [];
    let cells = 0;
    let i = 0;
    const t0 = Date.now();
    // XRD_MATRIX_ONLY='csr create' runs the rows of one command (while working on it)
    const only = process.env.XRD_MATRIX_ONLY;
    for (const op of OPS.filter((o) => !only || o.name === only)) {
      const row = new Map<string, string>();
      table.set(`${op.name} ${op.step}`, row);
      for (const f of FAULTS) {
        i++;
        cells++;
        const direct = op.server;
        const ctx = f.via === 'hostile' ? `h${direct}` : direct;
        if (op.before) {
          const b = await runInProcess(['token', op.before, '-c', 'ss1', '--yes'], env());
          if (b.exitCode !== 0) throw new Error(`before ${op.before}: ${b.stderr}`);
        }
        if (f.via === 'sandbox') E.sb.faults.add({ server: direct, operation: op.op, ...f.spec });
        else rule = { path: op.path, method: op.method, corruption: f.corruption };
        const args = [...op.args(i), '-c', ctx];
        let got;
        try {
          got = await runInProcess(args, env(f.kind));
        } finally {
          E.sb.faults.clear();
          rule = undefined;
        }
        scan.text(`${args.join(' ')} stdout`, got.stdout).text(`${args.join(' ')} stderr`, got.stderr);
        const problems: string[] = [];
        const want = op.expect?.[f.kind] ?? (op.monitoring && f.exit !== 0 ? 3 : f.exit);
        if (got.exitCode !== want) problems.push(`exit ${got.exitCode}, expected ${want}`);
        if (want !== 0 && op.monitoring) {
          if (!new RegExp(`^${ctx}\\b.*UNKNOWN`, 'm').test(got.stdout)) problems.push(`no UNKNOWN row for ${ctx}: ${got.stdout.split('\n')[0]}`);
        } else if (want !== 0) {
          const lines = got.stderr.split('\n').filter((l) => l.startsWith('error:'));
          if (lines.length !== 1) problems.push(`${lines.length} error lines`);
          else if (!lines[0]!.startsWith(`error: ${ctx} step ${op.step}: `)) problems.push(`error line does not name ${ctx} and step ${op.step}: ${lines[0]}`);
        }
        if (/\n\s+at |internal error|is not a function|Cannot read prop/.test(got.stderr)) problems.push('stack trace or internal error');
        // the fault is gone: the same command again succeeds (writes converge: the thing exists, once)
        const rerun = await runInProcess(args, env());
        scan.text(`${args.join(' ')} rerun`, rerun.stdout + rerun.stderr);
        if (rerun.exitCode !== 0)
          problems.push(
            `rerun exit ${rerun.exitCode}: ${rerun.stderr
              .split('\n')
              .filter((l) => l.startsWith('error:'))
              .join(' | ')}`,
          );
        row.set(f.kind, problems.length ? `✗ ${got.exitCode}` : `✓ ${got.exitCode}`);
        if (problems.length) failures.push(`${op.name} (${op.step}) × ${f.kind}: ${problems.join('; ')}`);
      }
    }
    const kinds = FAULTS.map((f) => f.kind);
    const w = Math.max(...[...table.keys()].map((k) => k.length));
    const lines = [`${'operation'.padEnd(w)}  ${kinds.map((k) => k.padEnd(12)).join('')}`];
    for (const [name, row] of table) lines.push(`${name.padEnd(w)}  ${kinds.map((k) => (row.get(k) ?? '').padEnd(12)).join('')}`);
    const passed = cells - failures.length;
    lines.push(
      `fault matrix: ${table.size} operations × ${FAULTS.length} fault kinds = ${cells} cells, ${passed} as documented, ${failures.length} not; ${cells * 2} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s; secrets scanned: ${E.secrets.length} in ${scan.scanned.texts} outputs (${scan.scanned.bytes} bytes), leaks: ${scan.findings.length}`,
    );
    console.log(lines.join('\n'));
    expect(failures).toEqual([]);
    expect(scan.findings).toEqual([]);
    // and the CLI left no secret in the files it wrote (contexts, state)
    const files = new SecretScan(E.secrets).dir(E.configDir);
    expect(files.findings).toEqual([]);
  }, 240_000);
});
