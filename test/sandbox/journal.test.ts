/** The sandbox's snapshot + append-only journal (src/sandbox/journal.ts), on a real sandbox state. */
import { appendFileSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { JOURNAL_FILE, loadState, STATE_FILE, StateStore } from '../../src/sandbox/journal.js';
import type { State } from '../../src/sandbox/model.js';

let base: State;
beforeAll(async () => {
  // three servers that all downloaded the same global configuration
  const sb = await startSandbox({ securityServers: 3, gcIntervalMs: 100, preset: 'initialized', rateLimit: false });
  await sb.waitForGlobalConf();
  await sb.stop();
  base = loadState(sb.dir)!;
});
const fresh = (): { st: State; dir: string } => ({ st: structuredClone(base), dir: mkdtempSync(join(tmpdir(), 'xrdctl-journal-')) });
const same = (a: State, b: State) => expect(JSON.parse(JSON.stringify(b))).toEqual(JSON.parse(JSON.stringify(a)));

describe('sandbox journal', () => {
  it('a commit writes only what changed; snapshot + journal load back to the live state', () => {
    const { st, dir } = fresh();
    const store = new StateStore(dir, 0, false);
    store.compact(st);
    const snapshotSize = statSync(join(dir, STATE_FILE)).size;
    st.ss[1]!.localGroups.push({ id: '77', clientId: 'x', code: 'g', description: 'd', updatedAt: new Date(0).toISOString(), members: [] });
    store.touch('ss:ss2');
    store.commit(st);
    const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!) as { q: number; c: Record<string, unknown> };
    expect(Object.keys(rec.c).sort()).toEqual(['ss:ss2', 'top']);
    expect(lines[0]!.length).toBeLessThan(snapshotSize / 2);
    // a management request: found by its own signature, no mark needed
    st.cs.requests.push({ ...st.cs.requests[0]!, id: 999, status: 'WAITING', updatedAt: new Date(1).toISOString() });
    store.commit(st);
    same(st, loadState(dir)!);
    store.close();
  });

  it('stores one global configuration once however many servers hold it, and loads it back as one object', () => {
    const { st, dir } = fresh();
    expect(new Set(st.ss.map((s) => s.gc.downloaded?.version)).size).toBe(1);
    const store = new StateStore(dir, 0, false);
    store.compact(st);
    const snap = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as { chunks: Record<string, unknown> };
    expect(Object.keys(snap.chunks).filter((k) => k.startsWith('gc:'))).toHaveLength(1);
    const back = loadState(dir)!;
    expect(back.ss[0]!.gc.downloaded).toBe(back.ss[2]!.gc.downloaded);
    expect(back.ss[0]!.gc.downloaded).toBe(back.cs.published);
    same(st, back);
    store.close();
  });

  it('a torn last record (a kill mid-write) is ignored; records the snapshot already holds are skipped', () => {
    const { st, dir } = fresh();
    const store = new StateStore(dir, 0, false);
    store.compact(st);
    st.clockOffsetMs = 111;
    store.commit(st);
    const acknowledged = structuredClone(st);
    appendFileSync(join(dir, JOURNAL_FILE), '{"q":99,"c":{"top":{"clockOff'); // torn: no newline
    same(acknowledged, loadState(dir)!);
    // a kill after a new snapshot but before the journal was emptied: its old records must not be replayed
    const journal = readFileSync(join(dir, JOURNAL_FILE), 'utf8');
    st.clockOffsetMs = 222;
    store.compact(st);
    writeFileSync(join(dir, JOURNAL_FILE), journal);
    expect(loadState(dir)!.clockOffsetMs).toBe(222);
    store.close();
  });

  it('a complete record that does not parse is an error naming the journal, not a silent loss', () => {
    const { st, dir } = fresh();
    const store = new StateStore(dir, 0, false);
    store.compact(st);
    store.close();
    writeFileSync(join(dir, JOURNAL_FILE), 'not json\n');
    expect(() => loadState(dir)).toThrow(/state\.journal: unreadable sandbox state \(record 1/);
  });

  it('check mode: a change no write marked fails the commit, naming the chunk', () => {
    const { st, dir } = fresh();
    const store = new StateStore(dir, 0, true);
    store.compact(st);
    st.ss[0]!.maintenance = true; // nobody called touch('ss:ss1')
    expect(() => store.commit(st)).toThrow(/chunk ss:ss1 changed but no write marked it/);
    store.close();
  });

  it('files: state and journal are 0600; a journal that is a symbolic link is refused', () => {
    const { st, dir } = fresh();
    const store = new StateStore(dir, 0, false);
    store.compact(st);
    store.commit(st);
    expect(statSync(join(dir, STATE_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, JOURNAL_FILE)).mode & 0o777).toBe(0o600);
    store.close();
    const d2 = mkdtempSync(join(tmpdir(), 'xrdctl-journal-'));
    symlinkSync(join(d2, 'elsewhere'), join(d2, JOURNAL_FILE));
    expect(() => new StateStore(d2, 0, false).compact(st)).toThrow(/symbolic link/);
  });
});
