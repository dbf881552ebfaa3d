/**
 * The sandbox's persistence: a snapshot (`state.json`) and an append-only journal (`state.journal`).
 *
 * The state is cut into chunks: `top` (the small, always-written part: clock, counters, ports, the
 * server names and block counts), `cas` (the CAs with the serials they issued), `key:NAME` (one server's
 * admin API keys), `outages` (the referee's record), `gcs` (every server's global-configuration
 * bookkeeping), `tls`, `cs` (the Central Server's settings, without its servers, members and
 * requests), `csS:N` and `csM:N` (its servers and members, in blocks of CS_BLOCK), `req:N` (management
 * requests, in blocks of REQ_BLOCK), `ss:NAME` (one Security Server's settings and token state) with
 * `ss.PART:NAME` (its keys, clients, access rights, local groups, and the rarely written anchor, TLS
 * key, timestamping services and backups: SS_PARTS) and `ssd:NAME:N` (its service descriptions, in
 * blocks of SD_BLOCK), and `gc:VERSION` (one generated global configuration, stored once however many
 * servers hold it).
 *
 * A commit appends one line, `{"q":SEQ,"c":{CHUNK: VALUE, …}}`, holding `top` and the chunks the writes
 * since the last commit marked (touch: a server's writes mark its own chunks, the engine's write paths
 * mark the CS entries, requests, CAs and outages they change), plus the blocks an append reached, new
 * configurations, and `gcs` when a server's configuration changed or its download and reconciliation
 * times were last written more than GCS_TIMES_MS ago: the cost of a write is the size of what it
 * touched, not of the whole state. When the journal outgrows the snapshot, the whole state is written
 * as a new snapshot (atomically, 0600, never through a symlink) and the journal is emptied.
 *
 * Crash safety: a record is one write(2) of a line ending in a newline; the answer to a write waits for
 * its record. A kill mid-write leaves at most a torn last line, which loading ignores: the state is the
 * snapshot plus every complete record, that is every acknowledged write. A kill between a new snapshot
 * and the truncation leaves records the snapshot already holds: their sequence numbers say so.
 *
 * The download and reconciliation times in `gcs` are the scheduler's, not a write's: nothing acknowledges
 * them, a restart's first tick sets them again, and a journal loses at most GCS_TIMES_MS of them.
 *
 * With XRDCTL_SANDBOX_CHECK_JOURNAL=1 (the test suite sets it) every commit also compares each chunk it
 * did not write with what was last written (`gcs` without those times), and fails loudly if one
 * changed: a write path that forgot to mark what it changed would otherwise lose that change at the
 * next restart.
 */
import { closeSync, constants, existsSync, ftruncateSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSafe } from '../fs/files.js';
import type { CsMember, CsServer, GcSnapshot, MgmtRequest, SsState, State } from './model.js';

export const STATE_FILE = 'state.json';
export const JOURNAL_FILE = 'state.journal';
const FORMAT_V1 = 'xrdctl-sandbox/1';
/** v2: `top` held the CAs, API keys, outages and gc bookkeeping, `cs` the CS's servers and members (read, never written) */
const FORMAT_V2 = 'xrdctl-sandbox/2';
const FORMAT = 'xrdctl-sandbox/3';
/** management requests per journal chunk */
export const REQ_BLOCK = 32;
/** the parts of a Security Server written on their own (`ss.PART:NAME`); the rest is `ss:NAME`, written with any of them */
export const SS_PARTS = {
  keys: ['keys'],
  clients: ['clients'],
  acls: ['acls'],
  groups: ['localGroups'],
  cold: ['anchor', 'internalTls', 'tsps', 'backups'],
} as const satisfies Record<string, ReadonlyArray<keyof SsState>>;
export type SsPart = keyof typeof SS_PARTS;
const PART_NAMES = Object.keys(SS_PARTS) as SsPart[];
const PART_FIELDS = new Set<string>([...Object.values(SS_PARTS).flat(), 'serviceDescriptions']);
/** a Security Server's service descriptions per journal chunk (`ssd:NAME:N`); their count is in `ss:NAME` */
export const SD_BLOCK = 4;
/** CS servers or members per journal chunk */
export const CS_BLOCK = 8;
/** how stale the scheduler's download and reconciliation times in `gcs` may be in the journal */
export const GCS_TIMES_MS = 1000;
/**
 * compaction: when the journal holds more than 4 MiB and more than twice the snapshot's bytes; or, with
 * XRDCTL_SANDBOX_COMPACT_BYTES (1 KiB to 1 GiB), more than that many, so that a test can make a burst of writes compact often
 */
