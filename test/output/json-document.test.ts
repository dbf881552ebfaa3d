import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret } from '../../src/errors/index.js';
import { jsonDocument } from '../../src/output/index.js';
import { safeJson } from '../../src/output/sanitize.js';

/** The one JSON document a command writes: serialised once, and never with a secret in it, however written. */
describe('jsonDocument', () => {
  afterEach(() => clearSecrets());

  it('a document without a secret is written exactly as serialised', () => {
    registerSecret('0c9f3b1e-6a7d-4e2b-9f10-3d5c7a8b9e21');
    const doc = { plan: Array.from({ length: 50 }, (_, i) => ({ id: `ss${i}/client/DEV:GOV:${1000 + i}:SUB`, n: i, ok: true })) };
    expect(jsonDocument(doc, 2)).toBe(safeJson(doc, 2));
  });

  it('a secret is redacted wherever a string holds it, also one that JSON escapes, and the document stays valid', () => {
    const plain = '0c9f3b1e-6a7d-4e2b-9f10-3d5c7a8b9e21';
    const quoted = 'pa"ss\\wo\nrd';
    const bidi = 'key\u202Ewith-override';
    for (const s of [plain, quoted, bidi, '1234']) registerSecret(s);
    const doc = { a: `token ${plain}`, b: [{ c: quoted }], d: `x${bidi}y`, count: 1234, pin: 'pin 1234' };
    const out = jsonDocument(doc, 2);
    const back = JSON.parse(out) as typeof doc;
    for (const s of [plain, quoted, bidi]) expect(out).not.toContain(JSON.stringify(s).slice(1, -1));
    expect(out).not.toContain(plain);
    expect(back.a).toBe('token ***');
    expect(back.b[0]!.c).toBe('***');
    expect(back.d).toBe('x***y');
    // a short secret is redacted in strings only: a number that happens to equal it is data
    expect(back.count).toBe(1234);
    expect(back.pin).toBe('pin ***');
  });

  it('an API-key header in a string is redacted', () => {
    const out = jsonDocument({ message: 'sent Authorization: X-Road-ApiKey token=abcdef0123456789' });
    expect(out).not.toContain('abcdef0123456789');
    expect(JSON.parse(out).message).toContain('X-Road-ApiKey token=***');
  });

  it('safeJson escapes every unsafe character, alone or among plain ASCII, and leaves plain ASCII and other text as it is', () => {
    for (const c of ['\u007f', '\u0085', '\u009b', '\u200b', '\u202e', '\u2028', '\u2029', '\ue000', '\ufeff', '\u{10ffff}']) {
      const out = safeJson({ a: `x${c}y`, b: 'plain' }, 2);
      expect(out, JSON.stringify(c)).not.toContain(c);
      expect(JSON.parse(out).a).toBe(`x${c}y`);
    }
    const plain = { a: 'only printable ASCII ~!@#$%^&*()', n: [1, 2], t: 'tab\there' };
    expect(safeJson(plain, 2)).toBe(JSON.stringify(plain, null, 2));
    expect(safeJson({ a: 'é ü 日本 🙂' })).toBe('{"a":"é ü 日本 🙂"}');
  });
});
