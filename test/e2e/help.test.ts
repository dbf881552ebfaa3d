import { Config } from '@oclif/core/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli.js';

/**
 * `xrdctl help` is our own command (commands/help.ts) on oclif's Help class, so that no plugin is loaded
 * at start (docs/performance.md): these hold it to what @oclif/plugin-help's command did.
 */
describe('help without a plugin', () => {
  it('oclif loads no plugin besides xrdctl itself', async () => {
    expect(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).oclif.plugins).toBeUndefined();
    const config = await Config.load({ root: repoRoot });
    expect([...config.plugins.keys()]).toEqual(['xrdctl']);
    expect(config.findCommand('help')?.pluginName).toBe('xrdctl');
  });

  it('`help`, `--help` and `-h` print the same root help, which lists the help command', async () => {
    const [a, b, c] = await Promise.all([runCli(['help']), runCli(['--help']), runCli(['-h'])]);
    for (const r of [a, b, c]) expect(r.exitCode, r.stderr).toBe(0);
    expect(a.stdout).toMatch(/^USAGE\n {2}\$ xrdctl \[COMMAND\]/m);
    expect(a.stdout).toMatch(/^ {2}help {8}Display help for xrdctl\.$/m);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).toBe(a.stdout);
  });

  it('`help CMD` prints what `CMD --help` and `CMD -h` print', async () => {
    const [a, b, c] = await Promise.all([runCli(['help', 'context', 'list']), runCli(['context', 'list', '--help']), runCli(['context', 'list', '-h'])]);
    for (const r of [a, b, c]) expect(r.exitCode, r.stderr).toBe(0);
    expect(a.stdout).toMatch(/^ {2}\$ xrdctl context list \[--json\]/m);
    expect(a.stdout).toMatch(/^EXAMPLES\n {2}\$ xrdctl context list\n/m);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).toBe(a.stdout);
  });

  it('`help TOPIC` prints the topic help that `TOPIC` alone prints; -n lists nested commands', async () => {
    const [a, b, n] = await Promise.all([runCli(['help', 'cs']), runCli(['cs']), runCli(['help', '-n'])]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/^ {2}\$ xrdctl cs COMMAND$/m);
    expect(b.stdout).toBe(a.stdout);
    expect(n.exitCode, n.stderr).toBe(0);
    expect(n.stdout).toMatch(/^ {2}context list\b/m);
  });

  it('an unknown command: `help X` and `X` both exit 2 and name it', async () => {
    const a = await runCli(['help', 'cetr']);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/Command cetr not found/);
    const b = await runCli(['cetr', 'list']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/'xrdctl cetr' is not a command; did you mean 'xrdctl cert'\?/);
  });
});
