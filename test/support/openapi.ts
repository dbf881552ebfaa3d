/**
 * OpenAPI 3.0 validator for conformance tests: the sandbox's answers and the CLI's requests are checked
 * against the official X-Road files in ../shared/xroad-openapi (read in place, never copied; env
 * XRD_OPENAPI_DIR overrides the folder).
 *
 * The OpenAPI 3.0 schemas are translated to JSON Schema (draft-07, ajv 8) once per mode:
 * - `nullable: true` → `type: [t, 'null']` (and `null` added to an `enum`); on a schema without `type`
 *   (e.g. `nullable` beside `allOf`) → `if: {type: null}, else: <schema>`.
 * - `readOnly` properties are not required in requests, `writeOnly` ones not in responses (also when the
 *   flag sits on a `$ref`'d schema, e.g. ManagementRequestStatus).
 * - `discriminator` (X-Road puts it on a base schema whose subtypes `allOf` the base) → the base plus
 *   `if {prop: const V} then {$ref: mapping[V]}`; a subtype's `allOf` entry points at the base without
 *   the discriminator, so there is no recursion.
 * - OpenAPI-only keywords (`example`, `xml`, `externalDocs`, `deprecated`, `x-*`) are dropped; unknown
 *   keywords fail loudly at load (ajv runs with strictSchema). X-Road's non-standard formats (`text`,
 *   `enum`, `hash`, `DER`, ...) are registered as no-ops; the standard ones (date-time, uri, int32, byte,
 *   ...) are checked by ajv-formats, `url` by WHATWG URL parsing (ajv-formats refuses private addresses).
 * Every schema is compiled once and cached, so validating thousands of messages is cheap.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import YAML from 'yaml';

export type ApiKind = 'ss' | 'cs';

export const SPEC_FILES: Record<ApiKind, string> = {
  ss: 'security-server-admin-api.yaml',
  cs: 'central-server-admin-api.yaml',
};

export interface OperationMatch {
  operationId: string;
  /** the path template as the spec writes it, without the server prefix: '/tokens/{id}/keys-with-csrs' */
  template: string;
  /** path parameters, percent-decoded */
  params: Record<string, string>;
}

export interface RequestToCheck {
  api: ApiKind;
  method: string;
  /** full request path incl. '/api/v1' and the query string */
  path: string;
  /** when given, the Authorization header (X-Road-ApiKey) and declared header parameters are checked */
  headers?: Record<string, string | string[] | undefined>;
  /** parsed JSON (a string is a JSON string), or bytes (Buffer/Uint8Array: octet-stream, or JSON text to parse) */
  body?: unknown;
  /** default: application/octet-stream for bytes, else application/json */
  contentType?: string;
}

export interface ResponseToCheck {
  api: ApiKind;
  method: string;
  path: string;
  status: number;
  body?: unknown;
  contentType?: string;
}

export interface OpenApiValidator {
  findOperation(api: ApiKind, method: string, path: string): OperationMatch | undefined;
  /** [] = valid */
  validateRequest(r: RequestToCheck): string[];
  /** [] = valid */
  validateResponse(r: ResponseToCheck): string[];
  /** every operationId of an API (for coverage reports) */
  operationIds(api: ApiKind): string[];
  /** compiles every parameter, request and response schema now (a bad translation fails here); returns how many */
  compileAll(): number;
  /** the folder the files were read from */
  readonly dir: string;
}

/** One request and its answer as a test recorded them. */
export interface RecordedExchange {
  api: ApiKind;
  method: string;
  /** full path incl. '/api/v1' and the query string */
  path: string;
  requestBody?: unknown;
  requestContentType?: string;
  requestHeaders?: Record<string, string | string[] | undefined>;
  status: number;
  responseBody?: unknown;
  responseContentType?: string;
}

// ------------------------------------------------------------------------------------------------
// where the files are

const repoRoot = resolve(import.meta.dirname, '../..');

/** The folder with the OpenAPI files, or undefined when it is absent. */
export function openApiDir(): string | undefined {
  const dir = process.env.XRD_OPENAPI_DIR ? resolve(process.env.XRD_OPENAPI_DIR) : resolve(repoRoot, '../shared/xroad-openapi');
  return existsSync(join(dir, SPEC_FILES.ss)) && existsSync(join(dir, SPEC_FILES.cs)) ? dir : undefined;
}

export type OpenApiAvailability = { skip: false; dir: string; reason?: undefined } | { skip: true; dir: undefined; reason: string };

/**
 * For test files: `const oa = requireOpenApiOrSkip(); describe.skipIf(oa.skip)(...)`.
 * Folder absent: with CI set this throws (the test file fails); otherwise it warns once and says skip.
 */
