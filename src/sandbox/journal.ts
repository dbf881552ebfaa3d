/**
 * The sandbox's persistence: a snapshot (`state.json`) and an append-only journal (`state.journal`).
 *
 * The state is cut into chunks: `top` (the small, always-written part: clock, CAs, keys, outages, the
 * global-configuration bookkeeping of every server), `tls`, `cs` (the Central Server without its
 * requests), `req:N` (management requests, in blocks of REQ_BLOCK), `ss:NAME` (one Security Server)
 * and `gc:VERSION` (one generated global configuration, stored once however many servers hold it).
 *
 * A commit appends one line, `{"q":SEQ,"c":{CHUNK: VALUE, …}}`, holding the chunks the writes since the
 * last commit marked (plus `top`, new configurations and request blocks whose ids, statuses or
 * update times changed): the cost of a write is the size of what it touched, not of the whole state.
 * When the journal outgrows the snapshot, the whole state is written as a new snapshot (atomically,
 * 0600, never through a symlink) and the journal is emptied.
 *
 * Crash safety: a record is one write(2) of a line ending in a newline; the answer to a write waits for
 * its record. A kill mid-write leaves at most a torn last line, which loading ignores: the state is the
 * snapshot plus every complete record, that is every acknowledged write. A kill between a new snapshot
 * and the truncation leaves records the snapshot already holds: their sequence numbers say so.
 *
 * With XRDCTL_SANDBOX_CHECK_JOURNAL=1 (the test suite sets it) every commit also compares each chunk it
 * did not write with what was last written, and fails loudly if one changed: a write path that forgot
 * to mark what it changed would otherwise lose that change at the next restart.
 */
import { closeSync, constants, existsSync, ftruncateSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSafe } from '../fs/files.js';
import type { GcSnapshot, State } from './model.js';

export const STATE_FILE = 'state.json';
export const JOURNAL_FILE = 'state.journal';
const FORMAT_V1 = 'xrdctl-sandbox/1';
const FORMAT = 'xrdctl-sandbox/2';
/** management requests per journal chunk */
export const REQ_BLOCK = 128;
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
const blockCount = (st: State) => Math.ceil(st.cs.requests.length / REQ_BLOCK);

/** every chunk name of a state, in writing order */
function chunkNames(st: State): string[] {
  const names = ['top', 'tls', 'cs'];
  for (let b = 0; b < blockCount(st); b++) names.push(`req:${b}`);
  for (const s of st.ss) names.push(`ss:${s.name}`);
  for (const v of gcVersions(st).keys()) names.push(`gc:${v}`);
  return names;
}

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
    const { cs, ss, tls: _tls, ...rest } = st;
    return {
      ...rest,
      ssNames: ss.map((s) => s.name),
      reqBlocks: blockCount(st),
      published: cs.published ? ref(cs.published) : undefined,
      gc: Object.fromEntries(ss.map((s) => [s.name, { ...s.gc, downloaded: s.gc.downloaded ? ref(s.gc.downloaded) : undefined }])),
    };
  }
  if (name === 'tls') return st.tls;
  if (name === 'cs') {
    const { requests: _r, published: _p, ...rest } = st.cs;
    return rest;
  }
  if (name.startsWith('req:')) {
    const b = Number(name.slice(4));
    return st.cs.requests.slice(b * REQ_BLOCK, (b + 1) * REQ_BLOCK);
  }
  if (name.startsWith('ss:')) {
    const s = st.ss.find((x) => x.name === name.slice(3));
    if (!s) return undefined;
    const { gc: _gc, ...rest } = s;
    return rest;
  }
  if (name.startsWith('gc:')) {
    const snap = gcVersions(st).get(Number(name.slice(3)));
    if (!snap) return undefined;
    const { generatedAt: _g, ...rest } = snap;
    return rest;
  }
  throw new Error(`sandbox journal: unknown chunk ${name}`);
}

