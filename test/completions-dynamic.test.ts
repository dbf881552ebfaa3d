/**
 * Dynamic completion (issue 12, problem 4) in real bash, zsh and fish with the committed completions/ scripts and
 * the built CLI on PATH: context names, manifest server names, certificate hashes and key ids of the line's context
 * (cached 0600, bounded, silent on failure), enum values with spaces kept whole; the helper path loads no oclif.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from './support/cli.js';
import { sandboxWithContexts, type SandboxEnv } from './support/sandbox.js';

// asynchronous: the sandbox answers from this very process, so a synchronous child would starve it
const run = promisify(execFile);
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const needs = (shell: string) => !has(shell) && !process.env.CI;
const manifest = join(repoRoot, 'examples/small/manifest.yaml');
const dir = mkdtempSync(join(tmpdir(), 'xrdctl-dyncompl-'));
mkdirSync(join(dir, 'bin'));
writeFileSync(join(dir, 'bin/xrdctl'), `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`);
chmodSync(join(dir, 'bin/xrdctl'), 0o755);

let E: SandboxEnv;
let env: Record<string, string>;
let hash: string;
beforeAll(async () => {
  E = await sandboxWithContexts({ securityServers: 2 });
  env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, XRDCTL_CONFIG_DIR: E.configDir, XRDCTL_STATE_DIR: join(dir, 'state') };
  for (const args of [
    ['token', 'login', '-c', 'ss1'],
    ['csr', 'create', '-c', 'ss1', '--usage', 'sign', '--member', 'DEV:GOV:1001', '--ca', 'Sandbox CA', '--out', join(dir, 's.csr')],
    ['csr', 'submit', '-c', 'ss1', '--key', '1', '--adapter', 'server-acme', '--ca', 'Sandbox CA'],
    [
      'context',
      'add',
      'gone',
      '--kind',
      'security',
      '--url',
      'https://127.0.0.1:1/api/v1',
      '--api-key',
      'env:NOPE_KEY',
      '--tls-fingerprint',
      E.sb.ss[0]!.fingerprint,
    ],
  ]) {
    const r = await E.run(args);
    expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
  hash = (await E.run(['cert', 'list', '-c', 'ss1', '--json'])).json().certificates[0].hash;
}, 60_000);
afterAll(async () => E?.stop());

async function bash(words: string[]): Promise<string[]> {
  const { stdout: out } = await run(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      `source "$0"; COMP_WORDS=("\${@}"); COMP_CWORD=$(( $# - 1 )); _xrdctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
      join(repoRoot, 'completions/xrdctl.bash'),
      ...words,
    ],
    { encoding: 'utf8', cwd: dir, env, timeout: 20_000 },
  );
  return out.split('\n').filter(Boolean).sort();
}
async function fish(line: string): Promise<string[]> {
  const { stdout: out } = await run('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', join(repoRoot, 'completions/xrdctl.fish'), line], {
    encoding: 'utf8',
    cwd: dir,
    env,
    timeout: 20_000,
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]!)
    .sort();
}
/** zsh's completion system in a pseudo-terminal, compadd recorded (as test/completions.test.ts does) */
async function zsh(line: string): Promise<string[]> {
  const fp = join(dir, 'zfunc');
  mkdirSync(fp, { recursive: true });
  writeFileSync(join(fp, '_xrdctl'), readFileSync(join(repoRoot, 'completions/_xrdctl')));
  const out = join(dir, `zsh-${Math.random().toString(36).slice(2)}.out`);
  const harness = `
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1=''; fpath=(${fp} \\$fpath); autoload -Uz compinit; compinit -u -D; cd ${dir}"
zpty -w z "compadd() { local -a __h; if (( \\\${@[(I)-[ODA]*]} )); then builtin compadd \\"\\$@\\"; return; fi; builtin compadd -A __h \\"\\$@\\"; print -rl -- \\\${^__h} >> ${out}; builtin compadd \\"\\$@\\"; }"
zpty -w z "bindkey '^I' complete-word; print READY"
zpty -r z x '*READY*'
zpty -w -n z "$1"$'\\t'
for i in {1..60}; do [[ -s ${out} ]] && break; sleep 0.1; done
sleep 0.2
zpty -d z
`;
  writeFileSync(out, '');
  await run('zsh', ['-f', '-c', harness, 'zsh', line], { encoding: 'utf8', timeout: 30_000, env });
  return [...new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean))].sort();
}

const contexts = ['cs', 'gone', 'ss1', 'ss2'];