export function requireOpenApiOrSkip(): OpenApiAvailability {
  const dir = openApiDir();
  if (dir) return { skip: false, dir };
  const where = process.env.XRD_OPENAPI_DIR ? resolve(process.env.XRD_OPENAPI_DIR) : resolve(repoRoot, '../shared/xroad-openapi');
  const reason = `the X-Road OpenAPI files (${SPEC_FILES.ss}, ${SPEC_FILES.cs}) are not in ${where}; put ../shared beside the checkout or set XRD_OPENAPI_DIR`;
  if (process.env.CI) throw new Error(`OpenAPI conformance cannot run: ${reason} (CI is set, so this fails instead of skipping)`);
  if (!warned) console.warn(`SKIPPED: OpenAPI conformance tests: ${reason} (with CI set this fails)`);
  warned = true;
  return { skip: true, dir: undefined, reason };
}
let warned = false;

// ------------------------------------------------------------------------------------------------
// loading and $ref resolution

type Json = any; // the YAML documents are untyped by nature
type Mode = 'req' | 'res';

interface SpecDoc {
  key: string; // file name without .yaml
  file: string;
  doc: Json;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
/** X-Road's own format names (and OpenAPI's informative ones): accepted without a check */
const NO_OP_FORMATS = ['text', 'enum', 'hash', 'hex', 'sha-256', 'DER', 'PEM', 'filename', 'test', 'binary', 'password'];
/** JSON Schema keywords passed to ajv as they are */
const PLAIN_KEYWORDS = new Set([
  'type',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'default',
  'title',
  'description',
]);
/** OpenAPI keywords with no validation meaning (or handled elsewhere) */
const DROPPED_KEYWORDS = new Set(['example', 'examples', 'xml', 'externalDocs', 'deprecated', 'nullable', 'discriminator', 'readOnly', 'writeOnly']);

class Specs {
  private docs = new Map<string, SpecDoc>();
  constructor(readonly dir: string) {}

  load(file: string): SpecDoc {
    let d = this.docs.get(file);
    if (!d) {
      const path = join(this.dir, file);
      if (!existsSync(path)) throw new Error(`OpenAPI file ${path} not found`);
      d = { key: file.replace(/\.ya?ml$/, ''), file, doc: YAML.parse(readFileSync(path, 'utf8')) };
      this.docs.set(file, d);
    }
    return d;
  }

  all(): SpecDoc[] {
    return [...this.docs.values()];
  }

