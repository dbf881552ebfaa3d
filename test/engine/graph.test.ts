import { describe, expect, it } from 'vitest';
import { findCycle, link, walk } from '../../src/engine/graph.js';
import { actionTypes, kindOf } from '../../src/engine/kinds/index.js';
import type { Change } from '../../src/engine/types.js';

const ch = (id: string, server: string, type: string, params: Record<string, unknown> = {}, dependsOn: string[] = []): Change => ({
  id,
  server,
  kind: 'client',
  key: id,
  op: 'create',
  summary: id,
  dependsOn,
  action: { type, params },
});

describe('engine graph', () => {
  it('every action type belongs to exactly one kind, and unknown names (prototype keys included) to none', () => {
    const types = actionTypes();
    expect(new Set(types).size).toBe(types.length);
    for (const t of types) expect(kindOf(t)?.actions[t]).toBeTypeOf('function');
    for (const t of ['constructor', 'toString', '__proto__', 'hasOwnProperty', '']) expect(kindOf(t)).toBeUndefined();
  });

  it.each([
    ['a sign certificate waits for the token', ch('ss1/sign', 'ss1', 'issue-cert', { usage: 'sign' }), ['ss1/token']],
    [
      'an auth certificate waits for the token and every sign certificate of its server',
      ch('ss1/auth', 'ss1', 'issue-cert', { usage: 'auth' }),
      ['ss1/token', 'ss1/sign'],
    ],
    [
      'a client waits for its member and subsystem at the central server',
      ch('ss1/client', 'ss1', 'add-client', { id: 'DEV:GOV:1:A' }),
      ['cs/member', 'cs/sub'],
    ],
    [
      'a registration waits for its client, the central server and the certificates',
      ch('ss1/reg', 'ss1', 'register-client', { id: 'DEV:GOV:1:A' }),
      ['ss1/client', 'cs/member', 'cs/sub', 'ss1/sign', 'ss1/auth', 'ss1/token'],
    ],
    ['the wait for global configuration waits for the registrations', ch('ss1/wait', 'ss1', 'wait-clients-registered', { ids: ['DEV:GOV:1:A'] }), ['ss1/reg']],
    [
      'a service update waits for its description',
      ch('ss1/svc', 'ss1', 'update-service', { clientId: 'DEV:GOV:1:A', sdUrl: 'https://x/o.yaml', code: 'c' }),
      ['ss1/client', 'ss1/sd'],
    ],
    [
      'an endpoint waits for its description and its service update',
      ch('ss1/ep', 'ss1', 'add-endpoint', { clientId: 'DEV:GOV:1:A', sdUrl: 'https://x/o.yaml/', code: 'c' }),
      ['ss1/client', 'ss1/sd', 'ss1/svc'],
    ],
    [
      'a grant to another server’s subsystem waits for that registration',
      ch('ss1/grant', 'ss1', 'grant-access', { clientId: 'DEV:GOV:1:A', subject: 'DEV:GOV:2:B', codes: ['c'] }),
      ['ss1/client', 'ss1/sd', 'ss1/svc', 'ss2/reg'],
    ],
    [
      'a grant to a local group waits for the group',
      ch('ss1/grant2', 'ss1', 'grant-access', { clientId: 'DEV:GOV:1:A', subject: 'local:G', codes: ['c'] }),
      ['ss1/client', 'ss1/sd', 'ss1/svc', 'ss1/group'],
    ],
    ['a token login needs nothing', ch('ss1/token2', 'ss1', 'token-login', { tokenId: '1' }), []],
  ])('%s', (_name, change, want) => {
    const plan = [
      ch('ss1/token', 'ss1', 'token-login', { tokenId: '0' }),
      ch('ss1/sign', 'ss1', 'issue-cert', { usage: 'sign' }),
      ch('ss1/auth', 'ss1', 'issue-cert', { usage: 'auth' }),
      ch('ss2/sign', 'ss2', 'issue-cert', { usage: 'sign' }),
      ch('cs/member', 'cs', 'cs-add-member', { id: 'DEV:GOV:1' }),
      ch('cs/sub', 'cs', 'cs-add-subsystem', { id: 'DEV:GOV:1:A' }),
      ch('ss1/client', 'ss1', 'add-client', { id: 'DEV:GOV:1:A' }),
      ch('ss1/reg', 'ss1', 'register-client', { id: 'DEV:GOV:1:A' }),
      ch('ss2/reg', 'ss2', 'register-client', { id: 'DEV:GOV:2:B' }),
      ch('ss1/sd', 'ss1', 'add-service-description', { clientId: 'DEV:GOV:1:A', url: 'https://x/o.yaml' }),
      ch('ss1/svc', 'ss1', 'update-service', { clientId: 'DEV:GOV:1:A', sdUrl: 'https://x/o.yaml', code: 'c' }),
      ch('ss1/group', 'ss1', 'add-local-group', { clientId: 'DEV:GOV:1:A', code: 'G', members: [] }),
      change,
    ].filter((c, i, all) => all.findIndex((x) => x.id === c.id) === i);
    link(plan);
    expect(plan.find((c) => c.id === change.id)!.dependsOn.sort()).toEqual([...want].sort());
  });

  it('the walk runs independent changes in parallel within the limits and dependents after their dependencies', async () => {
    const changes = [ch('a', 's1', 'x'), ch('b', 's1', 'x'), ch('c', 's1', 'x', {}, ['a', 'b']), ch('d', 's2', 'x'), ch('e', 's2', 'x', {}, ['c'])];
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    const out = await walk(
      changes,
      async (c) => {
        running++;
        peak = Math.max(peak, running);
        log.push(`start ${c.id}`);
        await new Promise((r) => setTimeout(r, 10));
        log.push(`end ${c.id}`);
        running--;
      },
      { concurrency: 3, perServer: 2 },
    );
    expect([...out.values()].every((o) => o.status === 'done')).toBe(true);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect(log.indexOf('start c')).toBeGreaterThan(Math.max(log.indexOf('end a'), log.indexOf('end b')));
    expect(log.indexOf('start e')).toBeGreaterThan(log.indexOf('end c'));
  });

  it('a failure skips only what depends on it, transitively', async () => {
    const changes = [ch('a', 's1', 'x'), ch('b', 's1', 'x', {}, ['a']), ch('c', 's1', 'x', {}, ['b']), ch('d', 's1', 'x'), ch('e', 's2', 'x', {}, ['d'])];
    const ran: string[] = [];
    const out = await walk(
      changes,
      async (c) => {
        ran.push(c.id);
        if (c.id === 'a') throw new Error('boom');
      },
      { concurrency: 1, perServer: 1 },
    );
    expect(out.get('a')!.status).toBe('failed');
    expect(out.get('b')).toEqual({ status: 'skipped', because: 'a' });
    expect(out.get('c')).toEqual({ status: 'skipped', because: 'b' });
    expect(out.get('d')!.status).toBe('done');
    expect(out.get('e')!.status).toBe('done');
    expect(ran.sort()).toEqual(['a', 'd', 'e']);
  });

  it('an interrupted walk starts nothing new; dependencies outside the plan count as in place; a cycle is refused', async () => {
    let stop = false;
    const out = await walk([ch('a', 's', 'x', {}, ['gone']), ch('b', 's', 'x', {}, ['a'])], async () => void (stop = true), {
      concurrency: 1,
      perServer: 1,
      stopped: () => stop,
    });
    expect(out.get('a')!.status).toBe('done');
    expect(out.get('b')).toEqual({ status: 'skipped', because: 'interrupted' });
    const cyc = [ch('a', 's', 'x', {}, ['b']), ch('b', 's', 'x', {}, ['a'])];
    expect(findCycle(cyc)).toEqual(['a', 'b', 'a']);
    await expect(walk(cyc, async () => {}, { concurrency: 1, perServer: 1 })).rejects.toThrow(/cycle/);
  });
});
