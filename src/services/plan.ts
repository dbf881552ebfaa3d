import { READ_LIMITS, readBoundedFile, writeFileSafe } from '../fs/files.js';
import { Ajv } from 'ajv';
import { planSchema } from '../cli/plan-schema.js';
import { readCentral, readServer } from '../engine/actual.js';
import { kindOf } from '../engine/kinds/index.js';
import { buildPlan, digest, type Plan } from '../engine/plan.js';
import { ConflictError, ManifestErrors, UsageError } from '../errors/index.js';
import { loadManifest } from '../manifest/index.js';
import type { DesiredInstance } from '../model/desired.js';
import { openSession, type Session, type SessionOptions } from './session.js';

/** A saved plan carries the desired state it was made from (secret references only, never secrets). */
export interface SavedPlan extends Plan {
  desired: DesiredInstance;
}

export async function desiredFrom(files: string[]): Promise<DesiredInstance> {
  return (await loadDesired(files)).desired;
}

/** The desired state of manifests, and the values the loader expanded from ${VAR} (for saved plans). */
export async function loadDesired(files: string[]): Promise<{ desired: DesiredInstance; expansions: { value: string; template: string }[] }> {
  const r = await loadManifest(files);
  if (!r.manifest || r.errors.length) throw new ManifestErrors(r.errors);
  return { desired: r.manifest, expansions: r.expansions ?? [] };
}

/** Every string leaf of a JSON value, mapped (objects and arrays copied). */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
  return v;
}

/**
 * Save a plan (`plan --out`): 0600, atomically, never through a link. What the manifest took from
 * ${VAR} is stored as the ${VAR} text, and expanded again from the environment when the plan is applied;
 * secrets were references all along.
 */
export function savePlan(file: string, plan: Plan, desired: DesiredInstance, expansions: { value: string; template: string }[]): void {
  const byLength = [...expansions].sort((a, b) => b.value.length - a.value.length);
  const revert = (s: string) => {
    for (const e of byLength) if (s === e.value || (e.value.length >= 8 && s.includes(e.value))) s = s.split(e.value).join(e.template);
    return s;
  };
  const saved = mapStrings({ ...plan, desired }, revert);
  writeFileSafe(file, JSON.stringify(saved, null, 2) + '\n', { overwrite: true, what: 'plan' });
}

const MAX_PLAN_BYTES = READ_LIMITS.plan;

/** The part of the desired state a saved plan must carry for apply to run it. */
const desiredSchema = {
  type: 'object',
  required: ['instance', 'servers'],
  properties: {
    instance: { type: 'string', minLength: 1 },
    central: {
      type: 'object',
      required: ['name', 'conn', 'approveRequests', 'members', 'subsystems'],
      properties: { name: { type: 'string' }, conn: { $ref: '#/$defs/conn' } },
    },
    servers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'conn', 'id', 'token', 'certificates', 'clients'],
        properties: {
          name: { type: 'string', minLength: 1 },
          id: { type: 'string', minLength: 1 },
          conn: { $ref: '#/$defs/conn' },
          token: { type: 'object', required: ['id'] },
          certificates: { type: 'array' },
          clients: { type: 'array' },
        },
      },
    },
  },
  $defs: { conn: { type: 'object', required: ['url', 'apiKey'], properties: { url: { type: 'string' } } } },
};

let validators: { plan: ReturnType<Ajv['compile']>; desired: ReturnType<Ajv['compile']> } | undefined;

/**
 * Read a saved plan (`plan --out`): bounded, validated against the plan's schema, every action named
 * by a kind of the engine and every change's server in its desired state — before anything runs.
 * A file not ending in .json is not a plan (undefined: it is a manifest).
 */
export function readSavedPlan(file: string, env: NodeJS.ProcessEnv = process.env): SavedPlan | undefined {
  if (!/\.json$/i.test(file)) return undefined;
  const bad = (why: string) => new UsageError(`${file}: not a saved plan: ${why}`, { hint: 'make one with xrdctl plan FILE --out plan.json' });
  let data: SavedPlan;
  const text = readBoundedFile(file, { maxBytes: MAX_PLAN_BYTES, what: 'saved plan' }).toString('utf8');
  try {
    data = JSON.parse(text) as SavedPlan;
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (!data || typeof data !== 'object' || data.format !== 'xrdctl-plan/1') throw bad('format is not xrdctl-plan/1');
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    validators = { plan: ajv.compile({ ...planSchema({ desired: { type: 'object' } }), additionalProperties: true }), desired: ajv.compile(desiredSchema) };
  }
  const { desired, ...plan } = data;
  if (!validators.plan({ ...plan, desired: desired ?? null }))
    throw bad(`${validators.plan.errors?.[0]?.instancePath || '/'} ${validators.plan.errors?.[0]?.message}`);
  if (!validators.desired(desired)) throw bad(`desired${validators.desired.errors?.[0]?.instancePath ?? ''} ${validators.desired.errors?.[0]?.message}`);
  const names = new Set([...(desired.central ? [desired.central.name] : []), ...desired.servers.map((s) => s.name)]);
  for (const sp of data.servers) {
    if (!names.has(sp.server)) throw bad(`server ${JSON.stringify(sp.server)} is not in its desired state`);
    for (const c of sp.changes) {
      if (c.action && !kindOf(c.action.type))
        throw bad(`change ${JSON.stringify(c.id)}: no kind of the engine defines the action ${JSON.stringify(c.action.type)}`);
      if (c.server !== sp.server) throw bad(`change ${JSON.stringify(c.id)} is filed under ${sp.server} but names ${c.server}`);
    }
  }
  // ${VAR} text saved in place of expanded values comes from this environment, as the manifest's did
  const expand = (v: string) =>
    v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const val = env[name];
      if (val === undefined)
        throw new UsageError(`${file}: \${${name}} is not set in the environment`, { hint: `export ${name}=… (the plan was made with it)` });
      return val;
    });
  data.desired = mapStrings(data.desired, expand) as DesiredInstance;
  for (const sp of data.servers) for (const c of sp.changes) if (c.action) c.action = mapStrings(c.action, expand) as typeof c.action;
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
      now = digest(await readCentral(session.central, { signingKeys: !!saved.desired.central?.configurationSigning }));
    } else {
      const d = saved.desired.servers.find((s) => s.name === sp.server);
      const api = session.security.get(sp.server);
      if (!d || !api) continue;
      now = digest(await readServer(api, d, saved.desired.instance));
    }
    if (now !== sp.stateDigest) {
      throw new ConflictError(`${sp.server} changed since the plan was made`, {
        server: sp.server,
        step: 'check-drift',
        hint: 'make a new plan (xrdctl plan … --out plan.json) and review it',
      });
    }
  }
}