  /** Resolve '#/a/b' or 'other.yaml#/a/b' seen in `from`; follows chained $refs. */
  resolve(from: SpecDoc, node: Json): { spec: SpecDoc; pointer: string; value: Json } {
    let spec = from;
    let pointer = '';
    let value = node;
    for (let i = 0; value && typeof value === 'object' && typeof value.$ref === 'string'; i++) {
      if (i > 20) throw new Error(`$ref loop at ${value.$ref} in ${spec.file}`);
      const [file, ptr = ''] = value.$ref.split('#');
      if (file) spec = this.load(join(dirname(spec.file), file));
      pointer = ptr;
      value = ptr
        .split('/')
        .slice(1)
        .map((s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((o: Json, k: string) => (o == null ? undefined : o[k]), spec.doc);
      if (value === undefined) throw new Error(`unresolvable $ref ${node.$ref} in ${from.file}`);
    }
    return { spec, pointer, value };
  }
}

const SCHEMA_PREFIX = '#/components/schemas/';
const schemaId = (mode: Mode, spec: SpecDoc) => `xrd:/${mode}/${spec.key}`;

/** Translates OpenAPI 3.0 schemas to draft-07 JSON Schema, per mode (request/response). */
class Translator {
  constructor(private specs: Specs) {}

  /** the ajv $ref for a schema $ref written in `spec` (`base`: a discriminator schema without its discriminator) */
  private refTarget(spec: SpecDoc, ref: string, mode: Mode, inAllOf: boolean): string {
    const [file, ptr = ''] = ref.split('#');
    const target = file ? this.specs.load(join(dirname(spec.file), file)) : spec;
    if (!ptr.startsWith(SCHEMA_PREFIX.slice(1))) throw new Error(`schema $ref ${ref} in ${spec.file} does not point at components/schemas`);
    const name = ptr.slice(SCHEMA_PREFIX.length - 1);
    const def = target.doc.components?.schemas?.[name];
    if (def === undefined) throw new Error(`unresolvable $ref ${ref} in ${spec.file}`);
    const base = inAllOf && def && typeof def === 'object' && def.discriminator;
    return `${schemaId(mode, target)}#/definitions/${name}${base ? '__base' : ''}`;
  }

  /** is the (possibly $ref'd) schema marked readOnly/writeOnly? */
  private flagged(spec: SpecDoc, s: Json, flag: 'readOnly' | 'writeOnly'): boolean {
    if (!s || typeof s !== 'object') return false;
    if (s[flag] === true) return true;
    if (s.$ref) return this.flagged(this.specs.resolve(spec, s).spec, this.specs.resolve(spec, s).value, flag);
    if (Array.isArray(s.allOf) && s.allOf.length === 1) return this.flagged(spec, s.allOf[0], flag);
    return false;
  }

  /** the property's schema in `s` or its allOf parts (for `required` lists naming an inherited property) */
  private propertySchema(spec: SpecDoc, s: Json, name: string, depth = 0): { spec: SpecDoc; schema: Json } | undefined {
    if (!s || typeof s !== 'object' || depth > 10) return undefined;
    if (s.$ref) {
      const r = this.specs.resolve(spec, s);
      return this.propertySchema(r.spec, r.value, name, depth + 1);
    }
    if (s.properties && name in s.properties) return { spec, schema: s.properties[name] };
    for (const part of s.allOf ?? []) {
      const f = this.propertySchema(spec, part, name, depth + 1);
      if (f) return f;
    }
    return undefined;
  }

  translate(spec: SpecDoc, s: Json, mode: Mode, where: string, inAllOf = false): Json {
    if (s === true || s === false) return s;
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw new Error(`${spec.file} ${where}: not a schema`);
    // OpenAPI 3.0: siblings of $ref are ignored
    if (typeof s.$ref === 'string') return { $ref: this.refTarget(spec, s.$ref, mode, inAllOf) };
    const out: Json = {};
    for (const [k, v] of Object.entries<Json>(s)) {
      if (PLAIN_KEYWORDS.has(k)) out[k] = v;
      else if (DROPPED_KEYWORDS.has(k) || k.startsWith('x-')) continue;
      else if (k === 'properties')
        out.properties = Object.fromEntries(Object.entries<Json>(v).map(([n, p]) => [n, this.translate(spec, p, mode, `${where}.${n}`)]));
      else if (k === 'items' || k === 'not') out[k] = this.translate(spec, v, mode, `${where}.${k}`);
      else if (k === 'additionalProperties') out[k] = typeof v === 'boolean' ? v : this.translate(spec, v, mode, `${where}.additionalProperties`);
      else if (k === 'allOf' || k === 'oneOf' || k === 'anyOf')
        out[k] = (v as Json[]).map((p, i) => this.translate(spec, p, mode, `${where}.${k}[${i}]`, k === 'allOf'));
      else if (k === 'required') {
        const skip = mode === 'req' ? 'readOnly' : 'writeOnly';
        const req = (v as string[]).filter((n) => {
          const p = this.propertySchema(spec, s, n);
          return !(p && this.flagged(p.spec, p.schema, skip));
        });
        if (req.length) out.required = req;
      } else throw new Error(`${spec.file} ${where}: OpenAPI keyword "${k}" is not supported by the translator`);
    }
    if (s.nullable === true) {
      if (typeof out.type === 'string' && !out.allOf && !out.anyOf && !out.oneOf) {
        out.type = [out.type, 'null'];
        if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      } else if (out.type === undefined && (out.allOf || out.anyOf || out.oneOf || out.enum)) {
        return { if: { type: 'null' }, else: out };
      } else if (typeof out.type === 'string') {
        return { if: { type: 'null' }, else: out };
      }
    }
    return out;
  }

  /** all of a file's components/schemas, as one ajv schema per mode; discriminators as if/then */
  definitions(spec: SpecDoc, mode: Mode): Json {
    const defs: Json = {};
    for (const [name, s] of Object.entries<Json>(spec.doc.components?.schemas ?? {})) {
      const where = `components.schemas.${name}`;
      const d = s && typeof s === 'object' ? s.discriminator : undefined;
      if (!d) {
        defs[name] = this.translate(spec, s, mode, where);
        continue;
      }
      defs[`${name}__base`] = this.translate(spec, s, mode, where);
      const prop: string = d.propertyName;
      const branches: Json[] = [];
      for (const [value, target] of Object.entries<string>(d.mapping ?? {})) {
        const ref = target.includes('#') ? target : `${SCHEMA_PREFIX}${target}`;
        const tName = ref.slice(ref.lastIndexOf('/') + 1);
        if (tName === name && !ref.split('#')[0]) continue;
        branches.push({ if: { properties: { [prop]: { const: value } }, required: [prop] }, then: { $ref: this.refTarget(spec, ref, mode, false) } });
      }
      defs[name] = { allOf: [{ $ref: `${schemaId(mode, spec)}#/definitions/${name}__base` }, ...branches] };
    }
    return { $id: schemaId(mode, spec), definitions: defs };
  }
}

// ------------------------------------------------------------------------------------------------
// operations

interface Param {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Json;
  spec: SpecDoc;
}

interface Operation {
  api: ApiKind;
  spec: SpecDoc;
  method: string;
  template: string;
  operationId: string;
  regex: RegExp;
  names: string[];
  /** literal segments first: '/clients/search' wins over '/clients/{id}' */
  rank: number[];
  params: Param[];
  requestBody?: { required: boolean; content: Record<string, Json> };
  responses: Record<string, { content?: Record<string, Json> }>;
  apiKey: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function mediaType(ct: string | undefined): string | undefined {
  return ct?.split(';')[0]!.trim().toLowerCase() || undefined;
}

function pickContent(content: Record<string, Json>, ct: string): string | undefined {
  if (ct in content) return ct;
  const [type] = ct.split('/');
  if (`${type}/*` in content) return `${type}/*`;
  if ('*/*' in content) return '*/*';
  return undefined;
}

const isJsonType = (ct: string) => ct === 'application/json' || /\+json$/.test(ct);

function isEmpty(body: unknown): boolean {
  return body === undefined || body === '' || (body instanceof Uint8Array && body.length === 0);
}

function preview(v: unknown): string {
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  const s = v === undefined ? 'undefined' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function jsonPath(root: string, instancePath: string): string {
  if (!instancePath) return root;
  return (
    root +
    instancePath
      .split('/')
      .slice(1)
      .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`))
      .join('')
  );
}

/** ajv errors → readable lines; wrapper errors (discriminator/nullable `if`) are left out */
function describeErrors(errors: ErrorObject[] | null | undefined, root: string): string[] {
  const out: string[] = [];
  for (const e of errors ?? []) {
    if (e.keyword === 'if') continue;
    const at = jsonPath(root, e.instancePath);
    const p = e.params as Record<string, any>;
    let line: string;
    switch (e.keyword) {
      case 'required':
        line = `${jsonPath(at, '/' + String(p.missingProperty).replace(/~/g, '~0').replace(/\//g, '~1'))}: required but missing`;
        break;
      case 'enum':
        line = `${at}: must be one of ${(p.allowedValues as unknown[]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ')} (got ${preview(e.data)})`;
        break;
      case 'type':
        line = `${at}: must be ${Array.isArray(p.type) ? p.type.join(' or ') : String(p.type).split(',').join(' or ')} (got ${e.data === null ? 'null' : `${Array.isArray(e.data) ? 'array' : typeof e.data} ${preview(e.data)}`})`;
        break;
      case 'format':
        line = `${at}: must be a valid ${p.format} (got ${preview(e.data)})`;
        break;
      case 'additionalProperties':
        line = `${at}: property ${JSON.stringify(p.additionalProperty)} is not allowed`;
        break;
      default:
        line = `${at}: ${e.message} (got ${preview(e.data)})`;
    }
    if (!out.includes(line)) out.push(line);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------

const validators = new Map<string, Promise<OpenApiValidator>>();

/** Reads both APIs once per folder and process (later calls share the instance and its compiled schemas). */
export function createOpenApiValidator(opts: { dir?: string } = {}): Promise<OpenApiValidator> {
  const dir = opts.dir ? resolve(opts.dir) : openApiDir();
  if (!dir) {
    return Promise.reject(new Error(`the X-Road OpenAPI files are not in ${process.env.XRD_OPENAPI_DIR ?? resolve(repoRoot, '../shared/xroad-openapi')}`));
  }
  let v = validators.get(dir);
  if (!v) {
    v = Promise.resolve().then(() => build(dir));
    validators.set(dir, v);
    v.catch(() => validators.delete(dir));
  }
  return v;
}

function build(dir: string): OpenApiValidator {
  const specs = new Specs(dir);
  const main: Record<ApiKind, SpecDoc> = { ss: specs.load(SPEC_FILES.ss), cs: specs.load(SPEC_FILES.cs) };
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strictSchema: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    validateFormats: true,
  });
  (addFormatsImport as unknown as (a: Ajv) => void)(ajv);
  for (const f of NO_OP_FORMATS) ajv.addFormat(f, true);
  // ajv-formats' `url` refuses private and loopback hosts (http://10.0.0.5/ocsp, http://127.0.0.1:8888): X-Road's
  // OCSP responders and service URLs live exactly there, so a URL is anything WHATWG URL parses with a scheme and host
  ajv.addFormat('url', { type: 'string', validate: (s: string) => URL.canParse(s) && /^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(s) });

  // operations (collect before translating: operations may $ref further files)
  const ops: Record<ApiKind, Operation[]> = { ss: [], cs: [] };
  for (const api of ['ss', 'cs'] as ApiKind[]) {
    const spec = main[api];
    const prefix = String(spec.doc.servers?.[0]?.url ?? '').replace(/\/$/, '');
    const globalSecurity: Json[] = spec.doc.security ?? [];
    for (const [template, item0] of Object.entries<Json>(spec.doc.paths ?? {})) {
      const item = specs.resolve(spec, item0).value;
      const names: string[] = [];
      const segs = template.split('/').slice(1);
      const regex = new RegExp(
        '^' +
          escapeRe(prefix) +
          segs
            .map(
              (seg) =>
                '/' +
                seg
                  .split(/(\{[^}]+\})/)
                  .map((part) => {
                    const m = /^\{([^}]+)\}$/.exec(part);
                    if (!m) return escapeRe(part);
                    names.push(m[1]!);
                    return '([^/]+)';
                  })
                  .join(''),
            )
            .join('') +
          '$',
      );
      const rank = segs.map((seg) => (seg.includes('{') ? 0 : 1));
      const pathParams: Json[] = item.parameters ?? [];
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (!op) continue;
        const byKey = new Map<string, Param>();
        for (const p0 of [...pathParams, ...(op.parameters ?? [])]) {
          const r = specs.resolve(spec, p0);
          const p = r.value;
          byKey.set(`${p.in}:${p.name}`, { name: p.name, in: p.in, required: p.in === 'path' || p.required === true, schema: p.schema ?? {}, spec: r.spec });
        }
        const rb = op.requestBody ? specs.resolve(spec, op.requestBody) : undefined;
        const responses: Operation['responses'] = {};
        for (const [status, r0] of Object.entries<Json>(op.responses ?? {})) {
          const r = specs.resolve(spec, r0);
          responses[status] = { content: r.value.content };
        }
        const security: Json[] = op.security ?? globalSecurity;
        ops[api].push({
          api,
          spec,
          method: method.toUpperCase(),
          template,
          operationId: op.operationId ?? `${method.toUpperCase()} ${template}`,
          regex,
          names,
          rank,
          params: [...byKey.values()],
          requestBody: rb ? { required: rb.value.required === true, content: rb.value.content ?? {} } : undefined,
          responses,
          apiKey: security.some((s) => s && 'ApiKeyAuth' in s),
        });
      }
    }
    ops[api].sort((a, b) => {
      for (let i = 0; i < Math.min(a.rank.length, b.rank.length); i++) if (a.rank[i] !== b.rank[i]) return b.rank[i]! - a.rank[i]!;
      return a.rank.length - b.rank.length;
    });
  }

  // components/schemas of every file, both modes; load common (and any other file) first via a dry pass
  const translator = new Translator(specs);
  for (const spec of [main.ss, main.cs]) translator.definitions(spec, 'req');
  for (const spec of specs.all()) for (const mode of ['req', 'res'] as Mode[]) ajv.addSchema(translator.definitions(spec, mode));

  const cache = new Map<string, ValidateFunction>();
  const compiled = (key: string, make: () => Json): ValidateFunction => {
    let fn = cache.get(key);
    if (!fn) {
      fn = ajv.compile(make());
      cache.set(key, fn);
    }
    return fn;
  };
  /** a schema written inline in an operation (or a $ref), compiled once per key */
  const inline = (key: string, spec: SpecDoc, schema: Json, mode: Mode) => compiled(`${mode}|${key}`, () => translator.translate(spec, schema, mode, key));
  const errorInfo = (api: ApiKind) => compiled(`res|${api}|ErrorInfo`, () => ({ $ref: `${schemaId('res', main[api])}#/definitions/ErrorInfo` }));

  const match = (api: ApiKind, method: string, fullPath: string) => {
    if (api !== 'ss' && api !== 'cs') throw new Error(`api must be 'ss' or 'cs', not ${String(api)}`);
    const q = fullPath.indexOf('?');
    const pathname = q < 0 ? fullPath : fullPath.slice(0, q);
    const query = q < 0 ? '' : fullPath.slice(q + 1);
    const m = method.toUpperCase();
    const onPath: Operation[] = [];
    for (const op of ops[api]) {
      const r = op.regex.exec(pathname);
      if (!r) continue;
      if (op.method !== m) {
        onPath.push(op);
        continue;
      }
      const params: Record<string, string> = {};
      let bad = false;
      op.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(r[i + 1]!);
        } catch {
          bad = true;
          params[n] = r[i + 1]!;
        }
      });
      return { op, params, query, pathname, badEncoding: bad, onPath };
    }
    return { op: undefined, params: {}, query, pathname, badEncoding: false, onPath };
  };

