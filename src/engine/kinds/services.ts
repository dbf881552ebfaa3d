import type * as SS from '../../api/types/ss.js';
import { ApiError, ConflictError } from '../../errors/index.js';
import type { DesiredServiceDescription } from '../../model/desired.js';
import { act, defineKind, type Change, type ExecContext, type KindContext } from '../types.js';
import { clientAdded } from './client.js';

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

function findSd(sds: SS.ServiceDescription[], url: string, type?: string): SS.ServiceDescription | undefined {
  return sds.find((s) => sameUrl(s.url, url) && (!type || s.type === type));
}

/** Service descriptions, their services' parameters and endpoints. Matched by URL, service code, method+path. */
export function diffServices({ server, actual }: KindContext): Change[] {
  const changes: Change[] = [];
  for (const c of server.clients) {
    const sds = actual.serviceDescriptions.get(c.id) ?? [];
    for (const d of c.serviceDescriptions) {
      const a = findSd(sds, d.url, d.type);
      const key = `${c.id} ${d.url}`;
      const base = { server: server.name, pos: d.pos };
      if (!a) {
        changes.push({
          ...base,
          id: `${server.name}/service-description/${key}`,
          kind: 'service-description',
          key,
          op: 'create',
          summary: `add ${d.type} service description ${d.url} to ${c.id}${d.restServiceCode ? ` (service ${d.restServiceCode})` : ''}${d.disabled ? '' : ', enabled'}`,
          dependsOn: [],
          action: act(actions, 'add-service-description', {
            clientId: c.id,
            type: d.type,
            url: d.url,
            restServiceCode: d.restServiceCode ?? null,
            disabled: d.disabled,
          }),
        });
      } else if (a.disabled !== d.disabled) {
        changes.push({
          ...base,
          id: `${server.name}/service-description/${key}`,
          kind: 'service-description',
          key,
          op: 'update',
          summary: `${d.disabled ? 'disable' : 'enable'} service description ${d.url} of ${c.id}`,
          diff: { disabled: { from: a.disabled, to: d.disabled } },
          dependsOn: [],
          action: act(actions, 'set-service-description-enabled', { clientId: c.id, url: d.url, disabled: d.disabled }),
        });
      }
      for (const s of d.services) changes.push(...diffService(server.name, c.id, d, s, a));
    }
    for (const a of sds) {
      if (c.serviceDescriptions.some((d) => sameUrl(d.url, a.url) && d.type === a.type)) continue;
      const key = `${c.id} ${a.url}`;
      if (!c.prune.serviceDescriptions) {
        changes.push({
          id: `${server.name}/service-description/${key}=`,
          server: server.name,
          kind: 'service-description',
          key,
          op: 'keep',
          summary: `service description ${a.url} of ${c.id}: not in the manifest, left alone (prune.serviceDescriptions: true would delete it)`,
          dependsOn: [],
        });
        continue;
      }
      changes.push({
        id: `${server.name}/service-description/${key}`,
        server: server.name,
        kind: 'service-description',
        key,
        op: 'delete',
        summary: `delete service description ${a.url} of ${c.id} (and its access rights)`,
        dependsOn: [],
        prune: true,
        action: act(actions, 'delete-service-description', { clientId: c.id, url: a.url }),
      });
    }
  }
  return changes;
}

