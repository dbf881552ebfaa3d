import { createHash } from 'node:crypto';
import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import { XrdError } from '../errors/index.js';
import { readCentral, readServer } from './actual.js';
import type { DesiredInstance } from '../model/desired.js';
import { link } from './graph.js';
import { diffCentral } from './kinds/central.js';
import { diffServer } from './kinds/index.js';
import type { Change } from './types.js';
import { pool } from './pool.js';

export interface ServerPlan {
  server: string;
  kind: 'central' | 'security';
  /** digest of what the server reported: apply of a saved plan refuses when it changed (drift) */
  stateDigest: string;
  changes: Change[];
  error?: string;
  /** the exit code of that error (3: TLS or authentication refused) */
  errorExitCode?: number;
}

export interface Plan {
  format: 'xrdctl-plan/1';
  createdAt: string;
  instance: string;
  servers: ServerPlan[];
  /** changes by op (steps not among them), and the steps apply takes on the way (login, waits) */
  summary: { create: number; update: number; delete: number; unsafe: number; keep: number; steps?: number };
}

export interface Connections {
  central?: CentralServerApi;
  security: Map<string, SecurityServerApi>;
}

export function digest(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v instanceof Set ? [...v].sort() : v)))
    .digest('hex')
    .slice(0, 32);
}

function summarize(servers: ServerPlan[]): Plan['summary'] {
  const s = { create: 0, update: 0, delete: 0, unsafe: 0, keep: 0, steps: 0 };
  for (const p of servers)
    for (const c of p.changes)
      if (c.step) s.steps++;
      else s[c.op]++;
  return s;
}

/**
 * Read every server (in parallel, bounded) and diff it against the desired state. A server that
 * cannot be read gets an error entry instead of changes; the others are still planned.
 */
export async function buildPlan(desired: DesiredInstance, conns: Connections, o: { concurrency?: number; now?: Date } = {}): Promise<Plan> {
  // the central server is read while the security servers are (its client list is pages, one after another):
  // nothing a security server's diff needs comes from it, only the links between their changes
  const central = desired.central && conns.central ? planCentral(desired.central, conns.central, o.now) : undefined;
  const results = await pool(desired.servers, o.concurrency ?? 8, async (s): Promise<ServerPlan> => {
    const api = conns.security.get(s.name)!;
    try {
      const actual = await readServer(api, s, desired.instance);
      // expiry is judged by the server's clock
      return {
        server: s.name,
        kind: 'security',
        stateDigest: digest(actual),
        changes: diffServer({ server: s, actual, instance: desired.instance, now: o.now ?? api.http.serverNow() }),
      };
    } catch (e) {
      return { server: s.name, kind: 'security', stateDigest: '', changes: [], ...readFailure(e) };
    }
  });
  const servers: ServerPlan[] = [...(central ? [await central] : []), ...results];
  // dependencies cross servers (a client on one server needs its member at the central server)
  link(servers.flatMap((p) => p.changes));
  return { format: 'xrdctl-plan/1', createdAt: new Date().toISOString(), instance: desired.instance, servers, summary: summarize(servers) };
}

async function planCentral(desired: NonNullable<DesiredInstance['central']>, cs: CentralServerApi, now: Date | undefined): Promise<ServerPlan> {
  try {
    const actual = await readCentral(cs, { signingKeys: !!desired.configurationSigning });
    return { server: desired.name, kind: 'central', stateDigest: digest(actual), changes: diffCentral(desired, actual, now ?? cs.http.serverNow()) };
  } catch (e) {
    return { server: desired.name, kind: 'central', stateDigest: '', changes: [], ...readFailure(e) };
  }
}

function readFailure(e: unknown): { error: string; errorExitCode: number } {
  return e instanceof XrdError ? { error: e.oneLine(), errorExitCode: e.exitCode } : { error: String(e), errorExitCode: 1 };
}

/** The exit code a plan's read failures mean: 3 when any was a TLS or authentication refusal, else 1; 0 without failures. */
export function readFailureExitCode(plan: Plan): number {
  const codes = plan.servers.filter((s) => s.error).map((s) => s.errorExitCode ?? 1);
  return codes.length ? (codes.includes(3) ? 3 : 1) : 0;
}

/** What apply would do: changes and steps (a token to log in to is work even when nothing else differs). */
export function pendingChanges(plan: Plan): number {
  return plan.summary.create + plan.summary.update + plan.summary.delete + (plan.summary.steps ?? 0);
}
