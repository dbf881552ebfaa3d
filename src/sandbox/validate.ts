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
  if (typeof v !== 'string' || !values.includes(v as T)) throw new ApiError(400, 'validation_failure', [`${k}: invalid value`], undefined, { [`${obj}.${k}`]: ['InvalidEnumValue'] });
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
export function qBool(q: URLSearchParams, k: string, def: boolean): boolean {
  const v = q.get(k);
  if (v === null || v === '') return def;
  if (v !== 'true' && v !== 'false') throw new ApiError(400, 'validation_failure', [`${k}: not a boolean`], undefined, { [k]: ['TypeMismatch'] });
  return v === 'true';
}
export function qInt(q: URLSearchParams, k: string, def: number, min = 0): number {
  const v = q.get(k);
  if (v === null || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ApiError(400, 'validation_failure', [`${k}: not a valid integer`], undefined, { [k]: ['TypeMismatch'] });
  return n;
}
/** X-Road identifier parts must not contain these characters (UG-SS §19.4) */
export function identifierPart(v: string, field: string): string {
  if (/[:;/\\%]/.test(v) || hasControlChars(v)) throw new ApiError(400, 'validation_failure', undefined, undefined, { [field]: [/:/.test(v) ? 'NoColons' : /;/.test(v) ? 'NoSemicolons' : /\//.test(v) ? 'NoForwardslashes' : /\\/.test(v) ? 'NoBackslashes' : /%/.test(v) ? 'NoPercents' : 'NoControlChars'] });
  return v;
}

function hasControlChars(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) < 0x20) return true;
  return false;
}
