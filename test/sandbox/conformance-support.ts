/**
 * The sandbox's conformance checks on the full validator (test/support/openapi.ts), in its two modes:
 * - 'real' (the default sandbox): exactly the deviations of src/sandbox/deviations.ts are accepted, nothing else
 *   (an answer with a deviation's real status is validated as the spec status it replaces);
 * - 'strict' (`strictSpec: true`): exactly the spec.
 * GET /user lives in common-admin-api.yaml, which the SS and CS files do not include: it is checked against that
 * file's User schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import { DEVIATIONS, OMISSIONS } from '../../src/sandbox/deviations.js';
import type { RequestLogEntry } from '../../src/sandbox/index.js';
import { createOpenApiValidator, fromSandboxLog, openApiDir, type OpenApiValidator } from '../support/openapi.js';

export type Mode = 'real' | 'strict';
type Api = 'ss' | 'cs';

export interface SandboxConformance {
  mode: Mode;
  validator: OpenApiValidator;
  /** problems of one logged exchange (request and/or response) */
  entry(e: RequestLogEntry, o?: { requests?: boolean; responses?: boolean }): string[];
  /** problems of one answer (full path with /api/v1 and query) */
  response(api: Api, method: string, path: string, status: number, body: unknown, contentType?: string): string[];
  request(api: Api, method: string, path: string, body: unknown, contentType?: string): string[];
  /** does the operation take a JSON request body (per the spec) */
  takesJson(api: Api, operationId: string): boolean;
}

let userSchema: ((v: unknown) => boolean) | undefined;
function userValid(body: unknown): boolean {
  if (!userSchema) {
    const doc = YAML.parse(readFileSync(join(openApiDir()!, 'common-admin-api.yaml'), 'utf8')) as { components: { schemas: Record<string, unknown> } };
    const ajv = new Ajv({ strict: false });
    ajv.addFormat('text', true);
    userSchema = ajv.compile(doc.components.schemas.User as object);
  }
  return userSchema(body);
}

const jsonOps = new Map<string, boolean>();
function loadJsonOps(): void {
  if (jsonOps.size) return;
  for (const [api, file] of [
    ['ss', 'security-server-admin-api.yaml'],
    ['cs', 'central-server-admin-api.yaml'],
  ] as const) {
    const doc = YAML.parse(readFileSync(join(openApiDir()!, file), 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string; requestBody?: { content?: Record<string, unknown>; $ref?: string } }>>;
      components?: { requestBodies?: Record<string, { content?: Record<string, unknown> }> };
    };
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        if (!op?.operationId) continue;
        let rb = op.requestBody;
        if (rb?.$ref) rb = doc.components?.requestBodies?.[rb.$ref.split('/').pop()!];
        jsonOps.set(`${api} ${op.operationId}`, !!rb?.content?.['application/json']);
      }
    }
  }
}

export async function sandboxConformance(mode: Mode = 'real'): Promise<SandboxConformance> {
  const validator = await createOpenApiValidator();
  const response = (api: Api, method: string, path: string, status: number, body: unknown, contentType?: string): string[] => {
    const bare = path.split('?')[0]!;
    if (/\/api\/v1\/user$/.test(bare) && method.toUpperCase() === 'GET') {
      if (status !== 200) return status >= 400 ? [] : [`${api} getUser ${status}: common-admin-api declares 200`];
      const parsed = body instanceof Uint8Array ? JSON.parse(Buffer.from(body).toString('utf8')) : body;
      return userValid(parsed) ? [] : [`${api} getUser 200 response: not a common-admin-api User (${JSON.stringify(parsed).slice(0, 200)})`];
    }
    const op = validator.findOperation(api, method, path);
    const omitted = OMISSIONS.filter((o) => o.api === api && op && o.operationIds.includes(op.operationId)).map(
      (o) => `body.${o.property}: required but missing`,
    );
    const allowed = (problems: string[]) => problems.filter((p) => !omitted.some((o) => p.endsWith(o)));
    const dev = mode === 'real' && op ? DEVIATIONS.find((d) => d.api === api && d.operationId === op.operationId && d.realStatus === status) : undefined;
    if (!dev) return allowed(validator.validateResponse({ api, method, path, status, body, contentType }));
    // a deviation of the table: the answer is what the spec declares for the status it replaces, the body as the
    // real status has it (none for 204; the real 200s of spec-204 operations send none either)
    const problems = validator.validateResponse({ api, method, path, status: dev.specStatus, body, contentType });
    return allowed(problems).filter((p) => !(/body is empty$/.test(p) && (body === undefined || (body as { length?: number }).length === 0)));
  };
  const request = (api: Api, method: string, path: string, body: unknown, contentType?: string): string[] => {
    if (/\/api\/v1\/user$/.test(path.split('?')[0]!)) return body === undefined ? [] : [`${api} getUser: takes no body`];
    return validator.validateRequest({ api, method, path, body, contentType });
  };
  return {
    mode,
    validator,
    response,
    request,
    entry(e, o = {}) {
      const x = fromSandboxLog(e);
      return [
        ...(o.requests !== false ? request(x.api, x.method, x.path, x.requestBody, x.requestContentType) : []),
        ...(o.responses !== false ? response(x.api, x.method, x.path, x.status, x.responseBody, x.responseContentType) : []),
      ];
    },
    takesJson(api, operationId) {
      loadJsonOps();
      return jsonOps.get(`${api} ${operationId}`) ?? false;
    },
  };
}
