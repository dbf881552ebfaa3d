import type * as SS from '../../api/types/ss.js';
import { ApiError, ConflictError } from '../../errors/index.js';
import { memberOf } from '../../model/ids.js';
import { act, defineKind, type Change, type ExecContext, type DependencyIndex, type KindContext } from '../types.js';
import { nextWait, sleep } from '../../time/poll.js';
import { clientAdded } from './client.js';

/** Local groups of a client: create, describe, members (prune removes members the manifest does not list). */
export function diffLocalGroups({ server, actual }: KindContext): Change[] {
  const out: Change[] = [];
  for (const c of server.clients) {
    const have = actual.localGroups.get(c.id) ?? [];
    for (const g of c.localGroups) {
      const a = have.find((x) => x.code === g.code);
      const key = `${c.id} ${g.code}`;
      const base = { server: server.name, kind: 'local-group' as const, key, pos: g.pos };
      if (!a) {
        out.push({
          ...base,
          id: `${server.name}/local-group/${key}`,
          op: 'create',
          summary: `add local group ${g.code} to ${c.id} (${g.members.length} members)`,
          dependsOn: [],
          action: act(actions, 'add-local-group', { clientId: c.id, code: g.code, description: g.description, members: g.members }),
        });
        continue;
      }
      if (a.description !== g.description) {
        out.push({
          ...base,
          id: `${server.name}/local-group/${key}`,
          op: 'update',
          summary: `local group ${g.code} of ${c.id}: description`,
          diff: { description: { from: a.description, to: g.description } },
          dependsOn: [],
          action: act(actions, 'update-local-group', { clientId: c.id, code: g.code, description: g.description }),
        });
      }
      const members = (a.members ?? []).map((m) => m.id);
      const missing = g.members.filter((m) => !members.includes(m));
      if (missing.length) {
        out.push({
          ...base,
          kind: 'local-group-member',
          id: `${server.name}/local-group-member/${key}+`,
          op: 'create',
          summary: `add ${missing.join(', ')} to local group ${g.code} of ${c.id}`,
          dependsOn: [],
          action: act(actions, 'add-local-group-members', { clientId: c.id, code: g.code, members: missing }),
        });
      }
      const extra = members.filter((m) => !g.members.includes(m));
      if (extra.length && c.prune.localGroupMembers) {
        out.push({
          ...base,
          kind: 'local-group-member',
          id: `${server.name}/local-group-member/${key}-`,
          op: 'delete',
          prune: true,
          summary: `remove ${extra.join(', ')} from local group ${g.code} of ${c.id}`,
          dependsOn: [],
          action: act(actions, 'remove-local-group-members', { clientId: c.id, code: g.code, members: extra }),
        });
      }
    }
  }
  return out;
}

/** The access-rights subject id: subsystems and global groups as given, local groups (local:CODE) by their numeric id. */
function subjectKey(subject: string): string {
  return subject;
}

/**
 * Access rights, service-client centric: per subject, the service codes it may call. Missing rights are
 * granted in one call per subject; with prune.accessRights, rights the manifest does not list are revoked
 * (otherwise they are left alone and reported).
 */
