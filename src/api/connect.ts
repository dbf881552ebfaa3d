import { getContext, readContexts, type Context } from '../config/contexts.js';
import { resolveSecret } from '../config/secrets.js';
import { ConfigError } from '../errors/index.js';
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
  rateLimit?: { perSecond: number; perMinute: number };
  maxSockets?: number;
  onExchange?: (x: HttpExchange) => void;
}

export async function httpForContext(ctx: Context, opts: ConnectOptions = {}): Promise<HttpClient> {
  const apiKey = await resolveSecret(ctx.apiKey, { what: `context ${ctx.name} api key`, env: opts.env, prompt: opts.prompt, warn: opts.warn });
  return new HttpClient({
    baseUrl: ctx.url,
    server: ctx.name,
    apiKey,
    tlsFingerprint: ctx.tlsFingerprint,
    caFile: ctx.caFile,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    totalTimeoutMs: opts.totalTimeoutMs,
    rateLimit: opts.rateLimit,
    maxSockets: opts.maxSockets,
    onExchange: opts.onExchange,
  });
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
