import type * as SS from '../../api/types/ss.js';
import { ApiError, ConflictError, TimeoutError } from '../../errors/index.js';
import { listRequestsShared } from '../../cs/requests.js';
import { clientApiId, memberOf, parseClientId } from '../../model/ids.js';
import { act, defineKind, type Change, type DependencyIndex, type ExecContext, type KindContext } from '../types.js';

import { nextWait, sleep } from '../../time/poll.js';

/** Clients (subsystems) on a security server: add, register (and approve at the CS), prune. */
export function diffClients({ server, actual, instance }: KindContext): Change[] {
  const changes: Change[] = [];
  const byId = new Map(actual.clients.map((c) => [clientApiId(c, instance), c]));
  for (const d of server.clients) {
    const a = byId.get(d.id);
    const base = { server: server.name, kind: 'client' as const, key: d.id, pos: d.pos, dependsOn: [] };
    if (!a) {
      changes.push({
        ...base,
        id: `${server.name}/client/${d.id}`,
        op: 'create',
        summary: `add client ${d.id}`,
        action: act(actions, 'add-client', { id: d.id, name: d.name ?? null, connectionType: d.connectionType ?? null }),
      });
    } else if (d.connectionType && a.connection_type !== d.connectionType) {
      changes.push({
        ...base,
        id: `${server.name}/client/${d.id}`,
        op: 'update',
        summary: `client ${d.id}: connection type`,
        diff: { connectionType: { from: a.connection_type, to: d.connectionType } },
        action: act(actions, 'set-connection-type', { id: d.id, connectionType: d.connectionType }),
      });
    }
    const status = a?.status ?? 'SAVED';
    if (d.register && !a?.owner && status !== 'REGISTERED') {
      const waiting = status === 'REGISTRATION_IN_PROGRESS';
      changes.push({
        ...base,
        kind: 'client-registration',
        id: `${server.name}/client-registration/${d.id}`,
        op: 'update',
        summary: waiting ? `client ${d.id}: registration in progress${' (approve and wait)'}` : `register client ${d.id} at the central server`,
        diff: { status: { from: a ? status : null, to: 'REGISTERED' } },
        action: act(actions, 'register-client', { id: d.id }),
      });
    }
  }
  // registrations go out together; one wait at the end for global configuration to confirm them all
  const registering = changes.filter((c) => c.kind === 'client-registration').map((c) => c.key);
  if (registering.length) {
    changes.push({
      id: `${server.name}/client-registration/wait`,
      server: server.name,
      kind: 'client-registration',
      key: registering.join(', '),
      op: 'update',
      summary: `wait for global configuration to list ${registering.length} client registration(s)`,
      step: true,
      dependsOn: [],
      action: act(actions, 'wait-clients-registered', { ids: registering }),
    });
  }
  if (server.pruneClients) {
    const wanted = new Set(server.clients.map((c) => c.id));
    for (const a of actual.clients) {
      const id = clientApiId(a, instance);
      if (a.owner || wanted.has(id) || !a.subsystem_code) continue;
      changes.push({
        id: `${server.name}/client/${id}`,
        server: server.name,
        kind: 'client',
        key: id,
        op: 'delete',
        summary: `remove client ${id} (unregister, then delete)`,
        dependsOn: [],
        prune: true,
        action: act(actions, 'remove-client', { id }),
      });
    }
  }
  return changes;
}

