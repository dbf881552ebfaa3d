import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import { manifestSchema } from '../../src/manifest/schema.js';
import { repoRoot, runCli } from '../support/cli.js';

const bad = (f: string) => `test/fixtures/manifests/bad/${f}`;

async function errorsOf(files: string[], env: Record<string, string> = {}) {
  const r = await loadManifest(files, { env, cwd: repoRoot });
  return r.errors.map((e) => e.oneLine());
}

describe('manifest loading: every problem at file:line:col, no stack trace', () => {
  const cases: [string, RegExp[]][] = [
    [
      'unknown-key.yaml',
      [/^test\/fixtures\/manifests\/bad\/unknown-key\.yaml:10:9 securityServers\[0\]\.clients\[0\]\.serviceDescriptoins: unknown key 'serviceDescriptoins'$/],
    ],
    [
      'wrong-types.yaml',
      [
        /wrong-types\.yaml:8:18 securityServers\[0\]\.token\.id: must be a string, not number 123$/,
        /wrong-types\.yaml:9:14 securityServers\[0\]\.clients: must be a list, not a string$/,
      ],
    ],
    ['inline-secret.yaml', [/inline-secret\.yaml:5:11 centralServer\.apiKey: a secret written inline; secrets are only referenced$/]],
    [
      'duplicates.yaml',
      [
        /duplicates\.yaml:10:13 securityServers\[0\]\.clients\[1\]\.id: client DEV:GOV:1001:A is declared twice on ss1$/,
        /duplicates\.yaml:11:11 securityServers\[1\]\.name: server name ss1 is used twice/,
      ],
    ],
    [
      'dangling.yaml',
      [
        /dangling\.yaml:18:43 .*accessRights\[0\]: local group nobody is not declared/,
        /dangling\.yaml:18:59 .*accessRights\[1\]: DEV:GOV:1002 is a member/,
        /dangling\.yaml:10:21 securityServers\[0\]\.certificates\.sign\[0\]\.member: sign certificate for DEV:COM:9999/,
      ],
    ],
    ['malformed.yaml', [/malformed\.yaml:6:1: YAML: /]],
    ['duplicate-key.yaml', [/duplicate-key\.yaml:3:1: YAML: Map keys must be unique/]],
    ['wrong-instance.yaml', [/wrong-instance\.yaml:7:9 securityServers\[0\]\.id: server id EE:GOV:1001:SS1 is not of instance DEV/]],
    ['undefined-var.yaml', [/undefined-var\.yaml:5:10 securityServers\[0\]\.url: \$\{XRD_NOT_SET_ANYWHERE\} is not set in the environment/]],
    ['not-a-mapping.yaml', [/not-a-mapping\.yaml:1:1: a manifest is a mapping/]],
    ['empty.yaml', [/empty\.yaml:1:1: empty manifest file/]],
    ['binary.yaml', [/binary\.yaml:1:1: binary data, not YAML/]],
    ['alias-bomb.yaml', [/alias-bomb\.yaml:1:1: YAML: Excessive alias count/]],
    [
      'config-signing.yaml',
      [
        /config-signing\.yaml:7:\d+ centralServer\.configurationSigning\.internal\.renewAfterDays: /,
        /config-signing\.yaml:8:5 centralServer\.configurationSigning\.intrenal: unknown key 'intrenal'$/,
      ],
    ],
  ];
  for (const [file, expected] of cases) {
    it(file, async () => {
      const errs = await errorsOf([bad(file)]);
      expect(errs).toHaveLength(expected.length);
      for (const re of expected)
        expect(
          errs.some((e) => re.test(e)),
          `${re} in\n${errs.join('\n')}`,
        ).toBe(true);
    });
  }

  it('an inline secret is never echoed', async () => {
    const errs = await errorsOf([bad('inline-secret.yaml')]);
    expect(errs.join('\n')).not.toContain('very-secret');
  });

  it('a number where an id string belongs gets a quote-it hint with the source text', async () => {
    const r = await loadManifest([bad('wrong-types.yaml')], { cwd: repoRoot });
    expect(r.errors[0]!.hint).toBe("quote it: '0123' (YAML reads 0123 as a number and drops the leading zero)");
  });

  it('did-you-mean for unknown keys', async () => {
    const r = await loadManifest([bad('unknown-key.yaml')], { cwd: repoRoot });
    expect(r.errors[0]!.hint).toBe("did you mean 'serviceDescriptions'?");
  });

  it('a folder of files is one manifest; ${VAR} expands only where allowed; a second central server is an error naming both', async () => {
    const r = await loadManifest(['test/fixtures/manifests/good/split'], { env: { SS1_HOST: 'ss1.example.org' }, cwd: repoRoot });
    expect(r.errors).toEqual([]);
    expect(r.files.map((f) => f.split('/').pop())).toEqual(['10-central.yaml', '20-ss1.yaml', '30-ss2.yml']);
    expect(r.manifest!.servers.map((s) => `${s.name} ${s.conn.url}`)).toEqual(['ss1 https://ss1.example.org:4000', 'ss2 https://ss2.example.org:4000']);
    expect(r.manifest!.central!.members).toHaveLength(1);
    const two = await errorsOf(['test/fixtures/manifests/good/split', bad('second-central.yaml')], { SS1_HOST: 'x' });
    expect(two).toEqual([
      expect.stringMatching(
        /second-central\.yaml:4:3 centralServer: a second centralServer \(the first is in test\/fixtures\/manifests\/good\/split\/10-central\.yaml:4\)/,
      ),
    ]);
  });

  it('missing paths and directories-with-nothing are errors too', async () => {
    expect(await errorsOf(['test/fixtures/manifests/nope.yaml'])).toEqual(['test/fixtures/manifests/nope.yaml: cannot read: ENOENT']);
    expect(await errorsOf(['test/fixtures/manifests'])).toEqual(['test/fixtures/manifests: folder holds no .yaml or .yml file']);
  });

  it('the example manifests validate', async () => {
    const env = Object.fromEntries(
      ['CS', 'SS1', 'SS2'].flatMap((n) => [
        [`XRD_${n}_URL`, `https://127.0.0.1:4000`],
        [`XRD_${n}_TLS_FINGERPRINT`, 'AB:'.repeat(31) + 'AB'],
      ]),
    );
    expect(await errorsOf(['examples/small/manifest.yaml'], env)).toEqual([]);
  });

  it('schema/manifest.schema.json is the current schema (npm run build && npm run schema)', () => {
    const committed = JSON.parse(readFileSync(join(repoRoot, 'schema/manifest.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(manifestSchema)));
  });

  it('xrdctl validate: all errors of all files in one run, exit 2, no request, no stack trace', async () => {
    const r = await runCli(['validate', bad('dangling.yaml'), bad('unknown-key.yaml'), '--json'], { cwd: repoRoot });
    expect(r.exitCode).toBe(2);
    const doc = r.json();
    expect(doc.error.code).toBe('manifest');
    // one pass: the schema problem of unknown-key.yaml does not hide its clash with dangling.yaml (both declare ss1)
    expect(doc.error.errors).toHaveLength(6);
    expect(doc.error.errors[0]).toMatchObject({ file: bad('dangling.yaml'), line: 10, col: 21 });
    expect(doc.error.errors[3].message).toMatch(/server name ss1 is used twice/);
    expect(doc.error.errors[5]).toMatchObject({ file: bad('unknown-key.yaml'), line: 10, col: 9 });
    const human = await runCli(['validate', bad('duplicates.yaml')], { cwd: repoRoot });
    expect(human.exitCode).toBe(2);
    expect(human.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(2);
    expect(human.stderr).not.toMatch(/\n\s+at /);
    const ok = await runCli(['validate', 'test/fixtures/manifests/good/split', '--json'], { cwd: repoRoot, env: { SS1_HOST: 'h.example.org' } });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ valid: true, securityServers: 2, clients: 1 });
  });
});
