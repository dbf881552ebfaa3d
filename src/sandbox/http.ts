/**
 * The sandbox's HTTP envelope: routing by path template, X-Road API-key auth with roles, per-client rate limit,
 * body size limits, correlation ids, ErrorInfo bodies, fault injection, request log and the control endpoints.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CodeWithDetails, ErrorInfo } from '../api/types/ss.js';

export class ApiError extends Error {
  constructor(
    public status: number,
    public code?: string,
    public metadata?: string[],
    public warnings?: CodeWithDetails[],
    public validationErrors?: Record<string, string[]>,
  ) {
    super(code ?? String(status));
  }
  toBody(): ErrorInfo {
    const body: ErrorInfo = { status: this.status };
    if (this.code) {
      body.error = { code: this.code };
      if (this.metadata) body.error.metadata = this.metadata;
      if (this.validationErrors) body.error.validation_errors = this.validationErrors;
    }
    if (this.warnings) body.warnings = this.warnings;
    return body;
  }
}

export const bad = (code: string, ...metadata: string[]) => new ApiError(400, code, metadata.length ? metadata : undefined);
export const notFound = (code: string, ...metadata: string[]) => new ApiError(404, code, metadata.length ? metadata : undefined);
export const conflict = (code: string, ...metadata: string[]) => new ApiError(409, code, metadata.length ? metadata : undefined);
export const forbidden = () => new ApiError(403);
export const warningsDetected = (warnings: CodeWithDetails[]) => new ApiError(400, 'warnings_detected', undefined, warnings);
export const validation = (field: string, rule: string) => new ApiError(400, 'validation_failure', undefined, undefined, { [field]: [rule] });

export interface Resp {
  status: number;
  body?: unknown; // JSON
  raw?: Buffer; // octet-stream
  headers?: Record<string, string>;
}

export interface Ctx {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Buffer;
  roles: Set<string>;
  /** who the API key authenticates as (GET /user's username) */
  principal: string;
  contentType: string;
  /** the whole Content-Type header (with parameters such as the multipart boundary) */
  contentTypeHeader: string;
  /** parse the body as a JSON object (400 on malformed / non-object) */
  json(): Record<string, unknown>;
  jsonAny(): unknown;
  requireRole(...roles: string[]): void;
}

export interface Route {
  method: string;
  path: string;
  op: string;
  roles: string[] | 'any';
  write?: boolean;
  upload?: boolean;
  /** a spec operation the sandbox answers 501 (not-modelled.ts) */
  notModelled?: boolean;
  h(c: Ctx): Resp | Promise<Resp>;
}

interface CompiledRoute extends Route {
  re: RegExp;
  names: string[];
}

export function compileRoutes(routes: Route[]): CompiledRoute[] {
  return routes.map((r) => {
    const names: string[] = [];
    const re = new RegExp(
      '^' +
        r.path
          .replace(/[.*+?^${}()|[\]\\]/g, (m) => (m === '{' || m === '}' ? m : '\\' + m))
          .replace(/\{([a-z_]+)\}/g, (_m, n: string) => {
            names.push(n);
            return '([^/]+)';
          }) +
        '$',
    );
    return { ...r, re, names };
  });
}

export function matchRoute(
  routes: CompiledRoute[],
  method: string,
  path: string,
): { route?: CompiledRoute; params: Record<string, string>; pathMatched: boolean } {
  let pathMatched = false;
  // literal segments win over params: routes are tried in declaration order, and templates with fewer params first
  for (const r of routes) {
    const m = r.re.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => {
      params[n] = safeDecode(m[i + 1]!);
    });
    return { route: r, params, pathMatched };
  }
  return { params: {}, pathMatched };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------- faults ----------
export interface FaultSpec {
  id?: string;
  /** server name (cs, ss1, …) or '*' */
  server: string;
  /** operationId or 'METHOD /path/template' or '*' */
  operation: string;
  /** answer with this HTTP status and an X-Road error body */
  status?: number;
  code?: string;
  metadata?: string[];
  /** added latency in ms (then the request proceeds, or the status answer is sent) */
  latencyMs?: number;
  /** destroy the connection without an answer */
  reset?: boolean;
  /** never answer (until the sandbox stops) */
  hang?: boolean;
  /**
   * the operation runs, then its 2xx answer is mangled as a broken proxy in front of the server would:
   * `truncated` (half the body, then the connection drops; Content-Length promises more), `invalid-json`
   * (200 application/json that does not parse), `html-200` (200 text/html, a login page), `schema` (200 JSON of
   * the wrong shape: lists become objects, objects lists, ids null; an answer without a JSON body is left alone)
   */
  corrupt?: Corruption;
  /** apply to the next N matching calls, then the fault is removed */
  times?: number;
  /** apply with this probability (0..1), with `seed` for a reproducible sequence */
  probability?: number;
  seed?: number;
}

