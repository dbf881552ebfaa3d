import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError, registerSecret } from '../../src/errors/index.js';
import { Output, colorLevelFor, preloadChalk } from '../../src/output/index.js';

/** The one output layer, without the CLI: stream split, --json, colour rules, sanitising, redaction. */
function sink(isTTY = false) {
  const chunks: string[] = [];
  return { isTTY, write: (s: string) => chunks.push(s), text: () => chunks.join('') };
}
const ESC = '\u001b';

describe('Output', () => {
  beforeAll(async () => preloadChalk({ env: { FORCE_COLOR: '1' } }));
  it('stdout carries the result only; progress, warnings and errors go to stderr', () => {
    const stdout = sink();
    const stderr = sink();
    const o = new Output({ stdout, stderr, env: {} });
    o.info('working');
    o.warn('careful');
    o.result({ a: 1 }, (d) => o.print(`a is ${d.a}`));
    o.error(new ApiError('boom', { server: 'ss1', step: 'read' }));
    expect(stdout.text()).toBe('a is 1\n');
    expect(stderr.text()).toMatch(/working\n/);
    expect(stderr.text()).toMatch(/warning: careful/);
    expect(stderr.text()).toMatch(/error: .*ss1.*boom|error: .*boom.*ss1/);
  });

  it('--json: exactly one JSON document on stdout, warnings inside it, human lines suppressed', () => {
    const stdout = sink(true);
    const stderr = sink();
    const o = new Output({ json: true, stdout, stderr, env: { FORCE_COLOR: '3' } });
    o.print('human only');
    o.warn('w1');
    o.result({ ok: true, name: `x${ESC}[31m` });
    const doc = JSON.parse(stdout.text());
    expect(doc).toEqual({ ok: true, name: expect.any(String), warnings: ['w1'] });
    // no raw escape reaches stdout: JSON escapes control characters
    expect(stdout.text()).not.toContain(ESC);
    expect(() => o.result({ again: true })).toThrow(/twice/);
  });

  it('colour: NO_COLOR, --no-color, TERM=dumb and pipes get none; each stream judged on its own', () => {
    expect(colorLevelFor({ isTTY: true }, { env: {} })).toBeGreaterThan(0);
    expect(colorLevelFor({ isTTY: true }, { env: { NO_COLOR: '1' } })).toBe(0);
    expect(colorLevelFor({ isTTY: true }, { env: {}, noColorFlag: true })).toBe(0);
    expect(colorLevelFor({ isTTY: true }, { env: { TERM: 'dumb' } })).toBe(0);
    expect(colorLevelFor({ isTTY: false }, { env: {} })).toBe(0);
    expect(colorLevelFor({ isTTY: false }, { env: { FORCE_COLOR: '1' } })).toBe(1);
    const stdout = sink(false);
    const stderr = sink(true);
    const o = new Output({ stdout, stderr, env: {} });
    o.result({}, () => o.print(o.out.red('plain on a pipe')));
    o.warn('coloured on a terminal');
    expect(stdout.text()).toBe('plain on a pipe\n');
    expect(stderr.text()).toContain(`${ESC}[`);
  });

  it('text from servers cannot drive the terminal: escapes, bidi and line forgery are neutralised', () => {
    const stdout = sink(true);
    const stderr = sink(true);
    const o = new Output({ stdout, stderr, env: { NO_COLOR: '1' } });
    o.result({ name: `evil${ESC}]0;title\u0007\u202e\r\nerror: forged` }, (d) => o.print(`client ${d.name}`));
    o.info(`line one\nerror: forged two`);
    for (const c of [ESC, '\u0007', '\u202e', '\r']) expect(stdout.text()).not.toContain(c);
    expect(stdout.text().trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.text().trimEnd().split('\n')).toHaveLength(1);
  });

  it('a registered secret never leaves the layer, in human or JSON output', () => {
    const secret = 'S3cret-0utput-Layer-Value-91f2';
    registerSecret(secret);
    const stdout = sink();
    const stderr = sink();
    const h = new Output({ stdout, stderr, env: {} });
    h.info(`key is ${secret}`);
    h.result({ v: secret }, (d) => h.print(`v=${d.v}`));
    const j = new Output({ json: true, stdout, stderr, env: {} });
    j.result({ nested: { v: [secret] } });
    expect(stdout.text() + stderr.text()).not.toContain(secret);
  });

  it('prompts only with a terminal on stdin and CI unset', () => {
    expect(new Output({ stdin: { isTTY: true }, env: {} }).interactive).toBe(true);
    expect(new Output({ stdin: { isTTY: true }, env: { CI: 'true' } }).interactive).toBe(false);
    expect(new Output({ stdin: { isTTY: false }, env: {} }).interactive).toBe(false);
  });
});