export function diffAccessRights({ server, actual }: KindContext): Change[] {
  const out: Change[] = [];
  for (const c of server.clients) {
    const want = new Map<string, Set<string>>();
    for (const d of c.serviceDescriptions)
      for (const s of d.services)
        for (const subj of s.accessRights) {
          const k = subjectKey(subj);
          if (!want.has(k)) want.set(k, new Set());
          want.get(k)!.add(s.code);
        }
    const have = new Map<string, Set<string>>();
    for (const [scId, r] of actual.accessRights.get(c.id) ?? []) {
      const k = r.type === 'LOCALGROUP' && r.localGroupCode ? `local:${r.localGroupCode}` : scId;
      have.set(k, new Set(r.codes));
    }
    const managedCodes = new Set(c.serviceDescriptions.flatMap((d) => d.services.map((s) => s.code)));
    for (const [subj, codes] of want) {
      const missing = [...codes].filter((x) => !have.get(subj)?.has(x)).sort();
      if (!missing.length) continue;
      const key = `${c.id} ${subj}`;
      out.push({
        id: `${server.name}/access-right/${key}+`,
        server: server.name,
        kind: 'access-right',
        key,
        op: 'create',
        summary: `grant ${subj} access to ${missing.join(', ')} of ${c.id}`,
        dependsOn: [],
        action: act(actions, 'grant-access', { clientId: c.id, subject: subj, codes: missing }),
      });
    }
    for (const [subj, codes] of have) {
      // only rights on services this manifest manages are ours to judge
      const extra = [...codes].filter((x) => managedCodes.has(x) && !want.get(subj)?.has(x)).sort();
      if (!extra.length) continue;
      const key = `${c.id} ${subj}`;
      if (c.prune.accessRights) {
        out.push({
          id: `${server.name}/access-right/${key}-`,
          server: server.name,
          kind: 'access-right',
          key,
          op: 'delete',
          prune: true,
          summary: `revoke ${subj} access to ${extra.join(', ')} of ${c.id}`,
          dependsOn: [],
          action: act(actions, 'revoke-access', { clientId: c.id, subject: subj, codes: extra }),
        });
      } else {
        out.push({
          id: `${server.name}/access-right/${key}=`,
          server: server.name,
          kind: 'access-right',
          key,
          op: 'keep',
          summary: `${subj} may call ${extra.join(', ')} of ${c.id}: not in the manifest, left alone (prune.accessRights: true would revoke it)`,
          dependsOn: [],
        });
      }
    }
  }
  return out;
}

/** The group with its members (the list view leaves members out). */
/**
 * A subsystem registered moments ago (on another server of this manifest, or added at the central
 * server) is unknown to this server until global configuration reaches it: retry the write while the
 * server says it does not know the subject, bounded by the apply timeout, polling with backoff.
 */
async function whenKnown(ctx: ExecContext, subject: string, write: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ctx.timeoutMs;
  for (let i = 0; ; i++) {
    try {
      await write();
      return;
    } catch (e) {
      const unknown =
        e instanceof ApiError && (e.apiCode === 'service_client_not_found' || e.apiCode === 'client_not_found') && (e.status === 400 || e.status === 404);
      const wait = nextWait(i, deadline);
      if (!unknown || wait === undefined || i > 10_000) throw e;
      ctx.progress(`${subject} is not yet in global configuration on ${ctx.api.server}; waiting`);
      await sleep(wait);
    }
  }
}

async function groupByCode(ctx: ExecContext, clientId: string, code: string): Promise<SS.LocalGroup | undefined> {
  const g = (await ctx.api.getClientLocalGroups(clientId)).find((x) => x.code === code);
  return g?.id !== undefined ? ctx.api.getLocalGroup(String(g.id)) : g;
}

async function resolveSubject(ctx: ExecContext, clientId: string, subject: string): Promise<string> {
  if (!subject.startsWith('local:')) return subject;
  const g = await groupByCode(ctx, clientId, subject.slice('local:'.length));
  if (!g?.id) throw new ConflictError(`local group ${subject.slice(6)} of ${clientId} does not exist`, { server: ctx.api.server, step: 'grant-access' });
  return String(g.id);
}

