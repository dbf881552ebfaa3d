import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { runInProcess } from '../support/inproc.js';

/** `xrdctl validate` (issue 12, problem 5): one pass, hints in human output too, offline without any variable. */
const dir = mkdtempSync(join(tmpdir(), 'xrdctl-validate-'));
const noXrdEnv = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith('XRD_'))
    .map((k) => [k, undefined]),
);
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

// three kinds of problem in one file: schema (an unknown key, a wrong type) and semantics (declared twice, a missing restServiceCode)
const broken = write(
  'broken.yaml',
  `apiVersion: xrdctl/v1
instance: DEV
centralServer:
  url: \${XRD_CS_URL}
  apiKey: { env: XRD_CS_API_KEY }
  members:
    - { id: "DEV:GOV:1001", name: A }
    - { id: "DEV:GOV:1001", name: B }
securityServers:
  - name: ss1
    url: \${XRD_SS1_URL}
    apiKey: { env: XRD_SS1_API_KEY }
    id: "DEV:GOV:1001:SS1"
    tokn: { id: "0" }
    clients:
      - id: "DEV:GOV:1001:A"
        serviceDescriptions:
          - { type: REST, url: "https://x.example.org/a", services: [{ code: x, timeout: ten }] }
      - id: "DEV:GOV:1001:A"
`,
);

describe('validate', () => {
  it('reports syntax, schema and semantic problems of every file in one pass', async () => {
    const syntax = write('syntax.yaml', 'apiVersion: xrdctl/v1\ninstance: [DEV\n');
    const r = await runInProcess(['validate', broken, syntax, '--json'], noXrdEnv);
    expect(r.exitCode).toBe(2);
    const errors = r.json().error.errors as { message: string; line: number; hint?: string }[];
    const lines = errors.map((e) => e.message);
    expect(lines.some((m) => /syntax\.yaml:\d+:\d+:? YAML/.test(m))).toBe(true);
    expect(lines.some((m) => /broken\.yaml:14:5 .*unknown key 'tokn'/.test(m))).toBe(true);
    expect(lines.some((m) => /broken\.yaml:18:\d+ .*timeout: must be an integer/.test(m))).toBe(true);
    expect(lines.some((m) => /broken\.yaml:8:\d+ .*member DEV:GOV:1001 declared twice/.test(m))).toBe(true);
    expect(lines.some((m) => /broken\.yaml:19:\d+ .*client DEV:GOV:1001:A is declared twice/.test(m))).toBe(true);
    expect(lines.some((m) => /needs restServiceCode/.test(m))).toBe(true);
    // offline: no variable is reported unset
    expect(lines.some((m) => /not set in the environment/.test(m))).toBe(false);
  });

  it('prints each problem with the hint --json has', async () => {
    const r = await runInProcess(['validate', broken], noXrdEnv);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error: .*unknown key 'tokn'\n\s+hint: did you mean 'token'\?/);
    expect(r.stderr).toMatch(/needs restServiceCode\n\s+hint: restServiceCode: the service code clients call/);
    expect(r.stderr).toMatch(/\n5 problems found\n$/);
  });

  it('is offline by default: no ${VAR} needs to be set; a malformed reference is an error; --no-offline wants them set', async () => {
    const small = join(repoRoot, 'examples/small/manifest.yaml');
    const ok = await runInProcess(['validate', small, '--json'], noXrdEnv);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ valid: true, offline: true, securityServers: 2 });

    const bad = write(
      'badref.yaml',
      'apiVersion: xrdctl/v1\ninstance: DEV\nsecurityServers:\n  - { name: ss1, id: "DEV:GOV:1001:SS1", url: "https://${XRD SS1}:4000", apiKey: { env: K } }\n',
    );
    const b = await runInProcess(['validate', bad], noXrdEnv);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/badref\.yaml:4:\d+ securityServers\[0\]\.url: '\$\{XRD SS1\}' is not a variable reference/);

    const online = await runInProcess(['validate', small, '--no-offline', '--json'], noXrdEnv);
    expect(online.exitCode).toBe(2);
    expect(JSON.stringify(online.json().error.errors)).toMatch(/\$\{XRD_CS_URL\} is not set in the environment/);
  });
});
