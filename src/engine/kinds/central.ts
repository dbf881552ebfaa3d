import { ApiError } from '../../errors/index.js';
import type { DesiredCentral } from '../../model/desired.js';
import { memberOf, parseClientId } from '../../model/ids.js';
import { act, defineKind, type ActualCentral, type CentralExecContext, type Change } from '../types.js';

/**
 * An add the central server answers 409 is read as "it exists", but only once the central server lists it:
 * a 409 for something it does not have (a proxy's answer, a server in trouble) would otherwise let the run
 * go on to steps that need it and fail there, far from the cause. Then the add fails, naming its step.
 */
const tolerateExisting = async (write: () => Promise<unknown>, exists: () => Promise<boolean>, what: string, step: string, server: string) => {
  try {
    await write();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 409)) throw e;
    if (!(await exists()))
      throw new ApiError(`${e.message}, but the central server does not list ${what}`, {
        server,
        step,
        status: 409,
        apiCode: e.apiCode,
        correlationId: e.correlationId,
        hint: 'rerun apply; if it persists, check the central server (xrdctl cs member list, its log)',
      });
  }
};

const actions = {
  'cs-add-member': async (ctx: CentralExecContext, p: { id: string; name: string }) => {
    const id = parseClientId(p.id);
    await tolerateExisting(
      () => ctx.cs.addMember({ member_name: p.name, member_id: { member_class: id.memberClass, member_code: id.memberCode } }),
      () => ctx.cs.hasMember(p.id),
      `member ${p.id}`,
      'add-member',
      ctx.cs.server,
    );
  },
  'cs-rename-member': async (ctx: CentralExecContext, p: { id: string; name: string }) => {
    await ctx.cs.updateMemberName(p.id, p.name);
  },
  'cs-add-subsystem': async (ctx: CentralExecContext, p: { id: string; name: string | null }) => {
    const id = parseClientId(p.id);
    await tolerateExisting(
      () =>
        ctx.cs.addSubsystem({
          subsystem_id: { member_class: id.memberClass, member_code: id.memberCode, subsystem_code: id.subsystemCode! },
          ...(p.name ? { subsystem_name: p.name } : {}),
        }),
      async () => (await ctx.cs.memberSubsystems(memberOf(p.id))).some((s) => s.subsystem_id.subsystem_code === id.subsystemCode),
      `subsystem ${p.id}`,
      'add-subsystem',
      ctx.cs.server,
    );
  },
};

/** Members and subsystems at the central server; a subsystem needs its member first. */
export const centralKind = defineKind({
  name: 'central-server member',
  scope: 'central',
  actions,
  dependsOn: (c, ix) => (c.action?.type === 'cs-add-subsystem' ? ix.withId('cs-add-member', memberOf(c.action!.params.id)) : []),
});

export function diffCentral(d: DesiredCentral, a: ActualCentral, now: Date = new Date()): Change[] {
  const out: Change[] = [...diffSigningKeys(d, a, now)];
  for (const m of d.members) {
    const base = { id: `${d.name}/member/${m.id}`, server: d.name, kind: 'cs-member' as const, key: m.id, pos: m.pos, dependsOn: [] };
    if (!a.members.has(m.id)) {
      out.push({ ...base, op: 'create', summary: `add member ${m.id} (${m.name})`, action: act(actions, 'cs-add-member', { id: m.id, name: m.name }) });
    } else if (a.memberNames.get(m.id) !== undefined && a.memberNames.get(m.id) !== m.name) {
      out.push({
        ...base,
        op: 'update',
        summary: `member ${m.id}: name`,
        diff: { name: { from: a.memberNames.get(m.id), to: m.name } },
        action: act(actions, 'cs-rename-member', { id: m.id, name: m.name }),
      });
    }
  }
  for (const s of d.subsystems) {
    if (a.subsystems.has(s.id)) continue;
    out.push({
      id: `${d.name}/subsystem/${s.id}`,
      server: d.name,
      kind: 'cs-subsystem',
      key: s.id,
      op: 'create',
      summary: `add subsystem ${s.id}`,
      dependsOn: [],
      action: act(actions, 'cs-add-subsystem', { id: s.id, name: s.name ?? null }),
      pos: s.pos,
    });
  }
  return out;
}

/**
 * A configuration signing key older than renewAfterDays is a due key change. apply does not make it: it is a runbook
 * across every security server (xrdctl rotate config-signing, with its journal and waits), so plan reports it (!) with
 * the command, as it reports a due certificate without an issuer.
 */
export function diffSigningKeys(d: DesiredCentral, a: ActualCentral, now: Date): Change[] {
  const out: Change[] = [];
  for (const source of ['INTERNAL', 'EXTERNAL'] as const) {
    const want = d.configurationSigning?.[source];
    if (!want || !a.signingKeys) continue;
    const active = a.signingKeys.find((k) => k.source === source && k.active);
    const base = {
      id: `${d.name}/config-signing/${source}`,
      server: d.name,
      kind: 'config-signing' as const,
      key: source,
      op: 'unsafe' as const,
      dependsOn: [],
      pos: want.pos,
    };
    const cmd = `xrdctl rotate config-signing -f ${want.pos?.file ?? 'MANIFEST'}${source === 'EXTERNAL' ? ' --source external' : ''}`;
    if (!active) {
      out.push({ ...base, summary: `the ${source.toLowerCase()} source has no active configuration signing key` });
      continue;
    }
    const days = Math.floor((now.getTime() - Date.parse(active.createdAt)) / 86_400_000);
    if (days >= want.renewAfterDays) {
      out.push({
        ...base,
        summary: `${source.toLowerCase()} configuration signing key ${active.id} is ${days} days old (renewAfterDays ${want.renewAfterDays}): run ${cmd}`,
        diff: { age: { from: days, to: 0 } },
      });
    }
  }
  return out;
}