const COMPACT_AT = ((v) => (Number.isInteger(v) && v >= 1024 && v <= 2 ** 30 ? v : undefined))(Number(process.env.XRDCTL_SANDBOX_COMPACT_BYTES));

interface GcRef {
  ref: number;
  generatedAt: string;
}
type Chunks = Map<string, unknown>;

const ref = (s: GcSnapshot): GcRef => ({ ref: s.version, generatedAt: s.generatedAt });
const blocks = (n: number, size: number) => Math.ceil(n / size);
const blockCount = (st: State) => blocks(st.cs.requests.length, REQ_BLOCK);

/** every chunk name of a state, in writing order */
function chunkNames(st: State): string[] {
  const names = ['top', 'cas', 'outages', 'gcs', 'tls', 'cs'];
  for (const n of Object.keys(st.apiKeys)) names.push(`key:${n}`);
  for (let b = 0; b < blocks(st.cs.servers.length, CS_BLOCK); b++) names.push(`csS:${b}`);
  for (let b = 0; b < blocks(st.cs.members.length, CS_BLOCK); b++) names.push(`csM:${b}`);
  for (let b = 0; b < blockCount(st); b++) names.push(`req:${b}`);
  for (const s of st.ss) names.push(...ssChunks(st, s.name));
  for (const v of gcVersions(st).keys()) names.push(`gc:${v}`);
  return names;
}

/** in `ss:NAME`: how many service descriptions its `ssd:` blocks hold */
const SD_COUNT = 'sdCount';
/** the chunks of one Security Server */
const ssChunks = (st: State, name: string) => {
  const names = [`ss:${name}`, ...PART_NAMES.map((p) => `ss.${p}:${name}`)];
  const s = st.ss.find((x) => x.name === name);
  for (let b = 0; b < blocks(s?.serviceDescriptions.length ?? 0, SD_BLOCK); b++) names.push(`ssd:${name}:${b}`);
  return names;
};

/** the configurations the state refers to (the CS's published one and every server's downloaded one) */
function gcVersions(st: State): Map<number, GcSnapshot> {
  const out = new Map<number, GcSnapshot>();
  if (st.cs.published) out.set(st.cs.published.version, st.cs.published);
  for (const s of st.ss) if (s.gc.downloaded && !out.has(s.gc.downloaded.version)) out.set(s.gc.downloaded.version, s.gc.downloaded);
  return out;
}

/** the value of one chunk (a shallow copy: nothing of the live state is changed) */
function chunkValue(st: State, name: string): unknown {
  if (name === 'top') {
    const { cs, ss, tls: _tls, cas: _cas, apiKeys, outages: _o, ...rest } = st;
    return {
      ...rest,
      ssNames: ss.map((s) => s.name),
      keyNames: Object.keys(apiKeys),
      reqBlocks: blockCount(st),
      csServers: cs.servers.length,
      csMembers: cs.members.length,
    };
  }
  if (name === 'cas') return st.cas;
  if (name === 'outages') return st.outages ?? null;
  if (name === 'gcs')
    return {
      published: st.cs.published ? ref(st.cs.published) : undefined,
      gc: Object.fromEntries(st.ss.map((s) => [s.name, { ...s.gc, downloaded: s.gc.downloaded ? ref(s.gc.downloaded) : undefined }])),
    };
  if (name === 'tls') return st.tls;
  if (name === 'cs') {
    const { requests: _r, published: _p, servers: _s, members: _m, ...rest } = st.cs;
    return rest;
  }
  if (name.startsWith('key:')) return st.apiKeys[name.slice(4)];
  if (name.startsWith('csS:') || name.startsWith('csM:')) {
    const b = Number(name.slice(4));
    return (name[2] === 'S' ? st.cs.servers : st.cs.members).slice(b * CS_BLOCK, (b + 1) * CS_BLOCK);
  }
  if (name.startsWith('req:')) {
    const b = Number(name.slice(4));
    return st.cs.requests.slice(b * REQ_BLOCK, (b + 1) * REQ_BLOCK);
  }
  if (name.startsWith('ss:')) {
    const s = st.ss.find((x) => x.name === name.slice(3));
    if (!s) return undefined;
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) if (k !== 'gc' && !PART_FIELDS.has(k)) rest[k] = v;
    rest[SD_COUNT] = s.serviceDescriptions.length;
    return rest;
  }
  if (name.startsWith('ssd:')) {
    const i = name.lastIndexOf(':');
    const s = st.ss.find((x) => x.name === name.slice(4, i));
    if (!s) return undefined;
    const b = Number(name.slice(i + 1));
    return s.serviceDescriptions.slice(b * SD_BLOCK, (b + 1) * SD_BLOCK);
  }
  if (name.startsWith('ss.')) {
    const i = name.indexOf(':');
    const s = st.ss.find((x) => x.name === name.slice(i + 1));
    if (!s) return undefined;
    const part: Record<string, unknown> = {};
    for (const k of SS_PARTS[name.slice(3, i) as SsPart]) part[k] = s[k];
    return part;
  }
  if (name.startsWith('gc:')) {
    const snap = gcVersions(st).get(Number(name.slice(3)));
    if (!snap) return undefined;
    const { generatedAt: _g, ...rest } = snap;
    return rest;
  }
  throw new Error(`sandbox journal: unknown chunk ${name}`);
}