interface Top {
  ssNames: string[];
  reqBlocks: number;
  published?: GcRef;
  gc: Record<string, State['ss'][number]['gc'] & { downloaded?: GcRef | GcSnapshot }>;
  [k: string]: unknown;
}

/** the live state from its chunks; configurations of one version are one object, as in the running sandbox */
function compose(chunks: Chunks, where: string): State {
  const top = chunks.get('top') as Top | undefined;
  if (!top || !Array.isArray(top.ssNames)) throw new Error(`${where}: the snapshot has no state`);
  const { ssNames, reqBlocks, published, gc, ...rest } = top;
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
  const requests: State['cs']['requests'] = [];
  for (let b = 0; b < reqBlocks; b++) requests.push(...((chunks.get(`req:${b}`) as State['cs']['requests'] | undefined) ?? []));
  const cs = { ...(chunks.get('cs') as State['cs']), requests, published: snapOf(published) };
  const ss = ssNames.map((n) => {
    const body = chunks.get(`ss:${n}`) as Omit<State['ss'][number], 'gc'> | undefined;
    if (!body) throw new Error(`${where}: security server ${n} is missing`);
    const g = gc[n] ?? { reconciledVersion: 0 };
    return { ...body, gc: { ...g, downloaded: snapOf(g.downloaded as GcRef | undefined) } } as State['ss'][number];
  });
  if (!cs.published) delete cs.published;
  for (const s of ss) if (!s.gc.downloaded) delete s.gc.downloaded;
  return { ...(rest as Omit<State, 'cs' | 'ss' | 'tls'>), cs, ss, tls: chunks.get('tls') as State['tls'] };
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
  if (!raw || raw.format !== FORMAT || typeof raw.chunks !== 'object' || !raw.chunks)
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
  /** configuration versions in the snapshot or the journal */
  private writtenGc = new Set<number>();
  /** per request block: ids, statuses and update times as last written */
  private reqSigs: string[] = [];
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
  /** a write changed this chunk ('ss:NAME', 'cs', 'tls'); the next commit writes it */
  touch(name: string): void {
    this.dirty.add(name);
  }
  /** the next commit writes everything (a restore, a control action whose reach is not tracked) */
  touchAll(): void {
    this.all = true;
  }

  /** Append one record of what changed since the last commit; compacts when the journal has grown large. */
  commit(st: State): void {
    if (this.fd < 0 || this.all) return this.compact(st);
    const c: Record<string, unknown> = { top: chunkValue(st, 'top') };
    for (const name of this.dirty) {
      const v = chunkValue(st, name);
      if (v !== undefined) c[name] = v;
    }
    const blocks = blockCount(st);
    for (let b = 0; b < blocks; b++) {
      const sig = blockSig(st, b);
      if (sig !== this.reqSigs[b]) {
        c[`req:${b}`] = chunkValue(st, `req:${b}`);
        this.reqSigs[b] = sig;
      }
    }
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
    this.writtenGc = new Set(gcVersions(st).keys());
    this.reqSigs = Array.from({ length: blockCount(st) }, (_, b) => blockSig(st, b));
    if (this.check) this.written = new Map(Object.entries(chunks).map(([k, v]) => [k, JSON.stringify(v)]));
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
        w.set(name, JSON.stringify(c[name]));
        continue;
      }
      const now = JSON.stringify(chunkValue(st, name));
      if (w.get(name) !== now)
        throw new Error(`sandbox journal: chunk ${name} changed but no write marked it (engine.touch): the change would be lost on a restart`);
    }
  }
}

/** what decides whether a request block must be written again: the requests' ids, statuses and update times */
function blockSig(st: State, b: number): string {
  let s = '';
  const end = Math.min(st.cs.requests.length, (b + 1) * REQ_BLOCK);
  for (let i = b * REQ_BLOCK; i < end; i++) {
    const r = st.cs.requests[i]!;
    s += `${r.id}/${r.status ?? ''}/${r.updatedAt}/${r.comments?.length ?? 0};`;
  }
  return s;
}
