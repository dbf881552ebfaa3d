import type * as SS from '../../api/types/ss.js';
import { ApiError, ConflictError, TimeoutError } from '../../errors/index.js';
import { listRequests } from '../../cs/requests.js';
import { clientApiId, parseClientId } from '../../model/ids.js';
import type { Change, ExecContext, Executor, KindContext } from '../types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Clients (subsystems) on a security server: add, register (and approve at the CS), prune. */
export function diffClients({ server, actual }: KindContext, instance: string): Change[] {
  const changes: Change[] = [];
  const byId = new Map(actual.clients.map((c) => [clientApiId(c, instance), c]));
  for (const d of server.clients) {
    const a = byId.get(d.id);
    const base = { server: server.name, kind: 'client', key: d.id, pos: d.pos };
    if (!a) {
      changes.push({ ...base, id: `${server.name}/client/${d.id}`, op: 'create', summary: `add client ${d.id}`, phase: 40, action: { type: 'add-client', params: { id: d.id, name: d.name ?? null, connectionType: d.connectionType ?? null } } });
    } else if (d.connectionType && a.connection_type !== d.connectionType) {
      changes.push({
        ...base,
        id: `${server.name}/client/${d.id}`,
        op: 'update',
        summary: `client ${d.id}: connection type`,
        diff: { connectionType: { from: a.connection_type, to: d.connectionType } },
        phase: 41,
        action: { type: 'set-connection-type', params: { id: d.id, connectionType: d.connectionType } },
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
        phase: 45,
        action: { type: 'register-client', params: { id: d.id } },
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
      phase: 98,
      action: { type: 'wait-clients-registered', params: { ids: registering } },
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
        phase: 95,
        prune: true,
        action: { type: 'remove-client', params: { id } },
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

async function approveClientRegistration(ctx: ExecContext, clientId: string): Promise<void> {
  if (!ctx.cs || !ctx.central?.approveRequests) return;
  for (let i = 0; i < 15; i++) {
    const reqs = await listRequests(ctx.cs, { types: ['CLIENT_REGISTRATION_REQUEST'], serverId: ctx.serverId, max: 200 });
    const r = reqs.find((x) => x.clientId === clientId && (x.status === 'WAITING' || x.status === 'SUBMITTED FOR APPROVAL'));
    if (r) {
      ctx.progress(`approving client registration request ${r.id}`);
      await ctx.cs.approveManagementRequest(r.id);
      return;
    }
    if (reqs.some((x) => x.clientId === clientId && x.status === 'APPROVED')) return;
    await sleep(1000);
  }
  throw new ConflictError(`no waiting registration request for ${clientId} at the central server`, { server: ctx.cs.server, step: 'approve-client' });
}

export const clientExecutors: Record<string, Executor> = {
  'add-client': async (ctx, p) => {
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
  'set-connection-type': async (ctx, p) => {
    await ctx.api.http.request({ method: 'PATCH', path: `/clients/${encodeURIComponent(p.id)}`, body: { connection_type: p.connectionType }, step: 'set-connection-type' });
  },
  'register-client': async (ctx, p) => {
    const c = await getClient(ctx, p.id);
    if (!c) throw new ConflictError(`client ${p.id} is not on the server`, { server: ctx.api.server, step: 'register-client' });
    if (c.status === 'REGISTERED') return;
    if (c.status === 'SAVED') {
      ctx.progress(`sending the registration request for ${p.id}`);
      await ctx.api.registerClient(p.id);
    }
    await approveClientRegistration(ctx, p.id);
  },
  'wait-clients-registered': async (ctx, p) => {
    if (!ctx.cs || !ctx.central?.approveRequests) return; // someone else approves; the next apply sees the result
    const ids = new Set<string>(p.ids as string[]);
    const deadline = Date.now() + ctx.timeoutMs;
    for (let i = 0; i < 100_000; i++) {
      const clients = await ctx.api.getClients();
      const pending = clients.filter((c) => ids.has(clientApiId(c, p.ids[0].split(':')[0])) && c.status !== 'REGISTERED');
      if (!pending.length) return;
      if (Date.now() + 1000 > deadline) {
        throw new TimeoutError(`${pending.length} client(s) not REGISTERED within ${Math.round(ctx.timeoutMs / 1000)} s: ${pending.map((c) => clientApiId(c, '')).join(', ')}`, {
          server: ctx.api.server,
          step: 'wait-clients-registered',
          hint: 'rerun apply to keep waiting',
        });
      }
      ctx.progress(`${pending.length} client(s) waiting for global configuration`);
      await sleep(1000);
    }
  },
  'unregister-client': async (ctx, p) => {
    const c = await getClient(ctx, p.id);
    if (!c) throw new ConflictError(`client ${p.id} is not on the server`, { server: ctx.api.server, step: 'unregister-client' });
    if (c.status === 'REGISTERED' || c.status === 'REGISTRATION_IN_PROGRESS' || c.status === 'DISABLED') await ctx.api.unregisterClient(p.id);
  },
  'delete-client': async (ctx, p) => {
    const c = await getClient(ctx, p.id);
    if (!c) return;
    if (c.owner) throw new ConflictError(`${p.id} is the server owner: it cannot be deleted`, { server: ctx.api.server, step: 'delete-client' });
    if (c.status === 'REGISTERED' || c.status === 'REGISTRATION_IN_PROGRESS' || c.status === 'DISABLED') {
      throw new ConflictError(`client ${p.id} is ${c.status}: unregister it first`, { server: ctx.api.server, step: 'delete-client', hint: `xrdctl client unregister ${p.id}` });
    }
    await ctx.api.deleteClient(p.id);
  },
  'remove-client': async (ctx, p) => {
    await clientExecutors['unregister-client']!(ctx, p);
    await clientExecutors['delete-client']!(ctx, p);
  },
};