export const CORRUPTIONS = ['truncated', 'invalid-json', 'html-200', 'schema'] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

/** lists become objects, objects lists of their values, ids null: valid JSON that breaks every schema */
function wrongShape(v: unknown, depth = 0): unknown {
  if (depth > 50) return v;
  if (Array.isArray(v)) return { items: v.map((x) => wrongShape(x, depth + 1)) };
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => (k === 'id' || k.endsWith('_id') ? null : wrongShape(x, depth + 1)));
  return v;
}

/** Send r mangled (a corrupt fault); false when there is nothing to mangle (a schema fault on an answer without a JSON body). */
function sendCorrupted(res: ServerResponse, r: Resp, corr: string, kind: Corruption): boolean {
  const page = (status: number, type: string, text: string) => send(res, { status, raw: Buffer.from(text), headers: { 'content-type': type } }, corr);
  if (kind === 'invalid-json') page(200, 'application/json', '{"id": "1", "keys": [tru');
  else if (kind === 'html-200') page(200, 'text/html; charset=utf-8', '<!doctype html><html><body><h1>Please log in</h1></body></html>');
  else if (kind === 'schema') {
    if (r.body === undefined || r.raw) return false;
    send(res, { ...r, body: wrongShape(r.body) }, corr);
  } else {
    const full = r.raw ?? (r.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(r.body)));
    res.writeHead(r.status === 204 ? 200 : r.status, {
      'x-road-ui-correlation-id': corr,
      ...(r.headers ?? {}),
      ...(r.body !== undefined && !r.raw ? { 'content-type': 'application/json' } : {}),
      'content-length': String(Math.max(full.length, 2)),
    });
    res.write(full.subarray(0, Math.floor(full.length / 2)));
    setImmediate(() => res.socket?.destroy());
  }
  return true;
}

export class FaultTable {
  private faults: Array<FaultSpec & { id: string; rng?: () => number }> = [];
  private n = 0;
  add(f: FaultSpec): string {
    if (!f.server || !f.operation) throw new Error('fault needs server and operation');
    const id = f.id ?? `f${++this.n}`;
    const rng = f.probability !== undefined ? mulberry32(f.seed ?? 1) : undefined;
    this.faults.push({ ...f, id, rng });
    return id;
  }
  list(): FaultSpec[] {
    return this.faults.map(({ rng: _r, ...f }) => ({ ...f }));
  }
  clear(server?: string): void {
    this.faults = server ? this.faults.filter((f) => f.server !== server) : [];
  }
  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }
  /** the fault to apply to this call, if any (consumes `times`) */
  /** a corrupt fault met an answer with nothing to mangle (not 2xx): it waits for the operation's next answer */
  giveBack(f: FaultSpec & { id?: string }): void {
    if (f.times === undefined) return;
    const held = this.faults.find((x) => x === f);
    if (held) held.times = (held.times ?? 0) + 1;
    else {
      f.times = 1;
      this.faults.unshift(f as FaultSpec & { id: string });
    }
  }
  take(server: string, op: string, methodPath: string): FaultSpec | undefined {
    for (const f of this.faults) {
      if (f.server !== '*' && f.server !== server) continue;
      if (f.operation !== '*' && f.operation !== op && f.operation !== methodPath) continue;
      if (f.rng && f.rng() >= (f.probability ?? 1)) continue;
      if (f.times !== undefined) {
        f.times -= 1;
        if (f.times <= 0) this.faults = this.faults.filter((x) => x !== f);
      }
      return f;
    }
    return undefined;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------- rate limit ----------
export class RateLimiter {
  private hits = new Map<string, number[]>();
  constructor(
    private perSecond: number,
    private perMinute: number,
  ) {}
  allow(client: string, nowMs: number): boolean {
    const arr = (this.hits.get(client) ?? []).filter((t) => nowMs - t < 60_000);
    const lastSec = arr.filter((t) => nowMs - t < 1000).length;
    if (lastSec >= this.perSecond || arr.length >= this.perMinute) {
      this.hits.set(client, arr);
      return false;
    }
    arr.push(nowMs);
    this.hits.set(client, arr);
    return true;
  }
}

// ---------- request log ----------
export interface RequestLogEntry {
  at: string;
  server: string;
  method: string;
  path: string;
  operationId?: string;
  status: number;
  write: boolean;
  correlationId: string;
  fault?: string;
  requestBody?: unknown;
  responseBody?: unknown;
  requestContentType?: string;
  responseContentType?: string;
  query?: string;
}

const SECRET_FIELDS = new Set(['password', 'software_token_pin', 'old_pin', 'new_pin', 'pin']);
/** PINs never reach the request log, even when bodies are recorded */
export function redactSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactSecrets);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, SECRET_FIELDS.has(k) && typeof x === 'string' && x.length ? '********' : redactSecrets(x)]),
    );
  }
  return v;
}