/** check mode: `gcs` as it must have been written (the scheduler's times may be stale, GCS_TIMES_MS) */
function checked(name: string, v: unknown): string {
  if (name !== 'gcs') return JSON.stringify(v);
  const g = v as { published?: GcRef; gc: Record<string, Record<string, unknown>> };
  return JSON.stringify({
    published: g.published?.ref,
    gc: Object.fromEntries(
      Object.entries(g.gc).map(([n, x]) => {
        const { downloadedAt: _d, reconciledAt: _r, downloaded, ...rest } = x;
        return [n, { ...rest, downloaded: (downloaded as GcRef | undefined)?.ref }];
      }),
    ),
  });
}

/** what decides whether `gcs` must be written before its times are stale: each server's configuration and its verdict on it */
function gcsSig(st: State): string {
  let s = `${st.cs.published?.version ?? ''}`;
  for (const x of st.ss) {
    const g = x.gc;
    s += `;${g.downloaded?.version ?? ''}/${g.reconciledVersion}/${g.verifyError ?? ''}/${g.learnedSigners?.join(',') ?? ''}`;
    for (const k of Object.keys(g)) if (!GCS_KEYS.has(k)) s += `/${k}=${JSON.stringify((g as Record<string, unknown>)[k])}`;
  }
  return s;
}
const GCS_KEYS = new Set(['downloaded', 'downloadedAt', 'reconciledVersion', 'reconciledAt', 'verifyError', 'learnedSigners']);

interface Top {
  ssNames: string[];
  keyNames?: string[];
  reqBlocks: number;
  csServers?: number;
  csMembers?: number;
  /** v2 */
  published?: GcRef;
  gc?: Record<string, State['ss'][number]['gc'] & { downloaded?: GcRef | GcSnapshot }>;
  [k: string]: unknown;
}

