/**
 * The rehearsal referee: per security server every interval without a working auth certificate, and per member
 * (of any client of some SS) every interval without a working sign certificate (xroad-flows §5).
 *
 * Evaluated on state change (after every API write, every globalconf tick/reconcile, every clock move and
 * revocation), never by sampling the API. A server or member that never had a working certificate is not in
 * an outage: an outage starts when one that had one loses all of them, and ends when one works again.
 * Times are the sandbox clock. The record is part of the persisted state.
 */
import type { GcSnapshot, OutageState, State, SsState } from './model.js';
import { memberIdOf, ssOwnerId, ssServerId } from './model.js';

export interface Outage {
  /** the sandbox name of the security server ('ss1', …); for a sign outage, the SS holding the member */
  server: string;
  /** sign outages: the member id (INSTANCE:CLASS:CODE) */
  member?: string;
  /** auth: no working auth cert; sign: no working sign cert; globalconf: the SS could not verify global configuration */
  kind: 'auth' | 'sign' | 'globalconf';
  /** ISO timestamps, sandbox clock; to is null while the outage lasts */
  from: string;
  to: string | null;
}

export type { OutageState } from './model.js';

/** What the referee needs from the engine (kept narrow: the engine owns the rules). */
export interface OutageRules {
  st: State;
  now(): Date;
  certWorking(ss: SsState, c: SsState['keys'][number]['certs'][number]): boolean;
  /** each server's last evaluation; with `only`, the other servers' entries are reused */
  cache?: Map<string, ServerStatus>;
  /** re-evaluate only these servers (a write on one of them); absent: all */
  only?: Set<string>;
}

/** what one security server contributes: its auth and globalconf status, and per member of its clients a working sign cert */
export interface ServerStatus {
  auth: boolean;
  globalconf: boolean;
  members: Array<[string, boolean]>;
}

function serverStatus(r: OutageRules, ss: SsState): ServerStatus {
  return {
    auth: hasWorkingAuth(r, ss),
    globalconf: !!ss.anchor && !!ss.gc.downloaded && !ss.gc.verifyError,
    members: membersOf(r, ss).map((m) => [m, hasWorkingSign(r, ss, m)]),
  };
}

export function outageState(st: State): OutageState {
  return (st.outages ??= { records: [], seen: [] });
}

/** A working auth cert per xroad-flows §5 "Which auth certificate the proxy uses". */
export function hasWorkingAuth(r: OutageRules, ss: SsState): boolean {
  if (!ss.loggedIn) return false;
  const sid = ssServerId(r.st, ss);
  const listed = sid && ss.gc.downloaded ? gcServer(ss.gc.downloaded, sid)?.authCertHashes : undefined;
  if (!listed?.length) return false;
  return ss.keys.some((k) => k.usage === 'AUTHENTICATION' && k.certs.some((c) => listed.includes(c.hash) && r.certWorking(ss, c)));
}

/** a server of a global configuration by its id (a configuration is never changed once generated: its index is built once) */
const serverIndex = new WeakMap<GcSnapshot, Map<string, GcSnapshot['servers'][number]>>();
export function gcServer(snap: GcSnapshot, id: string): GcSnapshot['servers'][number] | undefined {
  let m = serverIndex.get(snap);
  if (!m) {
    m = new Map();
    for (const s of snap.servers) if (!m.has(s.id)) m.set(s.id, s);
    serverIndex.set(snap, m);
  }
  return m.get(id);
}

/** Members that need a sign certificate on each SS: the owner and the member of every client. */
function membersOf(r: OutageRules, ss: SsState): string[] {
  const out = new Set<string>();
  const owner = ssOwnerId(r.st, ss);
  if (owner) out.add(owner);
  for (const c of ss.clients) out.add(memberIdOf(c));
  return [...out];
}

function hasWorkingSign(r: OutageRules, ss: SsState, member: string): boolean {
  return ss.keys.some((k) => k.usage === 'SIGNING' && k.certs.some((c) => c.ownerId === member && r.certWorking(ss, c)));
}

/** caches whose entries the record was last evaluated from (an emptied cache, as after a restore, is not settled: its servers are missing) */
const settled = new WeakSet<Map<string, ServerStatus>>();
function sameStatus(a: ServerStatus, b: ServerStatus): boolean {
  if (a.auth !== b.auth || a.globalconf !== b.globalconf || a.members.length !== b.members.length) return false;
  return a.members.every(([m, w], i) => b.members[i]![0] === m && b.members[i]![1] === w);
}

/** Re-evaluate; returns true when the record changed (the caller persists). */
export function evaluateOutages(r: OutageRules): boolean {
  // each server's status; when none differs from the last evaluation's, whose record already says what they mean, nothing changes
  const statuses: ServerStatus[] = [];
  let differs = !r.cache || !settled.has(r.cache) || r.cache.size !== r.st.ss.length;
  for (const ss of r.st.ss) {
    const before = r.cache?.get(ss.name);
    let e = r.only && !r.only.has(ss.name) ? before : undefined;
    if (!e) {
      e = serverStatus(r, ss);
      if (!before || !sameStatus(before, e)) differs = true;
      r.cache?.set(ss.name, e);
    }
    statuses.push(e);
  }
  if (!differs) return false;
  if (r.cache) settled.add(r.cache);
  const os = outageState(r.st);
  const now = r.now().toISOString();
  const seen = new Set(os.seen);
  let changed = false;
  const open = new Map<string, Outage>();
  for (const o of os.records) if (o.to === null) open.set(subject(o), o);
  const current = new Map<string, { working: boolean; server: string; member?: string; kind: Outage['kind'] }>();
  for (const [i, ss] of r.st.ss.entries()) {
    const e = statuses[i]!;
    current.set(`auth ${ss.name}`, { working: e.auth, server: ss.name, kind: 'auth' });
    current.set(`globalconf ${ss.name}`, { working: e.globalconf, server: ss.name, kind: 'globalconf' });
    for (const [m, working] of e.members) {
      const key = `sign ${m}`;
      const prev = current.get(key);
      if (!prev) current.set(key, { working, server: ss.name, member: m, kind: 'sign' });
      else if (working && !prev.working) current.set(key, { ...prev, working });
    }
  }
  for (const [key, v] of current) {
    const o = open.get(key);
    if (v.working) {
      if (!seen.has(key)) {
        seen.add(key);
        changed = true;
      }
      if (o) {
        o.to = now;
        changed = true;
      }
    } else if (seen.has(key) && !o) {
      os.records.push({ server: v.server, ...(v.member ? { member: v.member } : {}), kind: v.kind, from: now, to: null });
      changed = true;
    }
  }
  // a member that is no longer a client anywhere needs no sign certificate: its open outage ends, it is forgotten
  for (const key of [...seen]) {
    if (current.has(key)) continue;
    const o = open.get(key);
    if (o) o.to = now;
    seen.delete(key);
    changed = true;
  }
  if (changed) os.seen = [...seen];
  return changed;
}

function subject(o: Outage): string {
  return o.kind === 'sign' ? `sign ${o.member}` : `${o.kind} ${o.server}`;
}

export function listOutages(st: State): Outage[] {
  return (st.outages?.records ?? []).map((o) => ({ ...o }));
}
