import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { getContext, parseContexts } from '../../src/config/contexts.js';
import { ConfigError, ManifestError, XrdError } from '../../src/errors/index.js';
import { loadManifest } from '../../src/manifest/index.js';
import { repoRoot, tempConfigDir } from '../support/cli.js';
import { runInProcess } from '../support/inproc.js';
import { startMiniServer } from '../support/mini-server.js';

/**
 * Fuzzing, bounded in time: grammar-aware mutations of valid manifests and contexts files (values
 * replaced by hostile ones, keys added, removed and renamed, nesting deepened) plus random bytes.
 * Never an exception that is not ours, never an exit code outside 0–5, never a stack trace, never
 * a request for invalid input, never more than a memory bound.
 */
const work = mkdtempSync(join(tmpdir(), 'xrdctl-fuzz-'));
const TIME = Number(process.env.XRD_FUZZ_MS ?? 12_000);
const MEMORY_BOUND = 1024 * 1024 * 1024;
const totals: string[] = [];

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    'DEV:GOV:1001:BUDGET\u200b',
    'DEV:GOV:1001:\u202eTEGDUB',
    'DEV:GOV:1001:BUDG\u0415T',
    '..',
    '.',
    '%2e%2e',
    'a/b',
    'a\\b',
    'x;y',
    '\u001b]0;t\u0007',
    '${UNSET_VAR}',
    '${A}${B}',
    'toString',
    '__proto__',
    'constructor',
    '',
    ' ',
    '\u0000',
  ),
  fc.string({ maxLength: 5000 }).map((s) => s.repeat(1 + (s.length % 3))),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('v'), { maxKeys: 4 }),
  ),
})).v;

type Path = (string | number)[];
function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}
function setAt(root: unknown, p: Path, val: unknown, op: 'set' | 'delete' | 'addKey' | 'rename', key: string): unknown {
  if (!p.length) return op === 'set' ? val : root;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur: Record<string | number, unknown> = copy;
  for (const k of p.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = p[p.length - 1]!;
  if (op === 'set') cur[last] = val;
  else if (op === 'delete') {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else if (op === 'addKey' && cur[last] && typeof cur[last] === 'object' && !Array.isArray(cur[last])) (cur[last] as Record<string, unknown>)[key] = val;
  else if (op === 'rename' && !Array.isArray(cur)) {
    cur[key] = cur[last];
    delete cur[last];
  }
  return copy;
}
const mutation = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('set', 'set', 'delete', 'addKey', 'rename') as fc.Arbitrary<'set' | 'delete' | 'addKey' | 'rename'>,
  val: hostileValue,
  key: hostileString,
});
const mutate = (base: unknown, muts: { pick: number; op: 'set' | 'delete' | 'addKey' | 'rename'; val: unknown; key: string }[]) =>
  muts.reduce((doc, m) => {
    const ps = paths(doc);
    return setAt(doc, ps[m.pick % ps.length]!, m.val, m.op, m.key);
  }, base);

