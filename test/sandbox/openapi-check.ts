/**
 * OpenAPI conformance checks for the sandbox tests: validates recorded requests and responses against
 * ../shared/xroad-openapi (read in place, never copied). Used until test/support/openapi.ts exists.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
export const SPEC_DIR = resolve(here, '../../../shared/xroad-openapi');

type Doc = { paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, unknown> } };
type Op = { operationId?: string; requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> }; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> };

export interface Checker {
  /** returns a list of problems (empty = conforms) */
  checkRequest(op: string, body: unknown, contentType?: string): string[];
  checkResponse(op: string, status: number, body: unknown, contentType?: string): string[];
  ops: Map<string, { method: string; path: string; op: Op }>;
}

function collectFormats(o: unknown, out: Set<string>): void {
  if (Array.isArray(o)) o.forEach((x) => collectFormats(x, out));
  else if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) {
      if (k === 'format' && typeof v === 'string') out.add(v);
      else collectFormats(v, out);
    }
  }
}

export async function createChecker(file: 'security-server-admin-api.yaml' | 'central-server-admin-api.yaml'): Promise<Checker> {
  const path = resolve(SPEC_DIR, file);
  YAML.parse(readFileSync(path, 'utf8')); // fail early with a clear message if missing
  const doc = (await $RefParser.bundle(path)) as unknown as Doc;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  (addFormatsImport as unknown as (a: Ajv) => void)(ajv);
  const fmts = new Set<string>();
  collectFormats(doc, fmts);
  const known = new Set(['date-time', 'date', 'uri', 'email', 'uuid', 'int32', 'int64']);
  for (const f of fmts) if (!known.has(f)) ajv.addFormat(f, true);
  ajv.addFormat('int32', true);
  ajv.addFormat('int64', true);
  ajv.addSchema({ ...(doc as object), $id: 'spec' } as object, 'spec');
  const ops = new Map<string, { method: string; path: string; op: Op }>();
  for (const [p, methods] of Object.entries(doc.paths)) for (const [m, op] of Object.entries(methods)) if (op && typeof op === 'object' && op.operationId) ops.set(op.operationId, { method: m.toUpperCase(), path: p, op });
  const cache = new Map<unknown, ValidateFunction>();
  const compile = (schema: unknown): ValidateFunction => {
    let v = cache.get(schema);
    if (!v) {
      // schemas inside the bundled doc reference '#/components/...': resolve them against 'spec'
      const rewritten = JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"spec#/'));
      v = ajv.compile(rewritten);
      cache.set(schema, v);
    }
    return v;
  };
  const errs = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
  return {
    ops,
    checkRequest(opId, body, contentType) {
      const o = ops.get(opId);
      if (!o) return [`unknown operation ${opId}`];
      const rb = o.op.requestBody;
      if (!rb) return body === undefined ? [] : [`${opId}: the spec has no request body`];
      if (body === undefined) return rb.required ? [`${opId}: request body required`] : [];
      const ct = contentType ?? 'application/json';
      const media = rb.content?.[ct];
      if (!media) return [`${opId}: request content-type ${ct} not in spec (${Object.keys(rb.content ?? {}).join(',')})`];
      if (ct !== 'application/json' || !media.schema) return [];
      const v = compile(media.schema);
      return v(body) ? [] : errs(v).map((e) => `${opId} request ${e}`);
    },
    checkResponse(opId, status, body, contentType) {
      const o = ops.get(opId);
      if (!o) return [`unknown operation ${opId}`];
      const r = o.op.responses?.[String(status)];
      if (!r) return [`${opId}: status ${status} not in spec (${Object.keys(o.op.responses ?? {}).join(',')})`];
      if (!r.content) {
        if (body === undefined || body === '') return [];
        // error statuses the spec lists without content still carry X-Road's ErrorInfo
        if (status >= 400 && (contentType ?? 'application/json') === 'application/json') {
          const v = compile({ $ref: '#/components/schemas/ErrorInfo' });
          return v(body) ? [] : errs(v).map((e) => `${opId} ${status} ErrorInfo ${e}`);
        }
        return [`${opId} ${status}: spec has no body but one was sent`];
      }
      if (body === undefined) return [`${opId} ${status}: spec has a body but none was sent`];
      const ct = contentType ?? 'application/json';
      const media = r.content[ct] ?? (ct === 'application/octet-stream' ? r.content['application/octet-stream'] : undefined);
      if (!media) return [`${opId} ${status}: content-type ${ct} not in spec (${Object.keys(r.content).join(',')})`];
      if (ct !== 'application/json' || !media.schema) return [];
      const v = compile(media.schema);
      return v(body) ? [] : errs(v).map((e) => `${opId} ${status} response ${e}`);
    },
  };
}
