/**
 * Process-wide registry of secret values (API keys, PINs, ACME account keys).
 * Every message that leaves the process (errors, logs, JSON) passes through redact(),
 * so a secret resolved anywhere can never be printed, even by accident.
 */
const secrets = new Set<string>();

export const REDACTED = '***';

export function registerSecret(value: string | undefined | null): void {
  if (!value) return;
  const v = String(value);
  // Very short values would redact ordinary words; PINs shorter than 4 are still registered
  // because a PIN in a message is worse than an odd-looking message.
  if (v.length < 3) return;
  secrets.add(v);
  const trimmed = v.trim();
  if (trimmed !== v && trimmed.length >= 3) secrets.add(trimmed);
  matcher = undefined;
  detector = undefined;
}

export function clearSecrets(): void {
  secrets.clear();
  matcher = undefined;
  detector = undefined;
}

/** every secret in one pattern, longest first (so a secret that contains another is removed whole); rebuilt when one is added */
let matcher: RegExp | null | undefined;
function secretPattern(): RegExp | null {
  if (matcher === undefined)
    matcher = anyOf(
      [...secrets].sort((a, b) => b.length - a.length),
      'g',
    );
  return matcher;
}

/** one pattern matching any of these literal strings (empty ones left out), or null for none */
function anyOf(literals: string[], flags?: string): RegExp | null {
  const alts = literals.filter(Boolean).map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return alts.length ? new RegExp(alts.join('|'), flags) : null;
}

const HEADER_RE = /(X-Road-ApiKey\s+token=)[^\s"',}]+/gi;

export function redact(text: string): string {
  if (!text) return text;
  const out = text.replace(HEADER_RE, `$1${REDACTED}`);
  const re = secretPattern();
  return re ? out.replace(re, REDACTED) : out;
}

/**
 * Whether a serialised document may hold a secret: any registered one as it is, or as the serialiser wrote
 * it (`escaped`: JSON escapes quotes, backslashes and controls), or an API-key header. One scan of the
 * text; a document that holds none is written as it was serialised (redactValue copies every string).
 */
let detector: { re: RegExp | null; escaped: (s: string) => string } | undefined;
export function mayHoldSecret(text: string, escaped: (s: string) => string): boolean {
  HEADER_RE.lastIndex = 0;
  if (HEADER_RE.test(text)) return true;
  if (!detector || detector.escaped !== escaped) {
    const forms = new Set<string>();
    for (const x of secrets) {
      forms.add(x);
      forms.add(escaped(x));
    }
    detector = { escaped, re: anyOf([...forms]) };
  }
  return detector.re ? detector.re.test(text) : false;
}

/** Deep-redact any JSON-able value (strings inside objects and arrays). */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as unknown as T;
  if (value && typeof value === 'object' && !(value instanceof Buffer)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(v);
    return out as T;
  }
  return value;
}
