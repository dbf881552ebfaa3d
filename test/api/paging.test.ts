import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentralServerApi, everyPage } from '../../src/api/central-server.js';
import { connectHttp } from '../../src/api/connect.js';
import { buildPlan } from '../../src/engine/plan.js';
import { ApiError } from '../../src/errors/index.js';
import { loadDesired } from '../../src/services/plan.js';
import { openSession } from '../../src/services/session.js';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { repoRoot } from '../support/cli.js';
import { manifestEnv } from '../support/manifest-env.js';
import { join } from 'node:path';

/** a paged list as the real server serves it: `offset` is the page index (Spring's PageRequest.of(offset, limit)) */
function server(list: () => string[]) {
  const asked: { limit: number; offset: number }[] = [];
  const fetchPage = async (limit: number, offset: number) => {
    asked.push({ limit, offset });
    const all = list();
    return { items: all.slice(offset * limit, offset * limit + limit), total: all.length };
  };
  return { asked, fetchPage };
}
const opts = (o: { complete?: boolean; maxItems?: number } = {}) => ({
  server: 'cs',
  step: 'list-clients',
  pageSize: 3,
  maxItems: 1000,
  key: (s: string) => s,
  ...o,
});
const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `c${String(i + from).padStart(4, '0')}`);

describe('a paged Central Server listing: offset is a page index', () => {
  it('reads every item once, page after page, and stops at total_items', async () => {
    for (const n of [0, 1, 2, 3, 4, 9, 10]) {
      const s = server(() => names(n));
      expect(await everyPage(opts({ complete: true }), s.fetchPage), `${n} items`).toEqual(names(n));
      // pages 0, 1, 2 …: as many as the items need, at least one
      expect(s.asked, `${n} items`).toEqual(Array.from({ length: Math.max(1, Math.ceil(n / 3)) }, (_, i) => ({ limit: 3, offset: i })));
    }
  });

  it('a list that changes while it is read: a complete listing reads it again, a live queue keeps what it read', async () => {
    const changes = {
      // an item that sorts first: every later one moves a place on, the next page repeats one
      added: (l: string[]) => ['c0000', ...l],
      // approved off the listing: every later one moves a place back, the next page skips one
      removed: (l: string[]) => l.slice(1),
    };
    for (const [what, change] of Object.entries(changes)) {
      for (const complete of [true, false]) {
        let list = names(7, 1);
        let changedOnce = false;
        const asked: number[] = [];
        const got = await everyPage(opts({ complete }), async (limit, offset) => {
          asked.push(offset);
          const all = list;
          if (offset === 0 && !changedOnce) {
            list = change(list);
            changedOnce = true;
          }
          return { items: all.slice(offset * limit, offset * limit + limit), total: all.length };
        });
        expect(new Set(got).size, `${what}, complete ${complete}`).toBe(got.length);
        if (complete) {
          // read again from page 0: exactly the list as it is now
          expect(got, what).toEqual(list);
          expect(asked.filter((x) => x === 0).length, what).toBe(2);
        } else expect(asked.filter((x) => x === 0).length, what).toBe(1);
      }
    }
  });

  it('a list that changes on every read is an error naming the server and the step, after three tries', async () => {
    let n = 5;
    const e = await everyPage(opts({ complete: true }), async (limit, offset) => {
      const all = names(n);
      if (offset === 0) n++;
      return { items: all.slice(offset * limit, offset * limit + limit), total: offset === 0 ? all.length : n };
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).oneLine()).toMatch(/cs/);
    expect((e as ApiError).oneLine()).toMatch(/list-clients/);
    expect((e as ApiError).oneLine()).toMatch(/changed while it was read, 3 times/);
  });

  it('a server that reads offset as an item offset (or ignores it) is found out, not taken at its word', async () => {
    const list = names(10);
    const itemOffset = async (limit: number, offset: number) => ({ items: list.slice(offset, offset + limit), total: list.length });
    const ignores = async (limit: number) => ({ items: list.slice(0, limit), total: list.length });
    for (const f of [itemOffset, ignores]) {
      const e = await everyPage(opts({ complete: true }), f).catch((x: unknown) => x);
      expect(e, f.name).toBeInstanceOf(ApiError);
    }
  });

  it('is bounded: at most maxItems, and no more pages than total_items needs', async () => {
    const s = server(() => names(50));
    expect(await everyPage(opts({ maxItems: 7 }), s.fetchPage)).toEqual(names(7));
    expect(s.asked.length).toBe(3);
    // a total that keeps growing never keeps the listing going past the pages its first answer needed (+1)
    let grow = 4;
    const asked: number[] = [];
    await everyPage(opts(), async (limit, offset) => {
      asked.push(offset);
      grow += 3;
      return { items: names(limit, 100 * offset), total: grow };
    });
    expect(asked.length).toBeLessThanOrEqual(4);
  });
});

