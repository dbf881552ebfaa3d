import { ConfigError } from '../errors/index.js';
import { contextsPath, getContext, normalizeContext, readContexts, updateContexts, type Context, type ServerKind } from './contexts.js';

export interface ContextView {
  name: string;
  kind: ServerKind;
  url: string;
  apiKey: string;
  tlsFingerprint: string | null;
  caFile: string | null;
  centralContext: string | null;
  tokenPin: string | null;
  current: boolean;
}

function view(ctx: Context, current?: string): ContextView {
  return {
    name: ctx.name,
    kind: ctx.kind,
    url: ctx.url,
    apiKey: ctx.apiKey,
    tlsFingerprint: ctx.tlsFingerprint ?? null,
    caFile: ctx.caFile ?? null,
    centralContext: ctx.centralContext ?? null,
    tokenPin: ctx.tokenPin ?? null,
    current: ctx.name === current,
  };
}

export async function addContext(input: Context, opts: { overwrite?: boolean; use?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ContextView> {
  const ctx = normalizeContext(input);
  return updateContexts(opts.env ?? process.env, (file) => {
    if (Object.hasOwn(file.contexts, ctx.name) && !opts.overwrite) {
      throw new ConfigError(`context '${ctx.name}' already exists`, { hint: 'pass --overwrite to replace it' });
    }
    const { name, ...rest } = ctx;
    file.contexts[name] = rest;
    if (opts.use || !file.current) file.current = name;
    return view(ctx, file.current);
  });
}

export function listContexts(env?: NodeJS.ProcessEnv): { current: string | null; file: string; contexts: ContextView[] } {
  const file = readContexts(env);
  const contexts = Object.keys(file.contexts)
    .sort()
    .map((n) => view({ name: n, ...file.contexts[n]! }, file.current));
  return { current: file.current ?? null, file: contextsPath(env), contexts };
}

export function showContext(name: string | undefined, env?: NodeJS.ProcessEnv): ContextView {
  const file = readContexts(env);
  return view(getContext(file, name), file.current);
}

export async function useContext(name: string, env?: NodeJS.ProcessEnv): Promise<ContextView> {
  return updateContexts(env ?? process.env, (file) => {
    const ctx = getContext(file, name);
    file.current = name;
    return view(ctx, name);
  });
}

export async function removeContext(name: string, env?: NodeJS.ProcessEnv): Promise<{ removed: string; current: string | null }> {
  return updateContexts(env ?? process.env, (file) => {
    getContext(file, name);
    delete file.contexts[name];
    if (file.current === name) delete file.current;
    return { removed: name, current: file.current ?? null };
  });
}