function diffService(
  serverName: string,
  clientId: string,
  d: DesiredServiceDescription,
  s: DesiredServiceDescription['services'][number],
  a: SS.ServiceDescription | undefined,
): Change[] {
  const out: Change[] = [];
  const key = `${clientId} ${s.code}`;
  const actual = a?.services.find((x) => x.service_code === s.code);
  if (a && !actual) {
    return [
      {
        id: `${serverName}/service/${key}`,
        server: serverName,
        kind: 'service',
        key,
        op: 'unsafe',
        summary: `service ${s.code} is not in ${d.url}: the service description defines its services (refresh it, or fix the code)`,
        dependsOn: [],
        pos: s.pos,
      },
    ];
  }
  const want: Record<string, unknown> = {};
  if (s.timeout !== undefined) want.timeout = s.timeout;
  if (s.url !== undefined) want.url = s.url;
  if (s.sslAuth !== undefined) want.sslAuth = s.sslAuth;
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  if (actual) {
    if (want.timeout !== undefined && actual.timeout !== want.timeout) diff.timeout = { from: actual.timeout, to: want.timeout };
    if (want.url !== undefined && actual.url !== want.url) diff.url = { from: actual.url, to: want.url };
    if (want.sslAuth !== undefined && (actual.ssl_auth ?? false) !== want.sslAuth) diff.sslAuth = { from: actual.ssl_auth ?? false, to: want.sslAuth };
  }
  // a new description: its services get the parameters right after creation
  if (Object.keys(diff).length || (!a && Object.keys(want).length)) {
    out.push({
      id: `${serverName}/service/${key}`,
      server: serverName,
      kind: 'service',
      key,
      op: a ? 'update' : 'create',
      summary: a
        ? `service ${s.code} of ${clientId}: ${Object.entries(diff)
            .map(([k, v]) => `${k} ${String(v.from)} → ${String(v.to)}`)
            .join(', ')}`
        : `set service ${s.code} of ${clientId}: ${Object.entries(want)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join(', ')}`,
      diff: a ? diff : Object.fromEntries(Object.entries(want).map(([k, v]) => [k, { from: null, to: v }])),
      dependsOn: [],
      action: act(actions, 'update-service', {
        clientId,
        sdUrl: d.url,
        code: s.code,
        timeout: s.timeout ?? null,
        serviceUrl: s.url ?? null,
        sslAuth: s.sslAuth ?? null,
      }),
      pos: s.pos,
    });
  }
  // endpoints (REST and OPENAPI3 only)
  if (d.type !== 'WSDL') {
    const have = actual?.endpoints ?? [];
    for (const e of s.endpoints) {
      if (have.some((h) => h.method === e.method && h.path === e.path)) continue;
      const ek = `${key} ${e.method} ${e.path}`;
      out.push({
        id: `${serverName}/endpoint/${ek}`,
        server: serverName,
        kind: 'endpoint',
        key: ek,
        op: 'create',
        summary: `add endpoint ${e.method} ${e.path} to ${s.code} of ${clientId}`,
        dependsOn: [],
        action: act(actions, 'add-endpoint', { clientId, sdUrl: d.url, code: s.code, method: e.method, path: e.path }),
        pos: s.pos,
      });
    }
  }
  return out;
}

/** Endpoint pruning needs the client's prune flag: separate pass. */
export function diffEndpointPrune({ server, actual }: KindContext): Change[] {
  const out: Change[] = [];
  for (const c of server.clients) {
    for (const d of c.serviceDescriptions) {
      const a = findSd(actual.serviceDescriptions.get(c.id) ?? [], d.url, d.type);
      for (const s of d.services) {
        const svc = a?.services.find((x) => x.service_code === s.code);
        for (const e of svc?.endpoints ?? []) {
          if (e.generated || s.endpoints.some((w) => w.method === e.method && w.path === e.path)) continue;
          const ek = `${c.id} ${s.code} ${e.method} ${e.path}`;
          if (!c.prune.endpoints) {
            out.push({
              id: `${server.name}/endpoint/${ek}=`,
              server: server.name,
              kind: 'endpoint',
              key: ek,
              op: 'keep',
              summary: `endpoint ${e.method} ${e.path} of ${s.code} (${c.id}): not in the manifest, left alone (prune.endpoints: true would delete it)`,
              dependsOn: [],
            });
            continue;
          }
          out.push({
            id: `${server.name}/endpoint/${ek}`,
            server: server.name,
            kind: 'endpoint',
            key: ek,
            op: 'delete',
            summary: `delete endpoint ${e.method} ${e.path} of ${s.code} (${c.id})`,
            dependsOn: [],
            prune: true,
            action: act(actions, 'delete-endpoint', { clientId: c.id, sdUrl: d.url, code: s.code, method: e.method, path: e.path }),
          });
        }
      }
    }
  }
  return out;
}