const actions = {
  'add-local-group': async (ctx: ExecContext, p: { clientId: string; code: string; description: string; members: string[] }) => {
    let g = await groupByCode(ctx, p.clientId, p.code);
    if (!g) g = await ctx.api.addLocalGroup(p.clientId, { code: p.code, description: p.description });
    const have = (g.members ?? []).map((m) => m.id);
    const add = (p.members as string[]).filter((m) => !have.includes(m));
    const id = String(g.id);
    if (add.length) await whenKnown(ctx, add.join(', '), () => ctx.api.addLocalGroupMembers(id, add));
  },
  'update-local-group': async (ctx: ExecContext, p: { clientId: string; code: string; description: string }) => {
    const g = await groupByCode(ctx, p.clientId, p.code);
    if (g && g.description !== p.description) await ctx.api.updateLocalGroup(String(g.id), p.description);
  },
  'add-local-group-members': async (ctx: ExecContext, p: { clientId: string; code: string; members: string[] }) => {
    const g = await groupByCode(ctx, p.clientId, p.code);
    if (!g) throw new ConflictError(`local group ${p.code} of ${p.clientId} does not exist`, { server: ctx.api.server, step: 'add-group-members' });
    const have = (g.members ?? []).map((m) => m.id);
    const add = (p.members as string[]).filter((m) => !have.includes(m));
    const id = String(g.id);
    if (add.length) await whenKnown(ctx, add.join(', '), () => ctx.api.addLocalGroupMembers(id, add));
  },
  'remove-local-group-members': async (ctx: ExecContext, p: { clientId: string; code: string; members: string[] }) => {
    const g = await groupByCode(ctx, p.clientId, p.code);
    if (!g) return;
    const have = (g.members ?? []).map((m) => m.id);
    const del = (p.members as string[]).filter((m) => have.includes(m));
    if (del.length) await ctx.api.deleteLocalGroupMembers(String(g.id), del);
  },
  'grant-access': async (ctx: ExecContext, p: { clientId: string; subject: string; codes: string[] }) => {
    const sc = await resolveSubject(ctx, p.clientId, p.subject);
    try {
      await whenKnown(ctx, p.subject, () => ctx.api.addServiceClientAccessRights(p.clientId, sc, p.codes as string[]));
    } catch (e) {
      // someone granted part of it since the plan was made: grant only what is still missing
      if (!(e instanceof ApiError && e.status === 409)) throw e;
      const have = (await ctx.api.getServiceClientAccessRights(p.clientId, sc)).map((a) => a.service_code);
      const codes = (p.codes as string[]).filter((x) => !have.includes(x));
      if (codes.length) await ctx.api.addServiceClientAccessRights(p.clientId, sc, codes);
    }
  },
  'revoke-access': async (ctx: ExecContext, p: { clientId: string; subject: string; codes: string[] }) => {
    const sc = await resolveSubject(ctx, p.clientId, p.subject);
    await ctx.api.deleteServiceClientAccessRights(p.clientId, sc, p.codes as string[]);
  },
};

/** Subjects that this plan registers somewhere (any server): waiting for those beats polling for them. */
function registrationsOf(ix: DependencyIndex, subjects: string[]): string[] {
  const ids = subjects.filter((x) => !x.startsWith('local:'));
  return [
    ...ids.flatMap((id) => ix.withId('register-client', id)),
    ...ids.flatMap((id) => ix.withId('cs-add-subsystem', id)),
    ...[...new Set(ids.map(memberOf))].flatMap((m) => ix.withId('cs-add-member', m)),
  ];
}

/**
 * Local groups and access rights: a group needs its client, and its members' registrations where this
 * plan makes them; a grant needs the client's services (descriptions and their updates), the local
 * group it names, and its subject's registration.
 */
export const accessKind = defineKind({
  name: 'access',
  scope: 'security',
  actions,
  dependsOn: (c, ix) => {
    const a = c.action;
    if (!a) return [];
    const client = clientAdded(ix, c.server, a.params.clientId);
    const group = (code: string) => ix.forClient<{ code: string }>('add-local-group', c.server, a.params.clientId, (p) => p.code === code);
    switch (a.type) {
      case 'add-local-group':
        return [...client, ...registrationsOf(ix, a.params.members)];
      case 'update-local-group':
        return group(a.params.code);
      case 'add-local-group-members':
        return [...group(a.params.code), ...registrationsOf(ix, a.params.members)];
      case 'grant-access': {
        const local = a.params.subject.startsWith('local:') ? group(a.params.subject.slice('local:'.length)) : [];
        const services = ix.forClient('add-service-description', c.server, a.params.clientId);
        const updates = ix.forClient('update-service', c.server, a.params.clientId);
        return [...client, ...services, ...updates, ...local, ...registrationsOf(ix, [a.params.subject])];
      }
      default:
        return [];
    }
  },
});

export type AccessActions = typeof actions;