export const JSON_LIMIT = 50 * 1024;
export const UPLOAD_LIMIT = 10 * 1024 * 1024;

export interface ListenerDeps {
  server: string;
  routes: CompiledRoute[];
  apiKeys: () => Record<string, string[]>; // key → roles
  /** key → principal name (GET /user); default 'api-key' */
  principals?: () => Record<string, string>;
  /** default mode: the real server's status for a spec status of an operation (deviations.ts); strict mode: none */
  deviate?: (operationId: string, status: number) => number | undefined;
  controlToken: string;
  faults: FaultTable;
  /** called once a request is authenticated and routed, before its fault and its handler (SandboxHandle.snapshotsBefore) */
  beforeOperation?: (operationId: string) => void;
  limiter: () => RateLimiter | undefined;
  log: (e: RequestLogEntry) => void;
  record: boolean;
  control: (method: string, path: string, body: Buffer, query: URLSearchParams) => Promise<Resp>;
  /** a write (operationId) is about to run, or has run (whatever its answer): what it may change must be written at the next commit */
  writing?: (op: string) => void;
  afterWrite: () => void | Promise<void>;
  isStopping: () => boolean;
  hanging: Set<ServerResponse>;
  /** the sandbox clock: answers carry it in the Date header, as a real server carries its own time */
  now?: () => Date;
}

function send(res: ServerResponse, r: Resp, corr: string): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { 'x-road-ui-correlation-id': corr, ...(r.headers ?? {}) };
  if (r.raw) {
    headers['content-type'] ??= 'application/octet-stream';
    headers['content-length'] = String(r.raw.length);
    res.writeHead(r.status, headers);
    res.end(r.raw);
    return;
  }
  if (r.body === undefined) {
    res.writeHead(r.status, headers);
    res.end();
    return;
  }
  const buf = Buffer.from(JSON.stringify(r.body));
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(buf.length);
  res.writeHead(r.status, headers);
  res.end(buf);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      resolve('too-large');
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        resolve('too-large');
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}

const API_PREFIX = '/api/v1';