/** the live state from its chunks (v3, or v2's layout); configurations of one version are one object, as in the running sandbox */
function compose(chunks: Chunks, where: string): State {
  const top = chunks.get('top') as Top | undefined;
  if (!top || !Array.isArray(top.ssNames)) throw new Error(`${where}: the snapshot has no state`);
  const { ssNames, keyNames, reqBlocks, csServers, csMembers, published: p2, gc: gc2, ...rest } = top;
  const v3 = keyNames !== undefined;
  const gcs = v3 ? (chunks.get('gcs') as { published?: GcRef; gc: NonNullable<Top['gc']> }) : { published: p2, gc: gc2 ?? {} };
  const snaps = new Map<number, GcSnapshot>();
  const snapOf = (r: GcRef | undefined): GcSnapshot | undefined => {
    if (!r) return undefined;
    let s = snaps.get(r.ref);
    if (!s) {
      const body = chunks.get(`gc:${r.ref}`) as Omit<GcSnapshot, 'generatedAt'> | undefined;
      if (!body) throw new Error(`${where}: global configuration version ${r.ref} is missing`);
      s = { ...body, generatedAt: r.generatedAt } as GcSnapshot;
      snaps.set(r.ref, s);
    }
    return s;
  };
  const joined = <T>(prefix: string, n: number): T[] => {
    const out: T[] = [];
    for (let b = 0; b < n; b++) out.push(...((chunks.get(`${prefix}${b}`) as T[] | undefined) ?? []));
    return out;
  };
  const requests = joined<MgmtRequest>('req:', reqBlocks);
  const csRest = chunks.get('cs') as State['cs'];
  const cs = v3
    ? {
        ...csRest,
        members: joined<CsMember>('csM:', blocks(csMembers ?? 0, CS_BLOCK)),
        servers: joined<CsServer>('csS:', blocks(csServers ?? 0, CS_BLOCK)),
        requests,
        published: snapOf(gcs.published),
      }
    : { ...csRest, requests, published: snapOf(gcs.published) };
  const ss = ssNames.map((n) => {
    const rest = chunks.get(`ss:${n}`) as Omit<State['ss'][number], 'gc'> | undefined;
    if (!rest) throw new Error(`${where}: security server ${n} is missing`);
    // format 2 holds a whole server in ss:NAME
    const body: Record<string, unknown> = { ...rest };
    for (const p of PART_NAMES) Object.assign(body, chunks.get(`ss.${p}:${n}`) as object | undefined);
    if (SD_COUNT in body) {
      body.serviceDescriptions = joined(`ssd:${n}:`, blocks(Number(body[SD_COUNT]), SD_BLOCK));
      delete body[SD_COUNT];
    }
    const g = gcs.gc[n] ?? { reconciledVersion: 0 };
    return { ...body, gc: { ...g, downloaded: snapOf(g.downloaded as GcRef | undefined) } } as State['ss'][number];
  });
  if (!cs.published) delete cs.published;
  for (const s of ss) if (!s.gc.downloaded) delete s.gc.downloaded;
  const st = { ...(rest as Omit<State, 'cs' | 'ss' | 'tls'>), cs, ss, tls: chunks.get('tls') as State['tls'] };
  if (v3) {
    st.cas = chunks.get('cas') as State['cas'];
    st.apiKeys = Object.fromEntries(keyNames.map((n) => [n, chunks.get(`key:${n}`) as Record<string, string>]));
    const o = chunks.get('outages') as State['outages'] | null | undefined;
    if (o) st.outages = o;
    else delete st.outages;
  }
  return st as State;
}

const unreadable = (p: string, why: string) => new Error(`${p}: unreadable sandbox state (${why}); 'xrdctl sandbox reset' starts over`);

/** The state in dir (the snapshot plus every complete journal record), or undefined when there is none. */
export function loadState(dir: string): State | undefined {
  return loadStored(dir)?.state;
}