  const notFound = (api: ApiKind, method: string, pathname: string, onPath: Operation[]) => {
    if (onPath.length) {
      const t = onPath[0]!.template;
      const allowed = [...new Set(ops[api].filter((o) => o.template === t).map((o) => o.method))].join(', ');
      return `${api} ${method.toUpperCase()} ${pathname}: the spec has no ${method.toUpperCase()} on ${t} (only ${allowed})`;
    }
    const prefix = String(main[api].doc.servers?.[0]?.url ?? '');
    if (prefix && !pathname.startsWith(prefix + '/')) return `${api} ${method.toUpperCase()} ${pathname}: not under the API base path ${prefix}`;
    return `${api} ${method.toUpperCase()} ${pathname}: no operation in ${SPEC_FILES[api]} matches this path`;
  };

  /** a parameter value from the URL → the JSON value its schema expects ('5' → 5, 'true' → true) */
  const primitive = (spec: SpecDoc, schema: Json, depth = 0): string | undefined => {
    if (!schema || typeof schema !== 'object' || depth > 10) return undefined;
    if (schema.$ref) {
      const r = specs.resolve(spec, schema);
      return primitive(r.spec, r.value, depth + 1);
    }
    if (typeof schema.type === 'string') return schema.type;
    for (const p of schema.allOf ?? []) {
      const t = primitive(spec, p, depth + 1);
      if (t) return t;
    }
    if (schema.items) return 'array';
    return undefined;
  };
  const coerce = (type: string | undefined, v: string): unknown => {
    if (type === 'integer' || type === 'number') return v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
    if (type === 'boolean') return v === 'true' ? true : v === 'false' ? false : v;
    return v;
  };
  const itemsOf = (spec: SpecDoc, schema: Json): { spec: SpecDoc; schema: Json } => {
    const r = specs.resolve(spec, schema);
    if (r.value.items) return { spec: r.spec, schema: r.value.items };
    for (const p of r.value.allOf ?? []) {
      const f = itemsOf(r.spec, p);
      if (f.schema) return f;
    }
    return { spec: r.spec, schema: undefined };
  };
  /** properties of an object parameter (form style, exploded: each property is its own query parameter) */
  const objectProps = (spec: SpecDoc, schema: Json, depth = 0): Map<string, { spec: SpecDoc; schema: Json }> => {
    const out = new Map<string, { spec: SpecDoc; schema: Json }>();
    if (!schema || depth > 10) return out;
    const r = specs.resolve(spec, schema);
    for (const [k, v] of Object.entries<Json>(r.value.properties ?? {})) out.set(k, { spec: r.spec, schema: v });
    for (const p of r.value.allOf ?? []) for (const [k, v] of objectProps(r.spec, p, depth + 1)) out.set(k, v);
    return out;
  };

