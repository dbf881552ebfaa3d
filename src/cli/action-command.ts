import { Flags } from '@oclif/core';
import type { SecurityServerApi } from '../api/security-server.js';
import { runAction } from '../engine/single.js';
import { S } from './schema.js';

export const clientFlag = Flags.string({ required: true, description: 'client id INSTANCE:CLASS:CODE[:SUBSYSTEM]' });

export interface ActionResult {
  server: string;
  action: string;
  target: string;
  changed: boolean;
}

export const actionResultSchema = S.obj({ server: S.str(), action: S.str(), target: S.str(), changed: S.bool('whether a write request was needed') });

/** Run one kind action (the code apply runs) and report whether it had to write. */
export async function act(api: SecurityServerApi, type: string, target: string, params: Record<string, unknown>, o: Parameters<typeof runAction>[3] = {}): Promise<ActionResult> {
  const before = api.http.writeCount;
  await runAction(api, type, params, o);
  return { server: api.server, action: type, target, changed: api.http.writeCount > before };
}
