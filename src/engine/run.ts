import { readFileSync } from 'node:fs';
import { ConflictError, ManifestErrors, UsageError } from '../errors/index.js';
import { loadManifest } from '../manifest/index.js';
import { readCentral, readServer } from './actual.js';
import type { DesiredInstance } from '../model/desired.js';
import { buildPlan, digest, type Plan } from './plan.js';
import { openSession, type Session, type SessionOptions } from './session.js';

/** A saved plan carries the desired state it was made from (secret references only, never secrets). */
export interface SavedPlan extends Plan {
  desired: DesiredInstance;
}

export async function desiredFrom(files: string[]): Promise<DesiredInstance> {
  const r = await loadManifest(files);
  if (!r.manifest || r.errors.length) throw new ManifestErrors(r.errors);
  return r.manifest;
}

export function readSavedPlan(file: string): SavedPlan | undefined {
  if (!/\.json$/i.test(file)) return undefined;
  let data: SavedPlan;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as SavedPlan;
  } catch (e) {
    throw new UsageError(`${file}: not a saved plan: ${(e as Error).message}`);
  }
  if (data.format !== 'xrdctl-plan/1' || !data.desired) throw new UsageError(`${file}: not a saved plan (format xrdctl-plan/1)`, { hint: 'make one with xrdctl plan FILE --out plan.json' });
  return data;
}

export async function planFor(desired: DesiredInstance, o: SessionOptions & { concurrency?: number }): Promise<{ plan: Plan; session: Session }> {
  const session = await openSession(desired, o);
  try {
    return { plan: await buildPlan(desired, session, { concurrency: o.concurrency }), session };
  } catch (e) {
    session.close();
    throw e;
  }
}

/** A saved plan runs only against the state it was made from: re-read and compare digests. */
export async function assertNoDrift(saved: SavedPlan, session: Session): Promise<void> {
  for (const sp of saved.servers) {
    let now: string;
    if (sp.kind === 'central') {
      if (!session.central) continue;
      now = digest(await readCentral(session.central));
    } else {
      const d = saved.desired.servers.find((s) => s.name === sp.server);
      const api = session.security.get(sp.server);
      if (!d || !api) continue;
      now = digest(await readServer(api, d, saved.desired.instance));
    }
    if (now !== sp.stateDigest) {
      throw new ConflictError(`${sp.server} changed since the plan was made`, { server: sp.server, step: 'check-drift', hint: 'make a new plan (xrdctl plan … --out plan.json) and review it' });
    }
  }
}
