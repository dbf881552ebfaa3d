/** The health service (one call for the command): thresholds, targets, parallel checks, one report. */
import type { CheckGroup, HealthReport } from './model.js';
import { runHealth, targetsFor, type Selection } from './run.js';
import { applyOverrides, defaultThresholds, type Thresholds } from './thresholds.js';

export { CHECK_GROUPS, RANK, STATUSES, type CheckGroup, type HealthReport, type Status } from './model.js';
export type { Selection } from './run.js';

export interface HealthRequest {
  /** threshold overrides from flags (win over the manifest's `health:`) */
  overrides?: Record<string, unknown>;
  groups?: CheckGroup[];
  /** only these kinds of server (cert expiry: security servers) */
  kinds?: ('security' | 'central')[];
  env?: NodeJS.ProcessEnv;
}

export function thresholdsFor(sel: Selection, r: HealthRequest): Thresholds {
  let t = defaultThresholds();
  if ('manifest' in sel && sel.manifest.health) t = applyOverrides(t, sel.manifest.health, 'manifest health:');
  return applyOverrides(t, r.overrides ?? {}, 'flags');
}

export async function healthReport(sel: Selection, r: HealthRequest = {}): Promise<HealthReport> {
  const t = thresholdsFor(sel, r);
  const o = { t, groups: r.groups, env: r.env };
  const { targets, helpers } = targetsFor(sel, o);
  const picked = r.kinds ? targets.filter((x) => r.kinds!.includes(x.kind)) : targets;
  return runHealth(picked, helpers, o);
}

/** Run a report `count` times, `everySeconds` apart (--watch), showing each but the last; the last is returned. */
export async function repeatReport<R>(run: () => Promise<R>, o: { everySeconds?: number; count: number; show: (r: R) => void }): Promise<R> {
  let report = await run();
  for (let i = 1; o.everySeconds && i < Math.min(o.count, 1_000_000); i++) {
    o.show(report);
    await new Promise((r) => setTimeout(r, o.everySeconds! * 1000));
    report = await run();
  }
  return report;
}