  const checkValue = (op: Operation, label: string, key: string, spec: SpecDoc, schema: Json, raw: string[]): string[] => {
    const type = primitive(spec, schema);
    let value: unknown;
    if (type === 'array') {
      const it = itemsOf(spec, schema);
      const itType = primitive(it.spec, it.schema);
      value = raw.map((x) => coerce(itType, x));
    } else {
      if (raw.length > 1) return [`${label}: given ${raw.length} times but is not an array`];
      value = coerce(type, raw[0]!);
    }
    const fn = inline(`${op.api}|${op.operationId}|param|${key}`, spec, schema, 'req');
    return fn(value) ? [] : describeErrors(fn.errors, label);
  };

  const validateParams = (op: Operation, params: Record<string, string>, query: string, headers: RequestToCheck['headers']): string[] => {
    const errs: string[] = [];
    for (const p of op.params.filter((x) => x.in === 'path')) {
      if (!(p.name in params)) errs.push(`path parameter ${p.name}: missing`);
      else errs.push(...checkValue(op, `path parameter ${p.name}`, `path:${p.name}`, p.spec, p.schema, [params[p.name]!]));
    }
    const given = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(query)) given.set(k, [...(given.get(k) ?? []), v]);
    const queryParams = op.params.filter((x) => x.in === 'query');
    const exploded = new Map<string, { param: Param; spec: SpecDoc; schema: Json }>();
    for (const p of queryParams) {
      if (primitive(p.spec, p.schema) !== 'object') continue;
      for (const [k, v] of objectProps(p.spec, p.schema)) exploded.set(k, { param: p, ...v });
    }
    for (const [k, values] of given) {
      const direct = queryParams.find((p) => p.name === k && primitive(p.spec, p.schema) !== 'object');
      if (direct) errs.push(...checkValue(op, `query parameter ${k}`, `query:${k}`, direct.spec, direct.schema, values));
      else if (exploded.has(k)) {
        const e = exploded.get(k)!;
        errs.push(...checkValue(op, `query parameter ${k} (of ${e.param.name})`, `query:${e.param.name}.${k}`, e.spec, e.schema, values));
      } else {
        const declared = [...queryParams.filter((p) => !exploded.size || primitive(p.spec, p.schema) !== 'object').map((p) => p.name), ...exploded.keys()];
        errs.push(`query parameter ${k}: not declared${declared.length ? ` (declared: ${declared.join(', ')})` : ' (the operation takes none)'}`);
      }
    }
    for (const p of queryParams) {
      if (p.required && primitive(p.spec, p.schema) !== 'object' && !given.has(p.name)) errs.push(`query parameter ${p.name}: required but missing`);
    }
    if (headers) {
      const h = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]));
      for (const p of op.params.filter((x) => x.in === 'header')) {
        if (p.required && !h.get(p.name.toLowerCase())) errs.push(`header ${p.name}: required but missing`);
      }
      if (op.apiKey) {
        const auth = h.get('authorization');
        if (!auth) errs.push('header Authorization: required (X-Road-ApiKey token=<key>) but missing');
        else if (!/^X-Road-ApiKey token=\S+$/.test(auth))
          errs.push(`header Authorization: must be "X-Road-ApiKey token=<key>" (got "${auth.replace(/token=.*/, 'token=…').slice(0, 40)}")`);
      }
    }
    return errs;
  };

  const validateRequest = (r: RequestToCheck): string[] => {
    const m = match(r.api, r.method, r.path);
    if (!m.op) return [notFound(r.api, r.method, m.pathname, m.onPath)];
    const op = m.op;
    const where = `${r.api} ${op.operationId} request`;
    const errs = validateParams(op, m.params, m.query, r.headers).map((e) => `${where} ${e}`);
    if (m.badEncoding) errs.push(`${where} path ${m.pathname}: bad percent-encoding`);
    const rb = op.requestBody;
    if (isEmpty(r.body)) {
      if (rb?.required) errs.push(`${where} body: required (${Object.keys(rb.content).join(', ')}) but missing`);
      return errs;
    }
    if (!rb) return [...errs, `${where} body: the operation takes no request body but one was sent (${preview(r.body)})`];
    const ct = mediaType(r.contentType) ?? (r.body instanceof Uint8Array ? 'application/octet-stream' : 'application/json');
    const key = pickContent(rb.content, ct);
    if (!key) return [...errs, `${where} content-type ${ct}: not accepted (the spec takes ${Object.keys(rb.content).join(', ')})`];
    const schema = rb.content[key]?.schema;
    if (isJsonType(ct)) {
      if (r.body instanceof Uint8Array) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.from(r.body).toString('utf8'));
        } catch {
          return [...errs, `${where} body: not valid JSON (${preview(r.body)})`];
        }
        return [...errs, ...validateJson(`req|${op.api}|${op.operationId}|body|${key}`, op.spec, schema, parsed, where)];
      }
      return [...errs, ...validateJson(`req|${op.api}|${op.operationId}|body|${key}`, op.spec, schema, r.body, where)];
    }
    return errs; // octet-stream, multipart, xml: present is all we check
  };

  const validateJson = (key: string, spec: SpecDoc, schema: Json, body: unknown, where: string, mode: Mode = 'req'): string[] => {
    if (!schema) return [];
    // `type: string, format: binary` is a file whatever the media type (downloadDiagnosticsReport: a JSON file): bytes, no schema
    const resolved = specs.resolve(spec, schema).value;
    if (resolved?.type === 'string' && resolved.format === 'binary') return [];
    const fn = compiled(key, () => translator.translate(spec, schema, mode, key));
    return fn(body) ? [] : describeErrors(fn.errors, 'body').map((e) => `${where} ${e}`);
  };

  const validateResponse = (r: ResponseToCheck): string[] => {
    const m = match(r.api, r.method, r.path);
    if (!m.op) return [notFound(r.api, r.method, m.pathname, m.onPath)];
    const op = m.op;
    const where = `${r.api} ${op.operationId} ${r.status} response`;
    const statusKey = [String(r.status), `${String(r.status)[0]}XX`, 'default'].find((k) => k in op.responses);
    if (!statusKey) return [`${where}: status ${r.status} is not declared for ${op.operationId} (declared: ${Object.keys(op.responses).join(', ')})`];
    const content = op.responses[statusKey]!.content;
    const ct = mediaType(r.contentType) ?? (r.body instanceof Uint8Array ? 'application/octet-stream' : 'application/json');
    const errs: string[] = [];
    let body = r.body;
    if (!isEmpty(body) && isJsonType(ct) && body instanceof Uint8Array) {
      try {
        body = JSON.parse(Buffer.from(body).toString('utf8'));
      } catch {
        return [`${where} body: not valid JSON (${preview(body)})`];
      }
    }
    if (
      r.status >= 400 &&
      !isEmpty(body) &&
      isJsonType(ct) &&
      body &&
      typeof body === 'object' &&
      typeof (body as { status?: unknown }).status === 'number' &&
      (body as { status: number }).status !== r.status
    ) {
      errs.push(`${where} body.status: ErrorInfo says ${(body as { status: number }).status} but the HTTP status is ${r.status}`);
    }
    if (!content || !Object.keys(content).length) {
      if (isEmpty(body)) return errs;
      if (r.status >= 400) {
        // X-Road lists most error statuses without content, yet answers them with ErrorInfo
        if (!isJsonType(ct)) return [...errs, `${where} content-type ${ct}: an error answer carries ErrorInfo as application/json`];
        const fn = errorInfo(op.api);
        return fn(body) ? errs : [...errs, ...describeErrors(fn.errors, 'body').map((e) => `${where} ErrorInfo ${e}`)];
      }
      return [...errs, `${where} body: the spec declares no body for ${statusKey} but one was sent (${preview(body)})`];
    }
    if (isEmpty(body)) return [...errs, `${where} body: the spec declares ${Object.keys(content).join(', ')} for ${statusKey} but the body is empty`];
    const key = pickContent(content, ct);
    if (!key) return [...errs, `${where} content-type ${ct}: not declared (declared: ${Object.keys(content).join(', ')})`];
    if (!isJsonType(ct)) return errs;
    return [...errs, ...validateJson(`res|${op.api}|${op.operationId}|${statusKey}|${key}`, op.spec, content[key]?.schema, body, where, 'res')];
  };

  return {
    dir,
    findOperation(api, method, path) {
      const m = match(api, method, path);
      return m.op ? { operationId: m.op.operationId, template: m.op.template, params: m.params } : undefined;
    },
    validateRequest,
    validateResponse,
    operationIds: (api) => ops[api].map((o) => o.operationId).sort(),
    compileAll() {
      for (const api of ['ss', 'cs'] as ApiKind[]) {
        errorInfo(api);
        for (const op of ops[api]) {
          for (const p of op.params) {
            if (p.in === 'path' || p.in === 'header') inline(`${api}|${op.operationId}|param|${p.in}:${p.name}`, p.spec, p.schema, 'req');
            else if (p.in === 'query' && primitive(p.spec, p.schema) === 'object')
              for (const [k, v] of objectProps(p.spec, p.schema)) inline(`${api}|${op.operationId}|param|query:${p.name}.${k}`, v.spec, v.schema, 'req');
            else if (p.in === 'query') inline(`${api}|${op.operationId}|param|query:${p.name}`, p.spec, p.schema, 'req');
          }
          for (const [ct, media] of Object.entries<Json>(op.requestBody?.content ?? {})) {
            if (isJsonType(ct) && media?.schema)
              compiled(`req|${api}|${op.operationId}|body|${ct}`, () => translator.translate(op.spec, media.schema, 'req', ct));
          }
          for (const [status, r] of Object.entries(op.responses)) {
            for (const [ct, media] of Object.entries<Json>(r.content ?? {})) {
              if (isJsonType(ct) && media?.schema)
                compiled(`res|${api}|${op.operationId}|${status}|${ct}`, () => translator.translate(op.spec, media.schema, 'res', ct));
            }
          }
        }
      }
      return cache.size;
    },
  };
}