async function getClient(ctx: ExecContext, id: string): Promise<SS.Client | undefined> {
  try {
    return await ctx.api.getClient(id);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}

/** registeredAt: performance.now() when the registration call returned */
async function approveClientRegistration(ctx: ExecContext, clientId: string, registeredAt = performance.now()): Promise<void> {
  if (!ctx.cs || !ctx.approve) return;
  // the request reaches the central server with the registration call; give it 15 s at most
  const deadline = Date.now() + 15_000;
  for (let i = 0; i < 100; i++) {
    // the approvals of one server's clients run in parallel: they share a listing that started after their own call
    const since = i === 0 ? registeredAt : performance.now();
    const reqs = await listRequestsShared(ctx.cs, { types: ['CLIENT_REGISTRATION_REQUEST'], serverId: ctx.serverId, max: 200 }, since);
    const r = reqs.find((x) => x.clientId === clientId && (x.status === 'WAITING' || x.status === 'SUBMITTED FOR APPROVAL'));
    if (r) {
      ctx.progress(`approving client registration request ${r.id}`);
      await ctx.cs.approveManagementRequest(r.id);
      return;
    }
    if (reqs.some((x) => x.clientId === clientId && x.status === 'APPROVED')) return;
    const wait = nextWait(i, deadline);
    if (wait === undefined) break;
    await sleep(wait);
  }
  throw new ConflictError(`no waiting registration request for ${clientId} at the central server`, { server: ctx.cs.server, step: 'approve-client' });
}

const actions = {
  'add-client': async (ctx: ExecContext, p: { id: string; name: string | null; connectionType: 'HTTP' | 'HTTPS' | 'HTTPS_NO_AUTH' | null }) => {
    if (await getClient(ctx, p.id)) return;
    const id = parseClientId(p.id);
    const body: SS.Client = {
      member_class: id.memberClass,
      member_code: id.memberCode,
      subsystem_code: id.subsystemCode,
      ...(p.name ? { subsystem_name: p.name } : {}),
      ...(p.connectionType ? { connection_type: p.connectionType } : {}),
    };
    try {
      await ctx.api.addClient(body, false);
    } catch (e) {
      // a member not yet in global configuration is normal for a new member declared in the manifest
      if (e instanceof ApiError && e.apiCode === 'warnings_detected' && (e.warnings ?? []).every((w) => w.code === 'unregistered_member')) {
        ctx.progress(`member of ${p.id} is not yet in global configuration; adding anyway`);
        await ctx.api.addClient(body, true);
        return;
      }
      throw e;
    }
  },
  'set-connection-type': async (ctx: ExecContext, p: { id: string; connectionType: 'HTTP' | 'HTTPS' | 'HTTPS_NO_AUTH' }) => {
    await ctx.api.updateClientConnectionType(p.id, p.connectionType);
  },
  'register-client': async (ctx: ExecContext, p: { id: string }) => {
    const c = await getClient(ctx, p.id);
    if (!c) throw new ConflictError(`client ${p.id} is not on the server`, { server: ctx.api.server, step: 'register-client' });
    if (c.status === 'REGISTERED') return;
    if (c.status === 'SAVED') {
      ctx.progress(`sending the registration request for ${p.id}`);
      await ctx.api.registerClient(p.id);
    }
    await approveClientRegistration(ctx, p.id);
  },
  'wait-clients-registered': async (ctx: ExecContext, p: { ids: string[] }) => {
    if (!ctx.cs || !ctx.approve) return; // someone else approves; the next apply sees the result
    const ids = new Set<string>(p.ids as string[]);
    const deadline = Date.now() + ctx.timeoutMs;
    for (let i = 0; i < 100_000; i++) {
      const clients = await ctx.api.getClients();
      const pending = clients.filter((c) => ids.has(clientApiId(c, p.ids[0]!.split(':')[0]!)) && c.status !== 'REGISTERED');
      if (!pending.length) return;
      const wait = nextWait(i, deadline);
      if (wait === undefined) {
        throw new TimeoutError(
          `${pending.length} client(s) not REGISTERED within ${Math.round(ctx.timeoutMs / 1000)} s: ${pending.map((c) => clientApiId(c, '')).join(', ')}`,
          {
            server: ctx.api.server,
            step: 'wait-clients-registered',
            hint: 'rerun apply to keep waiting',
          },
        );
      }
      ctx.progress(`${pending.length} client(s) waiting for global configuration`);
      await sleep(wait);
    }
  },
  'unregister-client': async (ctx: ExecContext, p: { id: string }) => {
    const c = await getClient(ctx, p.id);
    // a client already gone is unregistered too (its deletion needed the unregistration): nothing to do, like delete-client
    if (!c) return;
    if (c.status === 'REGISTERED' || c.status === 'REGISTRATION_IN_PROGRESS' || c.status === 'DISABLED') await ctx.api.unregisterClient(p.id);
  },
  'delete-client': async (ctx: ExecContext, p: { id: string }) => {
    const c = await getClient(ctx, p.id);
    if (!c) return;
    if (c.owner) throw new ConflictError(`${p.id} is the server owner: it cannot be deleted`, { server: ctx.api.server, step: 'delete-client' });
    if (c.status === 'REGISTERED' || c.status === 'REGISTRATION_IN_PROGRESS' || c.status === 'DISABLED') {
      throw new ConflictError(`client ${p.id} is ${c.status}: unregister it first`, {
        server: ctx.api.server,
        step: 'delete-client',
        hint: `xrdctl client unregister ${p.id}`,
      });
    }
    await ctx.api.deleteClient(p.id);
  },
  'remove-client': async (ctx: ExecContext, p: { id: string }) => {
    await actions['unregister-client'](ctx, p);
    await actions['delete-client'](ctx, p);
  },
};

type ClientParams = { id: string };

/** The change (if the plan has one) that adds this client to this server: what its other changes wait for. */
export function clientAdded(ix: DependencyIndex, server: string, clientId: string): string[] {
  return ix.withId('add-client', clientId, server);
}

/**
 * Clients: adding one needs its member (and subsystem) at the central server; its registration needs
 * the client and the server's certificates (the request is signed with them); the wait for global
 * configuration needs every registration on the server; pruning a client needs nothing of this plan.
 */
export const clientKind = defineKind({
  name: 'client',
  scope: 'security',
  actions,
  dependsOn: (c, ix) => {
    const a = c.action;
    if (!a) return [];
    const centralFor = (id: string) => [...ix.withId('cs-add-member', memberOf(id)), ...ix.withId('cs-add-subsystem', id)];
    switch (a.type) {
      case 'add-client':
        return centralFor(a.params.id);
      case 'set-connection-type':
        return clientAdded(ix, c.server, a.params.id);
      case 'register-client':
        return [
          ...clientAdded(ix, c.server, a.params.id),
          ...centralFor(a.params.id),
          ...ix.find('issue-cert', () => true, c.server),
          ...ix.find('token-login', () => true, c.server),
        ];
      case 'wait-clients-registered':
        return ix.find<ClientParams>('register-client', (p) => a.params.ids.includes(p.id), c.server);
      default:
        return [];
    }
  },
});

/** Actions the imperative client commands run (through applyOne). */
export type ClientActions = typeof actions;
