import { UsageError } from '../errors/index.js';
import { preview } from '../input/text.js';

/**
 * One URL path segment from a value (an id, a hash, a code): percent-encoded, and never empty,
 * '.' or '..' (which a server or proxy would resolve to another path). Refused before a request
 * is sent.
 */
export function seg(value: string | number): string {
  const s = String(value);
  if (s === '' || s === '.' || s === '..')
    throw new UsageError(`'${preview(s)}' cannot be used as an id in a request path`, { hint: 'give the id the server reports (see the list commands)' });
  const e = encodeURIComponent(s);
  // encodeURIComponent leaves . alone: a segment of dots only would still be a path step
  return /^\.+$/.test(e) ? e.replace(/\./g, '%2E') : e;
}