// ------------------------------------------------------------------------------------------------
// recorded exchanges

/** The sandbox's request log entry (src/sandbox) as a RecordedExchange: server 'cs' → cs, others → ss. */
export function fromSandboxLog(e: {
  server: string;
  method: string;
  path: string;
  query?: string;
  status: number;
  requestBody?: unknown;
  requestContentType?: string;
  responseBody?: unknown;
  responseContentType?: string;
}): RecordedExchange {
  const q = e.query ? (e.query.startsWith('?') ? e.query : `?${e.query}`) : '';
  return {
    api: e.server === 'cs' ? 'cs' : 'ss',
    method: e.method,
    path: e.path + q,
    requestBody: e.requestBody,
    requestContentType: e.requestContentType,
    status: e.status,
    responseBody: rawFromLog(e.responseBody, e.responseContentType),
    responseContentType: e.responseContentType,
  };
}

/**
 * The sandbox log keeps raw answers (files, PEM, a JSON file download) base64-encoded and JSON answers parsed.
 * A string under a non-JSON type is raw; under a JSON type it is raw only when it decodes to JSON text
 * ("NONE", a JSON string answer, does not).
 */
function rawFromLog(body: unknown, contentType: string | undefined): unknown {
  if (typeof body !== 'string' || !contentType) return body;
  const ct = mediaType(contentType)!;
  if (!isJsonType(ct)) return Buffer.from(body, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) return body;
  const bytes = Buffer.from(body, 'base64');
  try {
    JSON.parse(bytes.toString('utf8'));
    return bytes;
  } catch {
    return body;
  }
}

