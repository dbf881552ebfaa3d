/** A small multipart/form-data reader for upload routes: parts by name, bounded in count. */
import { bad } from './http.js';

export interface FormPart {
  name: string;
  filename?: string;
  data: Buffer;
}

export function parseMultipart(contentType: string, body: Buffer, maxParts = 32): Map<string, FormPart> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !m) throw bad('invalid_multipart', 'expected multipart/form-data with a boundary');
  const boundary = Buffer.from('--' + (m[1] ?? m[2]!).trim());
  const out = new Map<string, FormPart>();
  let pos = body.indexOf(boundary);
  if (pos < 0) throw bad('invalid_multipart', 'no boundary in body');
  for (let n = 0; n < maxParts; n++) {
    pos += boundary.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return out;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw bad('invalid_multipart', 'truncated part');
    const head = body.subarray(pos, headEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headEnd + 4);
    if (next < 0) throw bad('invalid_multipart', 'unterminated part');
    const cd = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head);
    const name = cd && /\bname="([^"]*)"/i.exec(cd[1]!)?.[1];
    if (!name) throw bad('invalid_multipart', 'part without a name');
    const filename = cd && /\bfilename="([^"]*)"/i.exec(cd[1]!)?.[1];
    out.set(name, { name, ...(filename !== undefined && filename !== null ? { filename } : {}), data: body.subarray(headEnd + 4, next) });
    pos = next + 2;
  }
  throw bad('invalid_multipart', 'too many parts');
}
