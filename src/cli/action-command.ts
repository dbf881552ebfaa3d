import { Flags } from './oclif.js';
import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import { applyOne } from '../engine/apply.js';
import type { ActionParams, EngineAction } from '../engine/kinds/index.js';
import { S } from './schema.js';

export const clientFlag = Flags.string({ required: true, description: 'client id INSTANCE:CLASS:CODE[:SUBSYSTEM]' });

export interface ActionResult {
  server: string;
  action: string;
  target: string;
  changed: boolean;
}

export const actionResultSchema = S.obj({ server: S.str(), action: S.str(), target: S.str(), changed: S.bool('whether a write request was needed') });

type Target = { cs?: CentralServerApi; approve?: boolean; serverId?: string; timeoutMs?: number; progress?: (m: string) => void };

/** Run one engine action on a security server (the code apply runs) and report whether it had to write. */
export async function act<T extends EngineAction['type']>(
  api: SecurityServerApi,
  type: T,
  target: string,
  params: ActionParams<T>,
  o: Target = {},
): Promise<ActionResult> {
  const { changed } = await applyOne({ type, params }, { api, ...o });
  return { server: api.server, action: type, target, changed };
}

/** Run one engine action on the central server. */
export async function actCentral<T extends EngineAction['type']>(
  cs: CentralServerApi,
  type: T,
  target: string,
  params: ActionParams<T>,
): Promise<ActionResult> {
  const { changed } = await applyOne({ type, params }, { cs });
  return { server: cs.server, action: type, target, changed };
}
