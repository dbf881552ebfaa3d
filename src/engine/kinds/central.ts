import { ApiError } from '../../errors/index.js';
import type { DesiredCentral } from '../../model/desired.js';
import { parseClientId } from '../../model/ids.js';
import type { ActualCentral, Change, ExecContext } from '../types.js';

/** Members and subsystems at the central server. */
export function diffCentral(d: DesiredCentral, a: ActualCentral): Change[] {
  const out: Change[] = [];
  for (const m of d.members) {
    if (!a.members.has(m.id)) {
      out.push({ id: `${d.name}/member/${m.id}`, server: d.name, kind: 'cs-member', key: m.id, op: 'create', summary: `add member ${m.id} (${m.name})`, phase: 1, action: { type: 'cs-add-member', params: { id: m.id, name: m.name } }, pos: m.pos });
    } else if (a.memberNames.get(m.id) !== undefined && a.memberNames.get(m.id) !== m.name) {
      out.push({ id: `${d.name}/member/${m.id}`, server: d.name, kind: 'cs-member', key: m.id, op: 'update', summary: `member ${m.id}: name`, diff: { name: { from: a.memberNames.get(m.id), to: m.name } }, phase: 2, action: { type: 'cs-rename-member', params: { id: m.id, name: m.name } }, pos: m.pos });
    }
  }
  for (const s of d.subsystems) {
    if (a.subsystems.has(s.id)) continue;
    out.push({ id: `${d.name}/subsystem/${s.id}`, server: d.name, kind: 'cs-subsystem', key: s.id, op: 'create', summary: `add subsystem ${s.id}`, phase: 3, action: { type: 'cs-add-subsystem', params: { id: s.id, name: s.name ?? null } }, pos: s.pos });
  }
  return out;
}

export type CentralExecutor = (cs: NonNullable<ExecContext['cs']>, params: Record<string, any>) => Promise<void>;

export const centralExecutors: Record<string, CentralExecutor> = {
  'cs-add-member': async (cs, p) => {
    const id = parseClientId(p.id);
    try {
      await cs.addMember({ member_name: p.name, member_id: { member_class: id.memberClass, member_code: id.memberCode } });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    }
  },
  'cs-rename-member': async (cs, p) => {
    await cs.updateMemberName(p.id, p.name);
  },
  'cs-add-subsystem': async (cs, p) => {
    const id = parseClientId(p.id);
    try {
      await cs.addSubsystem({ subsystem_id: { member_class: id.memberClass, member_code: id.memberCode, subsystem_code: id.subsystemCode! }, ...(p.name ? { subsystem_name: p.name } : {}) });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    }
  },
};