describe('bash', () => {
  it('contexts, manifest servers, hashes, key ids; enum values with spaces are one (escaped) word', async () => {
    expect(await bash(['xrdctl', 'context', 'use', ''])).toEqual(contexts);
    expect(await bash(['xrdctl', 'context', 'remove', 's'])).toEqual(['ss1', 'ss2']);
    expect(await bash(['xrdctl', 'cert', 'list', '-c', ''])).toEqual(contexts);
    expect(await bash(['xrdctl', 'cert', 'register', '--cs-context', 'c'])).toEqual(['cs']);
    expect(await bash(['xrdctl', 'health', '-f', manifest, '--server', ''])).toEqual(['ss1', 'ss2']);
    expect(await bash(['xrdctl', 'cert', 'show', '-c', 'ss1', ''])).toEqual([hash]);
    expect(await bash(['xrdctl', 'key', 'delete', '-c', 'ss1', ''])).toContain('1');
    expect(await bash(['xrdctl', 'cs', 'request', 'list', '--status', ''])).toEqual([
      'APPROVED',
      'DECLINED',
      'REVOKED',
      'SUBMITTED\\ FOR\\ APPROVAL',
      'WAITING',
    ]);
    expect(await bash(['xrdctl', 'cs', 'request', 'list', '--status', 'SUBMITTED\\ F'])).toEqual(['SUBMITTED\\ FOR\\ APPROVAL']);
  });

  it('server values are cached briefly in the state folder (0600): the next TAB sends no request', async () => {
    const cache = join(dir, 'state/completion/ss1.json');
    expect(existsSync(cache)).toBe(true);
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    const before = E.sb.requests().length;
    expect(await bash(['xrdctl', 'cert', 'show', '-c', 'ss1', hash.slice(0, 4)])).toEqual([hash]);
    expect(E.sb.requests().length).toBe(before);
  });

  it('silent and bounded on failure: an unreachable server, a secret that cannot be resolved, no context', async () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [binPath, '__complete', 'certs', '--context=gone'], { env, encoding: 'utf8', timeout: 10_000 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(await bash(['xrdctl', 'cert', 'show', '-c', 'nosuch', ''])).toEqual([]);
  });
});

describe.skipIf(needs('zsh'))('zsh', () => {
  it('contexts, hashes and enum values with spaces kept whole', async () => {
    expect(await zsh('xrdctl context use ')).toEqual(contexts);
    expect(await zsh('xrdctl cert show -c ss1 ')).toEqual([hash]);
    // one match, quoted as zsh inserts it on the line (one word)
    expect(await zsh('xrdctl cs request list --status ')).toEqual(['APPROVED', 'DECLINED', 'REVOKED', 'SUBMITTED\\ FOR\\ APPROVAL', 'WAITING']);
  });
});

describe.skipIf(needs('fish'))('fish', () => {
  it('contexts, manifest servers, hashes, key ids and enum values with spaces kept whole', async () => {
    expect(await fish('xrdctl context use ')).toEqual(contexts);
    expect(await fish('xrdctl cert list -c ')).toEqual(contexts);
    expect(await fish(`xrdctl health -f ${manifest} --server `)).toEqual(['ss1', 'ss2']);
    expect(await fish('xrdctl cert show -c ss1 ')).toEqual([hash]);
    expect(await fish('xrdctl csr delete -c ss1 ')).toContain('1');
    expect(await fish('xrdctl cs request list --status ')).toContain('SUBMITTED FOR APPROVAL');
  });
});

describe('the helper path', () => {
  it('answers context and manifest names without loading @oclif/core', () => {
    const hook = join(dir, 'hook.mjs');
    const log = join(dir, 'loaded.log');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { if (s.includes('@oclif/core') || s === 'yaml') appendFileSync(${JSON.stringify(log)}, s + '\\n'); return next(s, c); }\n`,
    );
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hook}`)});\n`);
    // oclif's files are taken with require (src/cli/oclif.ts), which an ESM hook does not see: watch require too
    writeFileSync(
      join(dir, 'require.cjs'),
      `const M = require('node:module'); const r = M._resolveFilename; M._resolveFilename = function (s, ...a) { if (s.includes('@oclif/core')) require('node:fs').appendFileSync(${JSON.stringify(log)}, s + '\\n'); return r.call(this, s, ...a); };\n`,
    );
    const run = (args: string[]) => {
      writeFileSync(log, '');
      const r = spawnSync(process.execPath, ['--import', `file://${join(dir, 'register.mjs')}`, '--require', join(dir, 'require.cjs'), binPath, ...args], {
        env,
        encoding: 'utf8',
        timeout: 20_000,
      });
      const loaded = readFileSync(log, 'utf8');
      return {
        out: r.stdout,
        loaded: loaded
          .split('\n')
          .filter((l) => l.includes('@oclif/core'))
          .join('\n'),
        yaml: /^yaml$/m.test(loaded),
      };
    };
    expect(run(['__complete', 'contexts'])).toEqual({ out: `${contexts.join('\n')}\n`, loaded: '', yaml: false });
    expect(run(['__complete', 'servers', '-f', manifest])).toMatchObject({ out: 'ss1\nss2\n', loaded: '' });
    // the control: the hook does see oclif when the CLI proper runs
    expect(run(['--version']).loaded).toMatch(/@oclif\/core/);

    // manifest names are kept per file (0600): an unchanged file needs no YAML parser, a changed one is read again
    const m = join(dir, 'tab.yaml');
    writeFileSync(m, 'securityServers:\n  - name: alpha\n');
    expect(run(['__complete', 'servers', '-f', m])).toEqual({ out: 'alpha\n', loaded: '', yaml: true });
    expect(run(['__complete', 'servers', '-f', m])).toEqual({ out: 'alpha\n', loaded: '', yaml: false });
    expect(statSync(join(dir, 'state/completion/manifests.json')).mode & 0o777).toBe(0o600);
    writeFileSync(m, 'securityServers:\n  - name: alpha\n  - name: beta\n');
    expect(run(['__complete', 'servers', '-f', m])).toEqual({ out: 'alpha\nbeta\n', loaded: '', yaml: true });
  });
});
