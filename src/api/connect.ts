import { getContext, readContexts, type Context } from '../config/contexts.js';
import { resolveSecret } from '../config/secrets.js';
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

export async function httpForContext(ctx: Context, opts: ConnectOptions = {}): Promise<HttpClient> {
  const apiKey = await resolveSecret(ctx.apiKey, { what: `context ${ctx.name} api key`, env: opts.env, prompt: opts.prompt, warn: opts.warn });
  return new HttpClient({
    baseUrl: ctx.url,
    server: ctx.name,
    apiKey,
    tlsFingerprint: ctx.tlsFingerprint,
    caFile: ctx.caFile,
    timeoutMs: opts.timeoutMs ?? requestTimeoutMs(opts.env),
    totalTimeoutMs: (opts.timeoutMs ?? requestTimeoutMs(opts.env) ?? 30_000) * 4,
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
