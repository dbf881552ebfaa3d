import { lstatSync, readFileSync } from 'node:fs';
import type * as SS from '../../api/types/ss.js';
import type { SecretRef } from '../../config/secrets.js';
import { ApiError, ConflictError, UsageError } from '../../errors/index.js';
import type { DesiredInit } from '../../model/desired.js';
import { memberOf, parseClientId } from '../../model/ids.js';
import { act, defineKind, type Change, type ExecContext, type KindContext } from '../types.js';

const MAX_ANCHOR = 1024 * 1024;

export function fullyInitialized(s: SS.InitializationStatus): boolean {
  return s.is_anchor_imported && s.is_server_code_initialized && s.is_server_owner_initialized && s.software_token_init_status === 'INITIALIZED';
}

async function anchorBytes(ctx: ExecContext, anchor: DesiredInit['anchor']): Promise<Buffer> {
  if ('central' in anchor) {
    if (!ctx.cs)
      throw new UsageError('the anchor comes from the central server, but the manifest names none', {
        server: ctx.api.server,
        step: 'upload-anchor',
        hint: 'add centralServer, or initialize.anchor: { file: PATH }',
      });
    ctx.progress('downloading the configuration anchor from the central server');
    return ctx.cs.downloadAnchor('INTERNAL');
  }
  let st;
  try {
    st = lstatSync(anchor.file);
  } catch (e) {
    throw new UsageError(`anchor ${anchor.file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
      server: ctx.api.server,
      step: 'upload-anchor',
    });
  }
  if (!st.isFile() || st.size > MAX_ANCHOR)
    throw new UsageError(`anchor ${anchor.file}: not a regular file of at most ${MAX_ANCHOR} bytes`, { server: ctx.api.server, step: 'upload-anchor' });
  return readFileSync(anchor.file);
}

/** Warnings that a new server's initialisation normally has (xroad-flows §1): its owner not yet in global configuration. */
const EXPECTED_WARNINGS = new Set(['init_unregistered_member']);

const actions = {
  /**
   * Initialise a fresh security server: the anchor (from a file or the central server), then the owner,
   * server code and token PIN, each sent only while unset (the API refuses a value already set).
   */
  'init-server': async (ctx: ExecContext, p: { anchor: DesiredInit['anchor']; serverId: string; pin: SecretRef | null }) => {
    let status = await ctx.api.getInitializationStatus();
    if (!status.is_anchor_imported) {
      const bytes = await anchorBytes(ctx, p.anchor);
      ctx.progress('importing the configuration anchor');
      await ctx.api.uploadInitialAnchor(bytes);
      status = await ctx.api.getInitializationStatus();
    }
    if (fullyInitialized(status)) return;
    const id = parseClientId(p.serverId);
    const conf: SS.InitialServerConf = {
      ...(status.is_server_owner_initialized ? {} : { owner_member_class: id.memberClass, owner_member_code: id.memberCode }),
      ...(status.is_server_code_initialized ? {} : { security_server_code: id.subsystemCode }),
      ...(status.software_token_init_status === 'INITIALIZED' ? {} : { software_token_pin: await ctx.secret(p.pin, 'token PIN (initialisation)') }),
    };
    ctx.progress(`initialising ${p.serverId}`);
    try {
      await ctx.api.initSecurityServer(conf);
    } catch (e) {
      if (!(e instanceof ApiError && e.apiCode === 'warnings_detected' && (e.warnings ?? []).every((w) => EXPECTED_WARNINGS.has(w.code)))) throw e;
      ctx.progress(`the owner is not yet in global configuration (${(e.warnings ?? []).map((w) => w.code).join(', ')}): initialising anyway`);
      await ctx.api.initSecurityServer({ ...conf, ignore_warnings: true });
    }
  },
  /** Configure a timestamping service that global configuration approves, by its name or URL there. */
  'add-timestamping-service': async (ctx: ExecContext, p: { name: string | null; url: string | null }) => {
    const [approved, configured] = await Promise.all([ctx.api.getApprovedTimestampingServices(), ctx.api.getConfiguredTimestampingServices()]);
    const tsa = approved.find((t) => (p.url ? t.url === p.url : t.name === p.name));
    if (!tsa)
      throw new ConflictError(`no approved timestamping service ${p.url ?? p.name}`, {
        server: ctx.api.server,
        step: 'add-timestamping-service',
        hint: `approved: ${approved.map((t) => `${t.name} (${t.url})`).join(', ') || 'none'}`,
      });
    if (configured.some((t) => t.url === tsa.url)) return;
    await ctx.api.addTimestampingService({ name: tsa.name, url: tsa.url, cost_type: tsa.cost_type });
  },
};

/**
 * The server itself: initialisation (every other change on the server needs it: the engine makes them
 * depend on it) and its timestamping services. Initialisation needs the central server's anchor and,
 * for a new owner, that member at the central server.
 */
export const serverKind = defineKind({
  name: 'security server',
  scope: 'security',
  actions,
  dependsOn: (c, ix) => {
    const a = c.action;
    return a?.type === 'init-server' ? ix.withId('cs-add-member', memberOf(a.params.serverId)) : [];
  },
});

export function initChangeId(server: string): string {
  return `${server}/server-init`;
}

export function diffServerItself({ server, actual }: KindContext): Change[] {
  const out: Change[] = [];
  if (server.initialize && actual.init && !fullyInitialized(actual.init)) {
    const missing = [
      !actual.init.is_anchor_imported && 'anchor',
      !actual.init.is_server_owner_initialized && 'owner',
      !actual.init.is_server_code_initialized && 'server code',
      actual.init.software_token_init_status !== 'INITIALIZED' && 'token',
    ].filter(Boolean);
    out.push({
      id: initChangeId(server.name),
      server: server.name,
      kind: 'server-init',
      key: server.id,
      op: 'create',
      summary: `initialise ${server.id} (${missing.join(', ')}; anchor from ${'central' in server.initialize.anchor ? 'the central server' : server.initialize.anchor.file})`,
      diff: { initialized: { from: missing.length === 4 ? false : `partly (${missing.join(', ')} missing)`, to: true } },
      dependsOn: [],
      action: act(actions, 'init-server', { anchor: server.initialize.anchor, serverId: server.id, pin: server.token.pin ?? null }),
      pos: server.initialize.pos,
    });
  }
  for (const t of server.timestampingServices ?? []) {
    const have = actual.timestamping?.configured ?? [];
    const match = (x: SS.TimestampingService) => (t.url ? x.url === t.url : x.name === t.name);
    if (have.some(match)) continue;
    out.push({
      id: `${server.name}/timestamping/${t.url ?? t.name}`,
      server: server.name,
      kind: 'timestamping',
      key: t.url ?? t.name ?? '',
      op: 'create',
      summary: `use timestamping service ${t.name ?? t.url}`,
      dependsOn: [],
      action: act(actions, 'add-timestamping-service', { name: t.name ?? null, url: t.url ?? null }),
      pos: t.pos,
    });
  }
  return out;
}