/** the state and the sequence number of the last record it holds (the next writer continues from it) */
export function loadStored(dir: string): { state: State; seq: number } | undefined {
  const p = join(dir, STATE_FILE);
  if (!existsSync(p)) return undefined;
  let raw: { format?: unknown; journalSeq?: number; chunks?: Record<string, unknown> } & Partial<State>;
  try {
    raw = JSON.parse(readFileSync(p, 'utf8')) as typeof raw;
  } catch (e) {
    throw unreadable(p, e instanceof Error ? e.message : String(e));
  }
  if (raw?.format === FORMAT_V1) return { state: raw as State, seq: 0 }; // written before the journal: one whole snapshot
  if (!raw || (raw.format !== FORMAT && raw.format !== FORMAT_V2) || typeof raw.chunks !== 'object' || !raw.chunks)
    throw new Error(
      `${p}: not an xrdctl sandbox state file (format ${String((raw as { format?: unknown } | null)?.format)}); 'xrdctl sandbox reset' starts over`,
    );
  const chunks: Chunks = new Map(Object.entries(raw.chunks));
  const seq0 = Number(raw.journalSeq ?? 0);
  let seq = seq0;
  const jp = join(dir, JOURNAL_FILE);
  if (existsSync(jp)) {
    const text = readFileSync(jp, 'utf8');
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a record torn by a kill (never acknowledged)
    lines.forEach((line, i) => {
      let rec: { q: number; c: Record<string, unknown> };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch (e) {
        throw unreadable(jp, `record ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (rec.q <= seq0) return; // already in the snapshot (a kill between compaction and truncation)
      for (const [k, v] of Object.entries(rec.c)) chunks.set(k, v);
      seq = Math.max(seq, rec.q);
    });
  }
  const st = compose(chunks, p);
  (st as { format: string }).format = FORMAT_V1; // the live state's own format tag (model.ts)
  return { state: st, seq };
}

/** The writer: commits (journal records) and compactions (snapshots) of one live state. */
export class StateStore {
  private fd = -1;
  private seq = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private dirty = new Set<string>();
  private all = true;
  /** CS entries and management requests a write changed: their blocks are found at the commit */
  private dirtyServers = new Set<CsServer>();
  private dirtyMembers = new Set<CsMember>();
  private dirtyRequests = new Set<MgmtRequest>();
  private csAll = false;
  /** Security Servers a write changed as a whole; service descriptions by server */
  private wholeSs = new Set<string>();
  private dirtySds = new Map<string, Set<object>>();
  /** per Security Server: its service descriptions as last written */
  private sdLens = new Map<string, number>();
  /** configuration versions in the snapshot or the journal */
  private writtenGc = new Set<number>();
  /** the lengths of the CS's lists as last written: an append writes the blocks from the old end on */
  private lens = { servers: 0, members: 0, requests: 0 };
  /** `gcs` as last written: its signature and when */
  private gcsWritten = { sig: '', at: 0 };
  /** commits and compactions so far, and the bytes they wrote */
  readonly stats = { commits: 0, compactions: 0, bytes: 0 };
  /** check mode: every chunk's JSON as last written */
  private written?: Map<string, string>;

  /** seq: the last record of the loaded state (sequence numbers never go back, so a snapshot's says what it holds) */
  constructor(
    readonly dir: string,
    seq = 0,
    private readonly check = process.env.XRDCTL_SANDBOX_CHECK_JOURNAL === '1',
  ) {
    this.seq = seq;
  }

  get statePath(): string {
    return join(this.dir, STATE_FILE);
  }
  get journalPath(): string {
    return join(this.dir, JOURNAL_FILE);
  }
  /** a write changed this chunk ('key:NAME', 'cs', 'cas', 'outages', 'gcs', 'tls'; 'ss:NAME': the whole Security Server); the next commit writes it */
  touch(name: string): void {
    if (name.startsWith('ss:')) this.wholeSs.add(name.slice(3));
    else this.dirty.add(name);
  }
  /** a write changed only these parts of a Security Server (and its settings, `ss:NAME`, which are written with them) */
  touchSsParts(name: string, parts: readonly SsPart[]): void {
    this.dirty.add(`ss:${name}`);
    for (const p of parts) this.dirty.add(`ss.${p}:${name}`);
  }
  /** a write changed this service description of a Security Server (an added one is found by itself) */
  touchSd(name: string, sd: object): void {
    this.dirty.add(`ss:${name}`);
    let m = this.dirtySds.get(name);
    if (!m) this.dirtySds.set(name, (m = new Set()));
    m.add(sd);
  }
  /** a write changed this CS server, member or management request: the next commit writes its block */
  touchServer(s: CsServer): void {
    this.dirtyServers.add(s);
  }
  touchMember(m: CsMember): void {
    this.dirtyMembers.add(m);
  }
  touchRequest(r: MgmtRequest): void {
    this.dirtyRequests.add(r);
  }
  /** a write whose reach in the CS is not tracked: its settings, CAs and every server and member block (not its requests) */
  touchCsAll(): void {
    this.csAll = true;
  }
  /** the next commit writes everything (a restore, a control action whose reach is not tracked) */
  touchAll(): void {
    this.all = true;
  }

  /** Append one record of what changed since the last commit; compacts when the journal has grown large. */
  commit(st: State): void {
    if (this.fd < 0 || this.all) return this.compact(st);
    const c: Record<string, unknown> = { top: chunkValue(st, 'top') };
    const cs = st.cs;
    if (this.csAll) {
      this.csAll = false;
      this.dirty.add('cs').add('cas');
      for (let b = 0; b < blocks(cs.servers.length, CS_BLOCK); b++) this.dirty.add(`csS:${b}`);
      for (let b = 0; b < blocks(cs.members.length, CS_BLOCK); b++) this.dirty.add(`csM:${b}`);
    }
    const mark = (prefix: string, size: number, list: readonly unknown[], objs: Set<unknown>, was: number) => {
      for (const o of objs) {
        const i = list.indexOf(o);
        if (i >= 0) this.dirty.add(`${prefix}${Math.floor(i / size)}`);
      }
      objs.clear();
      // an append (or a removal at the end) reaches the blocks from the shorter end on
      if (list.length !== was) for (let b = Math.floor(Math.min(was, list.length) / size); b < blocks(list.length, size); b++) this.dirty.add(`${prefix}${b}`);
    };
    mark('csS:', CS_BLOCK, cs.servers, this.dirtyServers as Set<unknown>, this.lens.servers);
    mark('csM:', CS_BLOCK, cs.members, this.dirtyMembers as Set<unknown>, this.lens.members);
    mark('req:', REQ_BLOCK, cs.requests, this.dirtyRequests as Set<unknown>, this.lens.requests);
    this.lens = { servers: cs.servers.length, members: cs.members.length, requests: cs.requests.length };
    for (const name of this.wholeSs) for (const c of ssChunks(st, name)) this.dirty.add(c);
    this.wholeSs.clear();
    for (const ss of st.ss) {
      const sds = this.dirtySds.get(ss.name);
      mark(`ssd:${ss.name}:`, SD_BLOCK, ss.serviceDescriptions, sds ?? new Set(), this.sdLens.get(ss.name) ?? 0);
      this.sdLens.set(ss.name, ss.serviceDescriptions.length);
    }
    this.dirtySds.clear();
    if (!this.dirty.has('gcs')) {
      const sig = gcsSig(st);
      if (sig !== this.gcsWritten.sig || Date.now() - this.gcsWritten.at >= GCS_TIMES_MS) this.dirty.add('gcs');
    }
    for (const name of this.dirty) {
      const v = chunkValue(st, name);
      if (v !== undefined) c[name] = v;
    }
    if ('gcs' in c) this.gcsWritten = { sig: gcsSig(st), at: Date.now() };
    for (const v of gcVersions(st).keys()) {
      if (this.writtenGc.has(v)) continue;
      c[`gc:${v}`] = chunkValue(st, `gc:${v}`);
      this.writtenGc.add(v);
    }
    this.dirty.clear();
    if (this.written) this.verify(st, c);
    const line = Buffer.from(`${JSON.stringify({ q: ++this.seq, c })}\n`, 'utf8');
    let off = 0;
    while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
    this.journalBytes += line.length;
    this.stats.commits++;
    this.stats.bytes += line.length;
    if (this.journalBytes > (COMPACT_AT ?? Math.max(4 * 1024 * 1024, 2 * this.snapshotBytes))) this.compact(st);
  }

  /** Write the whole state as a new snapshot and empty the journal. */
  compact(st: State): void {
    const chunks: Record<string, unknown> = {};
    for (const name of chunkNames(st)) chunks[name] = chunkValue(st, name);
    const body = JSON.stringify({ format: FORMAT, journalSeq: this.seq, chunks });
    // no fsync: surviving a power loss is not the sandbox's goal, surviving a kill is (rename is atomic)
    writeFileSafe(this.statePath, body, { overwrite: true, durable: false, what: 'sandbox state' });
    this.snapshotBytes = body.length;
    this.stats.compactions++;
    this.stats.bytes += body.length;
    this.openJournal();
    ftruncateSync(this.fd, 0);
    this.journalBytes = 0;
    this.all = false;
    this.dirty.clear();
    this.csAll = false;
    this.wholeSs.clear();
    this.dirtySds.clear();
    this.sdLens = new Map(st.ss.map((x) => [x.name, x.serviceDescriptions.length]));
    this.dirtyServers.clear();
    this.dirtyMembers.clear();
    this.dirtyRequests.clear();
    this.writtenGc = new Set(gcVersions(st).keys());
    this.lens = { servers: st.cs.servers.length, members: st.cs.members.length, requests: st.cs.requests.length };
    this.gcsWritten = { sig: gcsSig(st), at: Date.now() };
    if (this.check) this.written = new Map(Object.entries(chunks).map(([k, v]) => [k, checked(k, v)]));
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private openJournal(): void {
    if (this.fd >= 0) return;
    const p = this.journalPath;
    try {
      if (lstatSync(p).isSymbolicLink()) throw new Error(`${p} is a symbolic link; the sandbox writes its journal to a regular file only`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.fd = openSync(p, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW, 0o600);
  }

  /** check mode: what this commit leaves out must be what was last written */
  private verify(st: State, c: Record<string, unknown>): void {
    const w = this.written!;
    for (const name of chunkNames(st)) {
      if (name in c) {
        w.set(name, checked(name, c[name]));
        continue;
      }
      const now = checked(name, chunkValue(st, name));
      if (w.get(name) !== now)
        throw new Error(`sandbox journal: chunk ${name} changed but no write marked it (engine.touch): the change would be lost on a restart`);
    }
  }
}