describe('fuzzing: manifests, contexts files, random bytes', () => {
  let srv: Awaited<ReturnType<typeof startMiniServer>>;
  let baseManifest: unknown;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    srv = await startMiniServer({ apiKey: 'fuzz-api-key-0000' });
    const { parse } = await import('yaml');
    baseManifest = parse(readFileSync(join(repoRoot, 'examples/small/manifest.yaml'), 'utf8'));
    for (const n of ['CS', 'SS1', 'SS2']) {
      env[`XRD_${n}_URL`] = srv.url;
      env[`XRD_${n}_TLS_FINGERPRINT`] = srv.fingerprint;
      env[`XRD_${n}_API_KEY`] = 'fuzz-api-key-0000';
      env[`XRD_${n}_PIN`] = '1234';
    }
  });
  afterAll(async () => {
    await srv?.close();
    console.log(totals.join('\n'));
  });

  const checkLoad = async (file: string) => {
    const t0 = Date.now();
    let r;
    try {
      r = await loadManifest([file], { env });
    } catch (e) {
      throw new Error(`loadManifest threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    }
    expect(Date.now() - t0).toBeLessThan(5_000);
    for (const e of r.errors) {
      expect(e).toBeInstanceOf(ManifestError);
      expect(e.oneLine().length).toBeLessThan(2_000);
    }
    expect(r.errors.length).toBeLessThan(200);
    expect(process.memoryUsage().rss).toBeLessThan(MEMORY_BOUND);
    return r;
  };

  it('grammar-aware manifest mutations: only ManifestErrors, bounded, and no request for an invalid manifest', async () => {
    let cases = 0;
    let invalid = 0;
    let planned = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (muts, asJson) => {
        cases++;
        const doc = mutate(baseManifest, muts);
        const file = join(work, `m${cases}.yaml`);
        let text: string;
        try {
          text = asJson ? JSON.stringify(doc) : stringify(doc);
        } catch {
          return;
        }
        writeFileSync(file, text ?? '');
        const r = await checkLoad(file);
        if (r.errors.length) invalid++;
        // every 8th invalid manifest goes through `plan`: exit 2, nothing sent
        if (r.errors.length && invalid % 8 === 1) {
          planned++;
          const before = srv.received.length;
          const p = await runInProcess(['plan', file], { ...env, XRDCTL_CONFIG_DIR: tempConfigDir() });
          expect(p.exitCode, p.stderr).toBe(2);
          expect(p.stderr).not.toMatch(/\n\s+at |internal error/);
          expect(srv.received.length).toBe(before);
        }
      }),
      { interruptAfterTimeLimit: TIME, numRuns: 100_000, seed: Number(process.env.XRD_FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    totals.push(`fuzz: ${cases} manifest mutations (${invalid} invalid, ${planned} run through plan: exit 2, 0 requests)`);
    expect(cases).toBeGreaterThan(20);
  }, 60_000);

  it('random bytes and random text as a manifest', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 4096 }),
          fc.string({ unit: 'binary', maxLength: 4096 }).map((s) => Buffer.from(s)),
        ),
        async (bytes) => {
          cases++;
          const file = join(work, `r${cases}.yaml`);
          writeFileSync(file, bytes);
          await checkLoad(file);
        },
      ),
      { interruptAfterTimeLimit: TIME / 2, numRuns: 100_000 },
    );
    totals.push(`fuzz: ${cases} random byte/text manifests`);
    expect(cases).toBeGreaterThan(20);
  }, 60_000);

  it('contexts files: mutations and random bytes give a ConfigError or a checked file; names of Object.prototype are never contexts', async () => {
    const base = {
      current: 'ss1',
      contexts: {
        ss1: { kind: 'security', url: 'https://127.0.0.1:4000/api/v1', apiKey: 'env:K', tlsFingerprint: 'AB:'.repeat(31) + 'AB' },
        cs: { kind: 'central', url: 'https://127.0.0.1:4001/api/v1', apiKey: 'file:/k' },
      },
    };
    let cases = 0;
    let accepted = 0;
    const names = fc.oneof(hostileString, fc.constantFrom('toString', 'constructor', '__proto__', 'hasOwnProperty', 'ss1', 'cs'));
    await fc.assert(
      fc.property(
        fc.oneof(
          fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => JSON.stringify(mutate(base, m))),
          fc.string({ unit: 'binary', maxLength: 2000 }),
        ),
        names,
        (text, name) => {
          cases++;
          let file;
          try {
            file = parseContexts(text, 'contexts.json');
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            return;
          }
          accepted++;
          expect(Object.getPrototypeOf(file.contexts)).toBe(null);
          try {
            const c = getContext(file, name);
            expect(Object.hasOwn(file.contexts, c.name)).toBe(true);
            expect(typeof c.url).toBe('string');
          } catch (e) {
            expect(e).toBeInstanceOf(XrdError);
          }
        },
      ),
      { interruptAfterTimeLimit: TIME / 2, numRuns: 100_000 },
    );
    totals.push(`fuzz: ${cases} contexts files (${accepted} accepted after checks)`);
    expect(cases).toBeGreaterThan(20);
  });

  it('the CLI on fuzzed contexts files: exit codes within 0–5, never a stack trace', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.constantFrom(['context', 'list'], ['context', 'show'], ['server', 'info', '-c', 'toString'], ['context', 'use', '__proto__']),
        async (text, args) => {
          cases++;
          const cfg = tempConfigDir();
          writeFileSync(join(cfg, 'contexts.json'), text, { mode: 0o600 });
          const r = await runInProcess([...args], { XRDCTL_CONFIG_DIR: cfg });
          expect(r.exitCode).toBeGreaterThanOrEqual(0);
          expect(r.exitCode).toBeLessThanOrEqual(5);
          expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
        },
      ),
      { interruptAfterTimeLimit: TIME / 3, numRuns: 100_000 },
    );
    totals.push(`fuzz: ${cases} CLI runs on fuzzed contexts files`);
  }, 60_000);
});