async function sdByUrl(ctx: ExecContext, clientId: string, url: string): Promise<SS.ServiceDescription | undefined> {
  return findSd(await ctx.cache.serviceDescriptions(clientId), url);
}

/** A service by code, in the named description (apply) or in any description of the client (imperative commands). */
async function serviceOf(ctx: ExecContext, clientId: string, url: string | null | undefined, code: string): Promise<SS.Service> {
  const sds = url ? [await sdByUrl(ctx, clientId, url)] : await ctx.cache.serviceDescriptions(clientId);
  const svc = sds.flatMap((d) => d?.services ?? []).find((s) => s.service_code === code);
  if (!svc)
    throw new ConflictError(`service ${code} not found in ${url ?? 'the service descriptions'} of ${clientId}`, {
      server: ctx.api.server,
      step: 'find-service',
      hint: `xrdctl service list --client ${clientId}`,
    });
  return svc;
}

const actions = {
  'add-service-description': async (
    ctx: ExecContext,
    p: { clientId: string; type: 'WSDL' | 'OPENAPI3' | 'REST'; url: string; restServiceCode: string | null; disabled: boolean },
  ) => {
    let sd = await sdByUrl(ctx, p.clientId, p.url);
    if (!sd) {
      const body: SS.ServiceDescriptionAdd = { url: p.url, type: p.type, ...(p.restServiceCode ? { rest_service_code: p.restServiceCode } : {}) };
      try {
        sd = await ctx.api.addServiceDescription(p.clientId, body);
      } catch (e) {
        if (e instanceof ApiError && e.apiCode === 'warnings_detected') {
          ctx.progress(`service description ${p.url}: warnings ${(e.warnings ?? []).map((w) => w.code).join(', ')}; adding anyway`);
          sd = await ctx.api.addServiceDescription(p.clientId, { ...body, ignore_warnings: true });
        } else throw e;
      }
      const added = sd;
      ctx.cache.update(p.clientId, (list) => [...list, added]);
    }
    if (!p.disabled && sd.disabled) {
      await ctx.api.enableServiceDescription(sd.id);
      const id = sd.id;
      ctx.cache.update(p.clientId, (list) => list.map((x) => (x.id === id ? { ...x, disabled: false } : x)));
    }
  },
  'set-service-description-enabled': async (ctx: ExecContext, p: { clientId: string; url: string; disabled: boolean }) => {
    const sd = await sdByUrl(ctx, p.clientId, p.url);
    if (!sd || sd.disabled === p.disabled) return;
    if (p.disabled) await ctx.api.disableServiceDescription(sd.id, 'Disabled by xrdctl');
    else await ctx.api.enableServiceDescription(sd.id);
    ctx.cache.invalidate(p.clientId);
  },
  'delete-service-description': async (ctx: ExecContext, p: { clientId: string; url: string }) => {
    const sd = await sdByUrl(ctx, p.clientId, p.url);
    if (!sd) return;
    await ctx.api.deleteServiceDescription(sd.id);
    ctx.cache.invalidate(p.clientId);
  },
  'update-service': async (
    ctx: ExecContext,
    p: { clientId: string; sdUrl: string | null; code: string; timeout: number | null; serviceUrl: string | null; sslAuth: boolean | null },
  ) => {
    const svc = await serviceOf(ctx, p.clientId, p.sdUrl, p.code);
    const target = { url: p.serviceUrl ?? svc.url, timeout: p.timeout ?? svc.timeout, ssl_auth: p.sslAuth ?? svc.ssl_auth ?? false };
    if (svc.timeout === target.timeout && svc.url === target.url && (svc.ssl_auth ?? false) === target.ssl_auth) return;
    const updated = await ctx.api.updateService(svc.id, { ...target, ignore_warnings: true });
    ctx.cache.update(p.clientId, (list) =>
      list.map((d) => ({ ...d, services: d.services.map((x) => (x.id === svc.id ? { ...x, ...updated, endpoints: updated.endpoints ?? x.endpoints } : x)) })),
    );
  },
  'add-endpoint': async (ctx: ExecContext, p: { clientId: string; sdUrl: string | null; code: string; method: SS.EndpointMethod; path: string }) => {
    const svc = await serviceOf(ctx, p.clientId, p.sdUrl, p.code);
    if ((svc.endpoints ?? []).some((e) => e.method === p.method && e.path === p.path)) return;
    const ep = await ctx.api.addEndpoint(svc.id, { service_code: svc.service_code, method: p.method, path: p.path });
    ctx.cache.update(p.clientId, (list) =>
      list.map((d) => ({ ...d, services: d.services.map((x) => (x.id === svc.id ? { ...x, endpoints: [...(x.endpoints ?? []), ep] } : x)) })),
    );
  },
  'refresh-service-description': async (ctx: ExecContext, p: { clientId: string; url: string; ignoreWarnings?: boolean }) => {
    const sd = await sdByUrl(ctx, p.clientId, p.url);
    if (!sd) throw new ConflictError(`no service description ${p.url} on ${p.clientId}`, { server: ctx.api.server, step: 'refresh-service-description' });
    try {
      await ctx.api.refreshServiceDescription(sd.id, false);
    } catch (e) {
      if (!(e instanceof ApiError && e.apiCode === 'warnings_detected' && p.ignoreWarnings)) throw e;
      await ctx.api.refreshServiceDescription(sd.id, true);
    }
    ctx.cache.invalidate(p.clientId);
  },
  'delete-endpoint': async (ctx: ExecContext, p: { clientId: string; sdUrl: string | null; code: string; method: string; path: string }) => {
    const svc = await serviceOf(ctx, p.clientId, p.sdUrl, p.code);
    const e = (svc.endpoints ?? []).find((x) => x.method === p.method && x.path === p.path);
    if (!e?.id) return;
    await ctx.api.deleteEndpoint(e.id);
    ctx.cache.invalidate(p.clientId);
  },
};

