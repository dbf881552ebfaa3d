import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completionFiles, generateCompletion, type Shell } from '../src/completions/generate.js';
import { repoRoot, runCli } from './support/cli.js';

const manifest = () => JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8'));
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

describe('shell completions', () => {
  it('completions/ are generated from the current commands (npm run build && npm run completions)', () => {
    for (const [shell, file] of Object.entries(completionFiles)) {
      expect(readFileSync(join(repoRoot, file), 'utf8'), `${file} is stale`).toBe(generateCompletion(shell as Shell, manifest()));
    }
  });

  it('xrdctl completion bash prints the same script', async () => {
    const r = await runCli(['completion', 'bash']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(repoRoot, completionFiles.bash), 'utf8').trimEnd()); // execa drops the final newline
  });

  it('bash: topics, subcommands, flags and flag values complete for real', () => {
    const script = join(repoRoot, completionFiles.bash);
    const complete = (words: string[]) =>
      execFileSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _xrdctl; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
    expect(complete(['xrdctl', ''])).toEqual(expect.arrayContaining(['cert', 'context', 'sandbox', 'apply', 'plan', 'validate']));
    expect(complete(['xrdctl', 'cert', ''])).toEqual(expect.arrayContaining(['list', 'import', 'register', 'expiry']));
    expect(complete(['xrdctl', 'sandbox', 'fault', ''])).toEqual(['add', 'clear', 'list']);
    expect(complete(['xrdctl', 'cert', 'register', '--a'])).toEqual(['--activate', '--address', '--approve']);
    expect(complete(['xrdctl', 'csr', 'create', '--usage', ''])).toEqual(['auth', 'sign']);
  });

  for (const shell of ['zsh', 'fish'] as const) {
    it.skipIf(!has(shell) && !process.env.CI)(`${shell}: the script parses (${shell} -n)`, () => {
      const r = spawnSync(shell, ['-n', join(repoRoot, completionFiles[shell])], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    });
  }
});
