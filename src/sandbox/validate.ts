/** Small request-body validators that answer like X-Road's bean validation (400 validation_failure). */
import { ApiError, validation } from './http.js';

export function str(o: Record<string, unknown>, k: string, obj: string, opts: { max?: number; allowEmpty?: boolean } = {}): string {
  const v = o[k];
  if (v === undefined || v === null) throw validation(`${obj}.${k}`, 'NotNull');
  if (typeof v !== 'string') throw validation(`${obj}.${k}`, 'TypeMismatch');
  if (!opts.allowEmpty && v.trim().length === 0) throw validation(`${obj}.${k}`, 'NotBlank');
  if (v.length > (opts.max ?? 255)) throw validation(`${obj}.${k}`, 'Size');
  return v;
}
export function optStr(o: Record<string, unknown>, k: string, obj: string, max = 255): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw validation(`${obj}.${k}`, 'TypeMismatch');
  if (v.length > max) throw validation(`${obj}.${k}`, 'Size');
  return v;
}
export function optBool(o: Record<string, unknown>, k: string, obj: string): boolean | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw validation(`${obj}.${k}`, 'TypeMismatch');
  return v;
}
export function optInt(o: Record<string, unknown>, k: string, obj: string, min: number, max: number): number | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw validation(`${obj}.${k}`, 'TypeMismatch');
  if (v < min || v > max) throw validation(`${obj}.${k}`, v < min ? 'Min' : 'Max');
  return v;
}
export function enumOf<T extends string>(o: Record<string, unknown>, k: string, obj: string, values: readonly T[]): T {
  const v = o[k];
  if (v === undefined || v === null) throw validation(`${obj}.${k}`, 'NotNull');
  if (typeof v !== 'string' || !values.includes(v as T))
    throw new ApiError(400, 'validation_failure', [`${k}: invalid value`], undefined, { [`${obj}.${k}`]: ['InvalidEnumValue'] });
  return v as T;
}
export function optEnum<T extends string>(o: Record<string, unknown>, k: string, obj: string, values: readonly T[]): T | undefined {
  if (o[k] === undefined || o[k] === null) return undefined;
  return enumOf(o, k, obj, values);
}
export function obj(o: Record<string, unknown>, k: string, name: string): Record<string, unknown> {
  const v = o[k];
  if (v === undefined || v === null) throw validation(`${name}.${k}`, 'NotNull');
  if (typeof v !== 'object' || Array.isArray(v)) throw validation(`${name}.${k}`, 'TypeMismatch');
  return v as Record<string, unknown>;
}
export function arr(o: Record<string, unknown>, k: string, name: string, required = false): unknown[] {
  const v = o[k];
  if (v === undefined || v === null) {
    if (required) throw validation(`${name}.${k}`, 'NotNull');
    return [];
  }
  if (!Array.isArray(v)) throw validation(`${name}.${k}`, 'TypeMismatch');
  return v;
}
/** query enum: 400 on a bad value */
export function qEnum<T extends string>(q: URLSearchParams, k: string, values: readonly T[], required = false): T | undefined {
  const v = q.get(k);
  if (v === null || v === '') {
    if (required) throw new ApiError(400, 'validation_failure', [`${k} is required`], undefined, { [k]: ['NotNull'] });
    return undefined;
  }
  if (!values.includes(v as T)) throw new ApiError(400, 'validation_failure', [`${k}: invalid value`], undefined, { [k]: ['InvalidEnumValue'] });
  return v as T;
}
/**
 * Spring's StringToBooleanConverter, as the real servers bind query, path and form parameters: trimmed, any case,
 * true/on/yes/1 and false/off/no/0; blank = absent; anything else undefined (the caller answers 400).
 */
export function springBool(v: string | null | undefined): boolean | null | undefined {
  if (v === null || v === undefined) return null;
  const t = v.trim().toLowerCase();
  if (t === '') return null;
  if (t === 'true' || t === 'on' || t === 'yes' || t === '1') return true;
  if (t === 'false' || t === 'off' || t === 'no' || t === '0') return false;
  return undefined;
}
/** Spring's NumberUtils.parseNumber for Integer/Long: whitespace trimmed, an optional sign, decimal or 0x/# hex. */
export function springInt(v: string | null | undefined): number | null | undefined {
  if (v === null || v === undefined) return null;
  const t = v.replace(/\s+/g, '');
  if (t === '') return null;
  const hex = /^([+-]?)(?:0x|#)([0-9a-f]+)$/i.exec(t);
  const n = hex ? (hex[1] === '-' ? -1 : 1) * parseInt(hex[2]!, 16) : /^[+-]?\d+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(n) && Math.abs(n) <= 2 ** 31 - 1 ? n : undefined;
}
export function qBool(q: URLSearchParams, k: string, def: boolean): boolean {
  const v = springBool(q.get(k));
  if (v === null) return def;
  if (v === undefined) throw new ApiError(400, 'validation_failure', [`${k}: not a boolean`], undefined, { [k]: ['TypeMismatch'] });
  return v;
}
export function qInt(q: URLSearchParams, k: string, def: number, min = 0): number {
  const n = springInt(q.get(k));
  if (n === null) return def;
  if (n === undefined || n < min) throw new ApiError(400, 'validation_failure', [`${k}: not a valid integer`], undefined, { [k]: ['TypeMismatch'] });
  return n;
}
/** X-Road identifier parts must not contain these characters (UG-SS §19.4) */
export function identifierPart(v: string, field: string): string {
  if (/[:;/\\%]/.test(v) || hasControlChars(v))
    throw new ApiError(400, 'validation_failure', undefined, undefined, {
      [field]: [
        /:/.test(v)
          ? 'NoColons'
          : /;/.test(v)
            ? 'NoSemicolons'
            : /\//.test(v)
              ? 'NoForwardslashes'
              : /\\/.test(v)
                ? 'NoBackslashes'
                : /%/.test(v)
                  ? 'NoPercents'
                  : 'NoControlChars',
      ],
    });
  return v;
}

function hasControlChars(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) < 0x20) return true;
  return false;
}
