import { loadState } from '../../src/sandbox/journal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { call } from './helpers.js';

describe('sandbox snapshots: restore in place, and answers mangled after the operation ran', () => {
  let sb: SandboxHandle;
  let ss: SandboxHandle['ss'][number];
  const key = () => ss.apiKeys.admin!;
  const login = () => call(ss.url, key(), 'PUT', '/tokens/0/login', { password: ss.tokenPin });
  const newKey = async (label: string) => (await call(ss.url, key(), 'POST', '/tokens/0/keys', { label })).json as { id: string; public_key?: string };
  const keys = async () => ((await call(ss.url, key(), 'GET', '/tokens/0')).json.keys as { id: string; label: string }[]).map((k) => k.label);
  // what is on disk: the snapshot and the journal, read as the sandbox reads them at a restart
  const state = () => loadState(sb.dir) as unknown as { ss: { keys: { label: string; publicKeyPem: string }[]; loggedIn: boolean }[] };

  beforeAll(async () => {
    sb = await startSandbox({ preset: 'initialized', securityServers: 1, gcIntervalMs: 100, rateLimit: false });
    ss = sb.ss[0]!;
    expect((await login()).status).toBe(200);
  });
  afterAll(async () => sb?.stop());

  it('restore puts back the state a snapshot took, on the same listeners, persisted; faults and the request log go', async () => {
    await newKey('before');
    const snap = sb.snapshot();
    await newKey('after-1');
    await call(ss.url, key(), 'PUT', '/tokens/0/logout');
    sb.faults.add({ server: 'ss1', operation: 'getToken', status: 500 });
    expect(sb.requests().length).toBeGreaterThan(0);
    sb.restore(snap);
    expect(sb.faults.list()).toEqual([]);
    expect(sb.requests()).toEqual([]);
    // the routes hold the server's state object: they see the restored contents (logged in, one key)
    expect(await keys()).toEqual(['before']);
    expect(state().ss[0]!.keys.map((k: { label: string }) => k.label)).toEqual(['before']);
    expect(state().ss[0]!.loggedIn).toBe(true);
    // a snapshot stays as taken: restored twice, the same
    await newKey('after-2');
    sb.restore(snap);
    expect(await keys()).toEqual(['before']);
    expect(() => sb.restore({ sandboxSnapshot: true })).toThrow(/not a snapshot of this sandbox/);
  });

  it('a key thrown away by a restore is used again, never one the restored state still holds', async () => {
    const snap = sb.snapshot();
    const held = state().ss[0]!.keys.map((k: { publicKeyPem: string }) => k.publicKeyPem);
    await newKey('gone');
    const gone = state().ss[0]!.keys.at(-1)!.publicKeyPem;
    sb.restore(snap);
    const t0 = Date.now();
    await newKey('again');
    const again = state().ss[0]!.keys.at(-1)!.publicKeyPem;
    expect(again).toBe(gone);
    expect(held).not.toContain(again);
    expect(Date.now() - t0).toBeLessThan(2000);
    // restoring a state that holds a recycled key drops it from the pool: the next key is a new one
    const withIt = sb.snapshot();
    sb.restore(withIt);
    await newKey('fresh');
    const keysNow = state().ss[0]!.keys.map((k: { publicKeyPem: string }) => k.publicKeyPem);
    expect(new Set(keysNow).size).toBe(keysNow.length);
  });

  it('snapshotsBefore: the state the first call of each operation met', async () => {
    const rec = sb.snapshotsBefore();
    await newKey('one');
    await newKey('two');
    const m = rec.stop();
    expect([...m.keys()]).toContain('ss1 addKey');
    sb.restore(m.get('ss1 addKey')!);
    expect(await keys()).not.toContain('one');
  });

  it('corrupt faults: the operation runs, its answer is cut, not JSON, an HTML page, or of the wrong shape', async () => {
    const base = await keys();
    sb.faults.add({ server: 'ss1', operation: 'addKey', corrupt: 'invalid-json', times: 1 });
    const bad = await call(ss.url, key(), 'POST', '/tokens/0/keys', { label: 'ran' });
    expect(bad.status).toBe(200);
    expect(() => JSON.parse(bad.text)).toThrow();
    expect(await keys()).toEqual([...base, 'ran']);
    sb.faults.add({ server: 'ss1', operation: 'getToken', corrupt: 'html-200', times: 1 });
    const html = await call(ss.url, key(), 'GET', '/tokens/0');
    expect(html.headers['content-type']).toMatch(/text\/html/);
    sb.faults.add({ server: 'ss1', operation: 'getToken', corrupt: 'schema', times: 1 });
    expect(Array.isArray((await call(ss.url, key(), 'GET', '/tokens/0')).json)).toBe(true);
    sb.faults.add({ server: 'ss1', operation: 'getToken', corrupt: 'truncated', times: 1 });
    await expect(call(ss.url, key(), 'GET', '/tokens/0')).rejects.toThrow();
    // the control endpoint refuses an unknown corruption
    const ctl = (m: string, p: string, body?: unknown) =>
      call(sb.cs.url.replace('/api/v1', ''), undefined, m, `/__sandbox${p}`, body, { headers: { authorization: `Bearer ${sb.controlToken}` } });
    expect((await ctl('POST', '/faults', { server: 'ss1', operation: 'getToken', corrupt: 'mangled' })).status).toBe(400);
    // and snapshots over the control endpoints: take one, change, restore it
    const id = (await ctl('POST', '/snapshots')).json.id as string;
    await newKey('later');
    expect((await ctl('POST', `/snapshots/${id}/restore`)).status).toBe(204);
    expect(await keys()).not.toContain('later');
    expect((await ctl('POST', '/snapshots/nope/restore')).status).toBe(404);
  });
});
