/** The sandbox's snapshot + append-only journal (src/sandbox/journal.ts), on a real sandbox state. */
import { appendFileSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/sandbox/engine.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { CS_BLOCK, JOURNAL_FILE, loadState, REQ_BLOCK, SD_BLOCK, STATE_FILE, StateStore } from '../../src/sandbox/journal.js';
import { ssServerId, type State } from '../../src/sandbox/model.js';

let base: State;
beforeAll(async () => {
  // three servers that all downloaded the same global configuration
  const sb = await startSandbox({ securityServers: 3, gcIntervalMs: 100, preset: 'initialized', rateLimit: false });
  await sb.waitForGlobalConf();
  await sb.stop();
  base = loadState(sb.dir)!;
});
const fresh = (): { st: State; dir: string } => ({ st: structuredClone(base), dir: mkdtempSync(join(tmpdir(), 'xrdctl-journal-')) });
const at = new Date(0).toISOString();
const server = (code: string): State['cs']['servers'][number] => ({
  ownerClass: 'GOV',
  ownerCode: '1001',
  serverCode: code,
  address: 'x',
  authCerts: [],
  clients: [],
  createdAt: at,
  updatedAt: at,
  maintenance: false,
});
const request = (id: number): State['cs']['requests'][number] => ({
  id,
  type: 'CLIENT_REGISTRATION_REQUEST',
  origin: 'SECURITY_SERVER',
  status: 'WAITING',
  serverId: 'DEV:GOV:1001:X',
  clientId: 'DEV:GOV:1001:S',
  createdAt: at,
  updatedAt: at,
});
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
    // the whole of ss2 (its settings, each of its parts, its service descriptions), nothing of the others
    const written = Object.keys(rec.c);
    expect(written).toEqual(expect.arrayContaining(['top', 'ss:ss2', 'ss.keys:ss2', 'ss.clients:ss2', 'ss.acls:ss2', 'ss.groups:ss2', 'ss.cold:ss2']));
    expect(written.filter((k) => k !== 'top' && !k.endsWith(':ss2') && !k.startsWith('ssd:ss2:'))).toEqual([]);
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

  it('a write that reconciles a configuration downloaded but not yet reconciled marks what the reconciliation changed', () => {
    // the window of a real run: the scheduler downloaded a configuration listing the server's new auth
    // certificate and the owner's client; a write that touches only its own part (a client added) reconciles
    // first, and the keys it changes must reach the journal too
    const { st, dir } = fresh();
    const ss = st.ss[0]!;
    const id = ssServerId(st, ss)!;
    const listed = { ...st.cs.published!, version: st.cs.published!.version + 1 };
    listed.servers = [
      ...listed.servers.filter((s) => s.id !== id),
      { id, address: ss.address ?? 'ss1', authCertHashes: ['AB12'], clients: [], maintenance: true, maintenanceMessage: 'm' },
    ];
    ss.gc.downloaded = listed;
    const auth = { id: 'K9', label: 'auth', name: 'auth', usage: 'AUTHENTICATION' as const, privateKeyPem: '', publicKeyPem: '', csrs: [] };
    ss.keys.push({
      ...auth,
      certs: [{ hash: 'AB12', derB64: '', status: 'REGISTRATION_IN_PROGRESS', active: true, caName: 'x', serial: '1', importedAt: at }],
    });
    const engine = new Engine(st, dir, {}, 0);
    engine.persist();
    engine.touchSsParts(ss.name, ['clients']); // what the client's route marks
    expect(engine.reconcile(ss)).toBe(true);
    expect(() => engine.commit()).not.toThrow();
    engine.stopPersisting();
    const back = loadState(dir)!;
    expect(back.ss[0]!.keys.at(-1)!.certs[0]!.status).toBe('REGISTERED');
    expect(back.ss[0]).toMatchObject({ maintenance: true, maintenanceMessage: 'm' });
    same(st, back);
  });

  it('a CS write writes the blocks of the servers, members and requests it touched, not the whole CS', () => {
    const { st, dir } = fresh();
    // enough servers, members and requests for several blocks of each
    for (let i = 0; i < 3 * CS_BLOCK; i++) {
      st.cs.members.push({ memberClass: 'GOV', memberCode: `M${i}`, name: `m${i}`, createdAt: new Date(0).toISOString(), subsystems: [] });
      st.cs.servers.push(server(`X${i}`));
    }
    for (let i = 0; i < 2 * REQ_BLOCK; i++) st.cs.requests.push(request(1000 + i));
    const store = new StateStore(dir, 0, true);
    store.compact(st);
    const m = st.cs.members[CS_BLOCK + 1]!;
    m.subsystems.push({ code: 'S', createdAt: new Date(0).toISOString() });
    store.touchMember(m);
    const s = st.cs.servers[2 * CS_BLOCK]!;
    s.clients.push('DEV:GOV:M1:S');
    store.touchServer(s);
    const r = st.cs.requests[REQ_BLOCK + 3]!;
    r.status = 'APPROVED';
    store.touchRequest(r);
    store.commit(st);
    const rec = JSON.parse(readFileSync(join(dir, JOURNAL_FILE), 'utf8').trim().split('\n').at(-1)!) as { c: Record<string, unknown> };
    expect(Object.keys(rec.c).sort()).toEqual(['csM:1', 'csS:2', 'req:1', 'top']);
    same(st, loadState(dir)!);
    store.close();
  });

  it('a Security Server write that changes one part writes that part and the server settings only', () => {
    const { st, dir } = fresh();
    const store = new StateStore(dir, 0, true);
    store.compact(st);
    st.ss[0]!.acls.push({ clientId: 'DEV:GOV:1001:S', serviceCode: 'x', subjectId: 'DEV:GOV:1002:S', givenAt: at });
    st.ss[0]!.loggedIn = !st.ss[0]!.loggedIn;
    store.touchSsParts('ss1', ['acls']);
    store.commit(st);
    const rec = JSON.parse(readFileSync(join(dir, JOURNAL_FILE), 'utf8').trim().split('\n').at(-1)!) as { c: Record<string, unknown> };
    expect(Object.keys(rec.c).sort()).toEqual(['ss.acls:ss1', 'ss:ss1', 'top']);
    same(st, loadState(dir)!);
    // a part the write did not name is caught in check mode
    st.ss[0]!.clients[0]!.status = 'DISABLED';
    store.touchSsParts('ss1', ['acls']);
    expect(() => store.commit(st)).toThrow(/chunk ss\.clients:ss1 changed but no write marked it/);
    store.close();
  });

  it('service descriptions: an added one writes the last block, a changed one its own block', () => {
    const { st, dir } = fresh();
    const ss = st.ss[0]!;
    const sd = (n: number): State['ss'][number]['serviceDescriptions'][number] => ({
      id: `sd${n}`,
      clientId: 'DEV:GOV:1001:S',
      url: `https://x/${n}`,
      type: 'OPENAPI3',
      disabled: true,
      disabledNotice: '',
      refreshedAt: at,
      services: [],
    });
    for (let i = 0; i < 3 * SD_BLOCK; i++) ss.serviceDescriptions.push(sd(i));
    const store = new StateStore(dir, 0, true);
    store.compact(st);
    const last = () => JSON.parse(readFileSync(join(dir, JOURNAL_FILE), 'utf8').trim().split('\n').at(-1)!) as { c: Record<string, unknown> };
    const n = ss.serviceDescriptions.length;
    ss.serviceDescriptions.push(sd(99));
    store.touchSsParts('ss1', []);
    store.commit(st);
    expect(Object.keys(last().c).sort()).toEqual(['ss:ss1', `ssd:ss1:${Math.floor(n / SD_BLOCK)}`, 'top']);
    ss.serviceDescriptions[SD_BLOCK + 1]!.disabled = false;
    store.touchSd('ss1', ss.serviceDescriptions[SD_BLOCK + 1]!);
    store.commit(st);
    expect(Object.keys(last().c).sort()).toEqual(['ss:ss1', 'ssd:ss1:1', 'top']);
    same(st, loadState(dir)!);
    ss.serviceDescriptions[0]!.disabled = false; // unmarked
    store.touchSsParts('ss1', []);
    expect(() => store.commit(st)).toThrow(/chunk ssd:ss1:0 changed but no write marked it/);
    store.close();
  });

  it('check mode: an unmarked change of a CS server, a request, the CAs or the outage record fails the commit', () => {
    const cases: Array<[RegExp, (st: State) => void]> = [
      [/chunk csS:0 changed/, (st) => (st.cs.servers[0]!.address = 'elsewhere')],
      [/chunk req:0 changed/, (st) => (st.cs.requests[0]!.status = 'DECLINED')],
      [/chunk cas changed/, (st) => st.cas[0]!.issued.push('abc')],
      [/chunk outages changed/, (st) => (st.outages = { records: [], seen: ['auth ss9'] })],
      [/chunk key:ss1 changed/, (st) => (st.apiKeys.ss1!.extra = 'k')],
    ];
    for (const [msg, change] of cases) {
      const { st, dir } = fresh();
      st.cs.servers.push(server('X'));
      st.cs.requests.push(request(1));
      const store = new StateStore(dir, 0, true);
      store.compact(st);
      change(st);
      expect(() => store.commit(st)).toThrow(msg);
      store.close();
    }
  });

  it('loads a snapshot and journal of format 2 (the CAs, keys, outages and gc bookkeeping in top, servers and members in cs)', () => {
    const { st, dir } = fresh();
    const ref = (v: { version: number; generatedAt: string }) => ({ ref: v.version, generatedAt: v.generatedAt });
    const { cs, ss, tls, ...rest } = st;
    const { requests, published, ...csRest } = cs;
    const chunks: Record<string, unknown> = {
      top: {
        ...rest,
        ssNames: ss.map((s) => s.name),
        reqBlocks: Math.ceil(requests.length / REQ_BLOCK),
        published: published ? ref(published) : undefined,
        gc: Object.fromEntries(ss.map((s) => [s.name, { ...s.gc, downloaded: s.gc.downloaded ? ref(s.gc.downloaded) : undefined }])),
      },
      tls,
      cs: csRest,
    };
    for (let b = 0; b * REQ_BLOCK < requests.length; b++) chunks[`req:${b}`] = requests.slice(b * REQ_BLOCK, (b + 1) * REQ_BLOCK);
    for (const s of ss) {
      const { gc: _g, ...body } = s;
      chunks[`ss:${s.name}`] = body;
    }
    for (const g of [published, ...ss.map((s) => s.gc.downloaded)]) {
      if (!g) continue;
      const { generatedAt: _t, ...body } = g;
      chunks[`gc:${g.version}`] = body;
    }
    writeFileSync(join(dir, STATE_FILE), JSON.stringify({ format: 'xrdctl-sandbox/2', journalSeq: 3, chunks }));
    const top2 = { ...(chunks.top as object), clockOffsetMs: 4242 };
    writeFileSync(
      join(dir, JOURNAL_FILE),
      `${JSON.stringify({ q: 3, c: { top: { ...top2, clockOffsetMs: 1 } } })}\n${JSON.stringify({ q: 4, c: { top: top2 } })}\n`,
    );
    st.clockOffsetMs = 4242;
    same(st, loadState(dir)!);
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
