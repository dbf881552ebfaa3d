import { getContext, readContexts, validateUrl, type Context } from '../config/contexts.js';
import { resolveSecret, type SecretRef } from '../config/secrets.js';
import { ConfigError } from '../errors/index.js';
import { preview } from '../input/text.js';
import { HttpClient, type HttpExchange } from '../http/index.js';
import { CentralServerApi } from './central-server.js';
import { SecurityServerApi } from './security-server.js';

export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  prompt?: (message: string) => Promise<string>;
  warn?: (msg: string) => void;
  timeoutMs?: number;
  /** retries of idempotent requests (default 3) and the bound for all attempts of one request */
  retries?: number;
  totalTimeoutMs?: number;
  /** per-server politeness (the real admin API limits each client to 20/s and 600/min) */
  rateLimit?: { perSecond: number; perMinute: number };
  maxSockets?: number;
  onExchange?: (x: HttpExchange) => void;
}

/**
 * XRDCTL_TIMEOUT: seconds one request may take (default 30), for every command. Range-checked:
 * a typo must not mean "wait for ever" or "never wait".
 */
export function requestTimeoutMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.XRDCTL_TIMEOUT;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n >= 0.1 && n <= 3600)) throw new ConfigError(`XRDCTL_TIMEOUT=${preview(v)} is not a number of seconds from 0.1 to 3600`);
  return Math.round(n * 1000);
}

/**
 * XRDCTL_RATE_LIMIT: `PER_SECOND[/PER_MINUTE]`, the requests per server xrdctl allows itself where it paces
 * (apply, plan, health; default 20/600, the real admin API's defaults). Servers configured with other limits
 * (UG-SYSPAR proxy-ui-api `rate-limit-requests-per-second`, `-per-minute`) are matched with it. Range-checked.
 */
export function requestRateLimit(env: NodeJS.ProcessEnv = process.env): { perSecond: number; perMinute: number } | undefined {
  const v = env.XRDCTL_RATE_LIMIT;
  if (v === undefined || v === '') return undefined;
  const m = /^(\d{1,6})(?:\/(\d{1,8}))?$/.exec(v);
  const perSecond = Number(m?.[1]);
  const perMinute = m?.[2] === undefined ? perSecond * 30 : Number(m[2]);
  if (!m || !(perSecond >= 1 && perSecond <= 100_000) || !(perMinute >= 1 && perMinute <= 6_000_000))
    throw new ConfigError(`XRDCTL_RATE_LIMIT=${preview(v)} is not PER_SECOND[/PER_MINUTE] (requests per server, e.g. 20/600)`);
  return { perSecond, perMinute };
}

/** Where a server is and how to trust and authenticate to it (a context, or a manifest's server). */
export interface ServerConnection {
  url: string;
  apiKey: SecretRef | string;
  tlsFingerprint?: string;
  caFile?: string;
}

/** One HTTP client for one server: the API key resolved now (and registered for redaction). */
export async function connectHttp(name: string, conn: ServerConnection, what: string, opts: ConnectOptions = {}): Promise<HttpClient> {
  const apiKey = await resolveSecret(conn.apiKey, { what, env: opts.env, prompt: opts.prompt, warn: opts.warn });
  return new HttpClient({
    baseUrl: validateUrl(conn.url, `${name} url`),
    server: name,
    apiKey,
    tlsFingerprint: conn.tlsFingerprint,
    caFile: conn.caFile,
    timeoutMs: opts.timeoutMs ?? requestTimeoutMs(opts.env),
    retries: opts.retries,
    totalTimeoutMs: opts.totalTimeoutMs ?? (opts.timeoutMs ?? requestTimeoutMs(opts.env) ?? 30_000) * 4,
    rateLimit: opts.rateLimit && (requestRateLimit(opts.env) ?? opts.rateLimit),
    maxSockets: opts.maxSockets,
    onExchange: opts.onExchange,
  });
}

export function httpForContext(ctx: Context, opts: ConnectOptions = {}): Promise<HttpClient> {
  return connectHttp(ctx.name, ctx, `context ${ctx.name} api key`, opts);
}

export function loadContext(name: string | undefined, env: NodeJS.ProcessEnv = process.env): Context {
  return getContext(readContexts(env), name);
}

export async function connectSecurityServer(ctx: Context, opts: ConnectOptions = {}): Promise<SecurityServerApi> {
  if (ctx.kind !== 'security') throw new ConfigError(`context ${ctx.name} is a ${ctx.kind} server, this needs a security server`);
  return new SecurityServerApi(await httpForContext(ctx, opts));
}

export async function connectCentralServer(ctx: Context, opts: ConnectOptions = {}): Promise<CentralServerApi> {
  if (ctx.kind !== 'central') throw new ConfigError(`context ${ctx.name} is a ${ctx.kind} server, this needs a central server`);
  return new CentralServerApi(await httpForContext(ctx, opts));
}
