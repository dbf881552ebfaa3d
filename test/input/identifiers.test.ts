import { describe, expect, it } from 'vitest';
import { identifierPartProblem, identifierProblem } from '../../src/input/text.js';

describe('identifier parts: the plain-ASCII shortcut says what the full checks say', () => {
  it('every printable ASCII character, alone and inside a part', () => {
    for (let c = 0x21; c <= 0x7e; c++) {
      const ch = String.fromCharCode(c);
      const forbidden = ':;/\\%'.includes(ch);
      for (const part of [ch, `a${ch}b`, `${ch}1`]) {
        const p = identifierPartProblem(part);
        if (forbidden) expect(p, JSON.stringify(part)).toBe(`contains '${ch}', which X-Road identifiers may not hold`);
        else if (part === '.') expect(p).toBe("is '.' (a path segment)");
        else expect(p, JSON.stringify(part)).toBeUndefined();
      }
    }
    expect(identifierPartProblem('..')).toBe("is '..' (a path segment)");
    expect(identifierPartProblem('...')).toBeUndefined();
    expect(identifierPartProblem('x'.repeat(255))).toBeUndefined();
    expect(identifierPartProblem('x'.repeat(256))).toMatch(/longer than 255/);
    expect(identifierPartProblem('')).toBe('is empty');
  });

  it('what is not plain ASCII still meets every check', () => {
    expect(identifierPartProblem('GOV 1')).toMatch(/whitespace/);
    expect(identifierPartProblem('GOV\t1')).toMatch(/TAB|U\+0009|control/i);
    expect(identifierPartProblem('G\u200BOV')).toMatch(/U\+200B|zero/i);
    expect(identifierPartProblem('G\u202EOV')).toMatch(/U\+202E|bidi|right-to-left/i);
    expect(identifierPartProblem('GОV')).toMatch(/mixes Latin and Cyrillic/); // a Cyrillic О
    expect(identifierPartProblem('ＧＯＶ')).toMatch(/NFKC/);
    expect(identifierPartProblem('Ööbik')).toBeUndefined();
    expect(identifierPartProblem('Пример')).toBeUndefined();
    expect(identifierProblem('DEV:GOV:1001:SUB1', 'subsystem')).toBeUndefined();
    expect(identifierProblem('DEV:GOV:10%01', 'member')).toMatch(/may not hold/);
  });
});