export function makeHandler(d: ListenerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const corr = randomUUID();
    if (d.now) res.setHeader('date', d.now().toUTCString());
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const entry: RequestLogEntry = { at: new Date().toISOString(), server: d.server, method, path: url.pathname, status: 0, write: false, correlationId: corr };
    if (url.search) entry.query = url.search;
    const finish = (r: Resp) => {
      entry.status = r.status;
      if (d.record) {
        entry.responseBody = r.raw ? r.raw.toString('base64') : r.body;
        entry.responseContentType = r.raw ? (r.headers?.['content-type'] ?? 'application/octet-stream') : r.body === undefined ? undefined : 'application/json';
      }
      send(res, r, corr);
      if (!url.pathname.startsWith('/__sandbox')) d.log(entry);
    };
    const fail = (e: ApiError) => finish({ status: e.status, body: e.toBody() });
    try {
      // control endpoints (separate token)
      if (url.pathname.startsWith('/__sandbox/')) {
        const auth = req.headers['authorization'] ?? '';
        const tok = (Array.isArray(auth) ? auth[0] : auth).replace(/^Bearer\s+/i, '');
        const body = await readBody(req, UPLOAD_LIMIT);
        if (body === 'too-large') return fail(new ApiError(413));
        if (tok !== d.controlToken) return fail(new ApiError(401));
        finish(await d.control(method, url.pathname.slice('/__sandbox'.length), body, url.searchParams));
        return;
      }
      if (!url.pathname.startsWith(API_PREFIX + '/')) return fail(notFound('not_found'));
      const path = url.pathname.slice(API_PREFIX.length);
      // rate limit first: each real server counts every request from the IP (its own window: the
      // central server and each security server are separate machines with separate limits)
      const limiter = d.limiter();
      if (limiter && !limiter.allow(`${d.server} ${req.socket.remoteAddress ?? '?'}`, Date.now())) {
        req.resume();
        entry.status = 429;
        send(res, { status: 429, body: { status: 429, error: { code: 'too_many_requests' } }, headers: { 'retry-after': '1' } }, corr);
        d.log(entry);
        return;
      }
      const { route, params, pathMatched } = matchRoute(d.routes, method, path);
      const limit = route?.upload ? UPLOAD_LIMIT : JSON_LIMIT;
      const body = await readBody(req, limit);
      if (body === 'too-large') {
        res.setHeader('connection', 'close');
        return fail(new ApiError(413, 'payload_too_large'));
      }
      // authentication
      const authz = String(req.headers['authorization'] ?? '');
      const m = /^X-Road-ApiKey\s+token=(.+)$/i.exec(authz.trim());
      const roles = m ? d.apiKeys()[m[1]!.trim()] : undefined;
      if (!roles) return finish({ status: 401 });
      if (!route) return fail(pathMatched ? new ApiError(405, 'method_not_allowed') : notFound('not_found'));
      entry.operationId = route.op;
      entry.write = !!route.write;
      const roleSet = new Set(roles);
      if (route.roles !== 'any' && !route.roles.some((r) => roleSet.has(r))) return finish({ status: 403, body: { status: 403 } });
      const contentType = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      if (d.record) {
        entry.requestContentType = contentType || undefined;
        if (body.length) {
          if (contentType === 'application/json') {
            try {
              entry.requestBody = redactSecrets(JSON.parse(body.toString('utf8')));
            } catch {
              entry.requestBody = body.toString('utf8');
            }
          } else entry.requestBody = body.toString('base64');
        }
      }
      d.beforeOperation?.(route.op);
      // faults
      const fault = d.faults.take(d.server, route.op, `${method} ${route.path}`);
      // an error answer (a 404 for "is it there?") has no body to mangle: a corrupt fault waits for the operation's next answer
      const keepCorruption = () => {
        d.faults.giveBack(fault!);
        delete entry.fault;
      };
      if (fault) {
        entry.fault = fault.id;
        if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
        if (fault.hang) {
          d.hanging.add(res);
          res.on('close', () => d.hanging.delete(res));
          entry.status = -1;
          d.log(entry);
          return;
        }
        if (fault.reset) {
          entry.status = -1;
          d.log(entry);
          req.socket.destroy();
          return;
        }
        if (fault.status) {
          const e = new ApiError(fault.status, fault.code ?? (fault.status >= 500 ? 'internal_error' : 'sandbox_fault'), fault.metadata);
          return fail(e);
        }
      }
      if (d.isStopping()) return fail(new ApiError(503, 'service_unavailable'));
      let parsed: unknown;
      let parsedOk = false;
      // like Spring, a JSON body is read before the operation runs: malformed JSON is a 400 whatever the ids
      if (body.length && contentType === 'application/json' && !route.upload) {
        try {
          parsed = JSON.parse(body.toString('utf8'));
          parsedOk = true;
        } catch {
          return fail(new ApiError(400, 'invalid_json'));
        }
      }
      const ctx: Ctx = {
        method,
        path,
        params,
        query: url.searchParams,
        body,
        roles: roleSet,
        principal: d.principals?.()[m?.[1]?.trim() ?? ''] ?? 'api-key',
        contentType,
        contentTypeHeader: String(req.headers['content-type'] ?? ''),
        jsonAny() {
          if (!parsedOk) {
            if (!body.length) throw new ApiError(400, 'request_body_missing');
            try {
              parsed = JSON.parse(body.toString('utf8'));
            } catch {
              throw new ApiError(400, 'invalid_json');
            }
            parsedOk = true;
          }
          return parsed;
        },
        json() {
          const v = this.jsonAny();
          if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ApiError(400, 'invalid_json', ['expected a JSON object']);
          return v as Record<string, unknown>;
        },
        requireRole(...rs: string[]) {
          if (!rs.some((r) => roleSet.has(r))) throw forbidden();
        },
      };
      let r: Resp;
      if (route.write) d.writing?.(route.op);
      try {
        r = await route.h(ctx);
      } catch (e) {
        if (route.write) d.writing?.(route.op);
        if (fault?.corrupt) keepCorruption();
        if (e instanceof ApiError) {
          if (e.status === 403 && !e.code) return finish({ status: 403, body: { status: 403 } });
          return fail(e);
        }
        throw e;
      }
      if (route.write) d.writing?.(route.op);
      if (route.write && r.status < 300) await d.afterWrite();
      const real = d.deviate?.(route.op, r.status);
      if (real !== undefined) r = { ...r, status: real, ...(real === 204 ? { body: undefined, raw: undefined, headers: undefined } : {}) };
      if (fault?.corrupt && r.status >= 200 && r.status < 300) {
        entry.status = r.status;
        if (sendCorrupted(res, r, corr, fault.corrupt)) return d.log(entry);
      } else if (fault?.corrupt) keepCorruption();
      finish(r);
    } catch (e) {
      // never leak internals (no secrets are in messages, but keep it short)
      const msg = e instanceof Error ? e.message.slice(0, 200) : 'error';
      finish({ status: 500, body: { status: 500, error: { code: 'internal_error', metadata: [msg] } } });
    }
  };
}