type SdRef = { clientId: string; url?: string; sdUrl?: string | null; code?: string };
const sameSd = (a: SdRef, b: SdRef) => a.clientId === b.clientId && sameUrl(a.url ?? a.sdUrl ?? '', b.url ?? b.sdUrl ?? '');

/**
 * Service descriptions, services and endpoints: a description needs its client; a service's
 * parameters and an endpoint need their description; an endpoint also waits for its service's update
 * (both rewrite the same service). Deleting a description waits for the revocations on its client.
 */
export const serviceKind = defineKind({
  name: 'service',
  scope: 'security',
  actions,
  dependsOn: (c, ix) => {
    const a = c.action;
    if (!a) return [];
    const client = clientAdded(ix, c.server, a.params.clientId);
    const sdAdd = (ref: SdRef) => ix.forClient<SdRef>('add-service-description', c.server, ref.clientId, (p) => sameSd(p, ref));
    switch (a.type) {
      case 'add-service-description':
      case 'set-service-description-enabled':
        return client;
      case 'update-service':
        return [...client, ...sdAdd(a.params)];
      case 'add-endpoint':
        return [...client, ...sdAdd(a.params), ...ix.forClient<SdRef>('update-service', c.server, a.params.clientId, (p) => p.code === a.params.code)];
      case 'delete-service-description':
        return ix.forClient('revoke-access', c.server, a.params.clientId);
      default:
        return [];
    }
  },
});

export type ServiceActions = typeof actions;
