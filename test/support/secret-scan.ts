import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Secret scan: did a secret used in a run end up anywhere the run wrote? Looks for every secret
 * plain, base64 (standard and URL-safe, at any of the three alignments inside a longer base64
 * text), hex (lower and upper case) and URL-encoded (percent and form encoding), in captured
 * outputs and in the files of the folders given (recursively, symlinks not followed).
 *
 *   const scan = new SecretScan(secrets);
 *   scan.text('stdout', r.stdout); scan.dir(stateDir);
 *   expect(scan.findings).toEqual([]);
 */
export interface Finding {
  where: string;
  encoding: string;
  /** index of the secret in the list given (never the secret itself) */
  secret: number;
}

/** Base64 forms of s that appear in any base64 text containing s, whatever its offset (the stable core of each alignment). */
function base64Cores(s: Buffer): string[] {
  const out = new Set<string>();
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), s]);
    let b = padded.toString('base64').replace(/=+$/, '');
    // drop the characters mixed with the unknown bytes before and after
    const head = shift === 0 ? 0 : Math.ceil((shift * 8) / 6);
    const tailBits = (padded.length * 8) % 6;
    b = b.slice(head, tailBits ? b.length - 1 : b.length);
    if (b.length >= 4) out.add(b);
  }
  return [...out];
}

export function encodingsOf(secret: string): [string, string][] {
  const buf = Buffer.from(secret, 'utf8');
  const forms: [string, string][] = [['plain', secret]];
  for (const core of base64Cores(buf)) {
    forms.push(['base64', core]);
    forms.push(['base64url', core.replace(/\+/g, '-').replace(/\//g, '_')]);
  }
  forms.push(['hex', buf.toString('hex')], ['HEX', buf.toString('hex').toUpperCase()]);
  const pct = encodeURIComponent(secret);
  if (pct !== secret) forms.push(['url', pct], ['url-lower', pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())]);
  const form = new URLSearchParams({ x: secret }).toString().slice(2);
  if (form !== secret && form !== pct) forms.push(['form', form]);
  const json = JSON.stringify(secret).slice(1, -1);
  if (json !== secret) forms.push(['json', json]);
  return forms;
}

export class SecretScan {
  readonly findings: Finding[] = [];
  /** how many texts and files were scanned, and for how many secrets */
  scanned = { texts: 0, files: 0, bytes: 0 };
  private readonly forms: [number, string, string][] = [];

  constructor(readonly secrets: string[]) {
    secrets.forEach((s, i) => {
      if (!s || s.length < 6) throw new Error(`secret #${i} is too short to scan for without false alarms`);
      for (const [enc, f] of encodingsOf(s)) this.forms.push([i, enc, f]);
    });
  }

  text(where: string, text: string | Buffer): this {
    const t = Buffer.isBuffer(text) ? text.toString('latin1') : text;
    this.scanned.texts++;
    this.scanned.bytes += t.length;
    for (const [i, enc, f] of this.forms) if (t.includes(f)) this.findings.push({ where, encoding: enc, secret: i });
    return this;
  }

  file(path: string): this {
    const st = lstatSync(path);
    if (!st.isFile()) return this;
    this.scanned.files++;
    const buf = readFileSync(path);
    // as bytes (latin1 keeps every byte) and as UTF-8 text
    this.text(path, buf);
    this.scanned.texts--;
    const utf8 = buf.toString('utf8');
    for (const [i, enc, f] of this.forms)
      if (utf8.includes(f) && !this.findings.some((x) => x.where === path && x.secret === i && x.encoding === enc))
        this.findings.push({ where: path, encoding: enc, secret: i });
    return this;
  }

  /** every regular file under dir, except those named in allow (e.g. the 0600 key files the test wrote on purpose) */
  dir(dir: string, allow: (path: string) => boolean = () => false): this {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return this;
    }
    for (const n of names) {
      const p = join(dir, n);
      const st = lstatSync(p);
      if (st.isDirectory()) this.dir(p, allow);
      else if (st.isFile() && !allow(p)) this.file(p);
    }
    return this;
  }
}