describe('against the sandbox', () => {
  let sb: SandboxHandle;
  beforeAll(async () => {
    sb = await startSandbox({ preset: 'initialized', securityServers: 2, gcIntervalMs: 300 });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('the sandbox pages as the real server: page 1 of size 3 is items 3–5 of the whole list', async () => {
    const cs = new CentralServerApi(
      await connectHttp('cs', { url: sb.cs.url, apiKey: 'env:XRD_PAGING_KEY', tlsFingerprint: sb.cs.fingerprint }, 'cs', {
        env: { XRD_PAGING_KEY: sb.cs.apiKeys.admin! },
      }),
    );
    try {
      for (let i = 0; i < 8; i++) await cs.addMember({ member_name: `Paging ${i}`, member_id: { member_class: 'GOV', member_code: `77${i}` } });
      const whole = (await cs.http.request<{ clients: { client_id: { encoded_id: string } }[] }>({ method: 'GET', path: '/clients', query: { limit: 1000 } }))
        .body.clients;
      expect(whole.length).toBeGreaterThan(9);
      const page1 = (
        await cs.http.request<{ clients: { client_id: { encoded_id: string } }[]; paging_metadata: unknown }>({
          method: 'GET',
          path: '/clients',
          query: { limit: 3, offset: 1 },
        })
      ).body;
      expect(page1.clients.map((c) => c.client_id.encoded_id)).toEqual(whole.slice(3, 6).map((c) => c.client_id.encoded_id));
      expect(page1.paging_metadata).toMatchObject({ limit: 3, offset: 1, items: 3, total_items: whole.length });
      // the client follows the pages: every client once, in ceil(n / 3) requests
      sb.clearRequests();
      const all = await cs.allClients({}, { pageSize: 3 });
      expect(all.map((c) => c.client_id.encoded_id)).toEqual(whole.map((c) => c.client_id.encoded_id));
      const pages = sb.requests().filter((r) => r.server === 'cs' && r.path.endsWith('/clients'));
      expect(pages.map((r) => new URLSearchParams(r.query).get('offset'))).toEqual(Array.from({ length: Math.ceil(whole.length / 3) }, (_, i) => String(i)));
    } finally {
      cs.http.close();
    }
  });

  it('a plan reads the central server beside the security servers, not before them', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, manifestEnv(sb));
    // the central server answers slowly: read first, it would hold back every security server's reads
    sb.faults.add({ server: 'cs', operation: '*', latencyMs: 400 });
    try {
      const { desired } = await loadDesired([join(repoRoot, 'examples/small/manifest.yaml')]);
      const session = await openSession(desired);
      sb.clearRequests();
      try {
        const plan = await buildPlan(desired, session);
        expect(plan.servers.map((s) => s.server)[0]).toBe(desired.central!.name);
        expect(plan.servers.every((s) => !s.error)).toBe(true);
      } finally {
        session.close();
      }
      const log = sb.requests();
      const csAt = Date.parse(log.find((r) => r.server === 'cs')!.at);
      const ssAt = log.filter((r) => r.server !== 'cs').map((r) => Date.parse(r.at));
      expect(ssAt.length).toBeGreaterThan(2);
      // security-server reads arrived while the central server's first answer was still 400 ms away
      expect(ssAt.filter((t) => t < csAt + 300).length).toBeGreaterThan(0);
    } finally {
      sb.faults.clear();
      process.env = saved;
    }
  });
});
