/**
 * How much of the X-Road 7.8 admin APIs the sandbox models, computed from the OpenAPI files and routeTable():
 * printed by `npm test` (`sandbox coverage: …`). Fails when a spec operation is neither modelled nor listed in
 * not-modelled.ts, when the sandbox serves an operation the spec does not have, or when docs/sandbox.md's
 * generated tables are stale (`npm run docs:sandbox`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { routeTable, startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { NOT_MODELLED } from '../../src/sandbox/not-modelled.js';
import { DEVIATIONS } from '../../src/sandbox/deviations.js';
import { renderSandboxDoc } from '../../src/sandbox/doc-tables.js';
import { repoRoot } from '../support/cli.js';
import { createOpenApiValidator, openApiDir, type OpenApiValidator } from '../support/openapi.js';
import { call, closeAgents } from './helpers.js';

let v: OpenApiValidator;
let sb: SandboxHandle;
beforeAll(async () => {
  [v, sb] = await Promise.all([createOpenApiValidator(), startSandbox({ securityServers: 1, gcIntervalMs: 100, rateLimit: false })]);
});
afterAll(async () => {
  await sb?.stop();
  closeAgents();
});

/** the spec's operations per API: its own file plus the common admin API (getUser) both servers serve */
function specOps(api: 'ss' | 'cs'): string[] {
  const common = YAML.parse(readFileSync(join(openApiDir()!, 'common-admin-api.yaml'), 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  const commonOps = Object.values(common.paths).flatMap((p) =>
    Object.values(p)
      .map((o) => o.operationId)
      .filter((x): x is string => !!x),
  );
  return [...new Set([...v.operationIds(api), ...commonOps])].sort();
}

describe('sandbox coverage of the X-Road 7.8 admin APIs', () => {
  it('every spec operation is modelled or listed as left out (with why); the figure is printed', () => {
    const table = routeTable();
    const figures: string[] = [];
    for (const api of ['ss', 'cs'] as const) {
      const spec = specOps(api);
      const modelled = new Set(table.filter((r) => r.server === api && r.modelled).map((r) => r.operationId));
      const left = new Set(NOT_MODELLED.filter((n) => n.api === api).map((n) => n.operationId));
      expect(
        spec.filter((op) => !modelled.has(op) && !left.has(op)),
        `${api}: neither modelled nor in not-modelled.ts`,
      ).toEqual([]);
      expect(
        [...modelled].filter((op) => left.has(op)),
        `${api}: modelled and listed as not modelled`,
      ).toEqual([]);
      expect(
        [...modelled, ...left].filter((op) => !spec.includes(op)),
        `${api}: served but not in the spec`,
      ).toEqual([]);
      for (const n of NOT_MODELLED.filter((x) => x.api === api)) expect(n.why.length, n.operationId).toBeGreaterThan(10);
      const n = spec.filter((op) => modelled.has(op)).length;
      figures.push(`${api.toUpperCase()} ${n}/${spec.length} (${((100 * n) / spec.length).toFixed(0)}%)`);
    }
    console.log(`sandbox coverage: ${figures.join(', ')} spec operations modelled; the rest answer 501 (docs/sandbox.md)`);
  });

  it('every operation left out answers 501 with an ErrorInfo naming it (not 404)', async () => {
    for (const n of NOT_MODELLED) {
      const info = n.api === 'cs' ? sb.cs : sb.ss[0]!;
      const path = n.path.replace(/\{[a-z_]+\}/g, 'x');
      const r = await call(info.url, info.apiKeys.admin, n.method, path, n.method === 'GET' || n.method === 'DELETE' ? undefined : {});
      expect([r.status, r.json?.status, r.json?.error?.code, r.json?.error?.metadata?.[0]], `${n.method} ${path}`).toEqual([
        501,
        501,
        'not_modelled',
        n.operationId,
      ]);
    }
  });

  it('the deviations table names real spec operations with the spec status it replaces', () => {
    for (const d of DEVIATIONS) {
      const op = v.findOperation(d.api, d.method, `/api/v1${d.path.replace(/\{[a-z_]+\}/g, 'x')}`);
      expect(op?.operationId, `${d.api} ${d.method} ${d.path}`).toBe(d.operationId);
      expect(
        v
          .validateResponse({ api: d.api, method: d.method, path: `/api/v1${d.path.replace(/\{[a-z_]+\}/g, 'x')}`, status: d.specStatus })
          .some((p) => /is not declared/.test(p)),
        `${d.operationId} ${d.specStatus}`,
      ).toBe(false);
    }
  });

  it('docs/sandbox.md carries the generated tables as the code has them (npm run docs:sandbox)', () => {
    const doc = readFileSync(join(repoRoot, 'docs/sandbox.md'), 'utf8');
    expect(renderSandboxDoc(doc) === doc, 'docs/sandbox.md is stale: run npm run build && npm run docs:sandbox').toBe(true);
  });
});