export interface ConformanceSummary {
  checked: number;
  /** 'ss getTokens', 'cs approveManagementRequest', ... */
  operations: string[];
}

/**
 * Validates every exchange (request and response) and throws one error listing every violation,
 * grouped by exchange; returns what was covered when all conform. `requests: false` checks only the
 * answers (tests that send bad requests on purpose), `responses: false` only what was sent.
 */
export function assertConforms(
  validator: OpenApiValidator,
  exchanges: readonly RecordedExchange[],
  opts: { requests?: boolean; responses?: boolean } = {},
): ConformanceSummary {
  const lines: string[] = [];
  const operations = new Set<string>();
  let bad = 0;
  exchanges.forEach((x, i) => {
    const op = validator.findOperation(x.api, x.method, x.path);
    if (op) operations.add(`${x.api} ${op.operationId}`);
    const problems = [
      ...(opts.requests !== false || !op
        ? validator.validateRequest({
            api: x.api,
            method: x.method,
            path: x.path,
            headers: x.requestHeaders,
            body: x.requestBody,
            contentType: x.requestContentType,
          })
        : []),
      ...(op && opts.responses !== false
        ? validator.validateResponse({ api: x.api, method: x.method, path: x.path, status: x.status, body: x.responseBody, contentType: x.responseContentType })
        : []),
    ];
    if (!problems.length) return;
    bad++;
    lines.push(`#${i + 1} ${x.api} ${x.method.toUpperCase()} ${x.path} → ${x.status}${op ? ` (${op.operationId})` : ''}`);
    for (const p of problems) lines.push(`    - ${p}`);
  });
  if (bad) throw new Error(`${bad} of ${exchanges.length} exchanges do not conform to the X-Road OpenAPI files:\n${lines.join('\n')}`);
  return { checked: exchanges.length, operations: [...operations].sort() };
}
