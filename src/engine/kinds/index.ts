import type { ActionTable, ActionsOf, Change, Kind, KindContext } from '../types.js';
import { accessKind, diffAccessRights, diffLocalGroups } from './access.js';
import { centralKind } from './central.js';
import { certKind, diffCerts } from './certs.js';
import { clientKind, diffClients } from './client.js';
import { diffEndpointPrune, diffServices, serviceKind } from './services.js';
import { diffServerItself, serverKind } from './server.js';
import { diffToken, tokenKind } from './token.js';

/** Every kind of the engine. Adding a kind: write its module (actions, dependsOn, diff) and list it here. */
export const KINDS = [serverKind, tokenKind, certKind, clientKind, serviceKind, accessKind, centralKind] as const;

type AnyKind = Kind<ActionTable<any>>;

/** action type → the kind that owns it (built once; action names are unique across kinds, checked here). */
const owners = new Map<string, AnyKind>();
for (const k of KINDS as readonly AnyKind[]) {
  for (const t of Object.keys(k.actions)) {
    if (owners.has(t)) throw new Error(`engine: action ${t} is defined by two kinds`);
    owners.set(t, k);
  }
}

/** The kind that owns an action type, or undefined for a name no kind defines (e.g. from a tampered plan). */
export function kindOf(actionType: string): AnyKind | undefined {
  return owners.get(actionType);
}

/** Every action type the engine can run. */
export function actionTypes(): string[] {
  return [...owners.keys()];
}

/** Changes for one security server: every security-server kind's diff (order is the graph's business). */
export function diffServer(ctx: KindContext): Change[] {
  return [
    ...diffServerItself(ctx),
    ...diffToken(ctx),
    ...diffCerts(ctx),
    ...diffClients(ctx),
    ...diffServices(ctx),
    ...diffEndpointPrune(ctx),
    ...diffLocalGroups(ctx),
    ...diffAccessRights(ctx),
  ];
}

/** Every action of the engine, as a typed union: { type, params }. */
type ActionsOfKind<K> = K extends Kind<infer T> ? ActionsOf<T> : never;
export type EngineAction = ActionsOfKind<(typeof KINDS)[number]>;
export type ActionParams<T extends EngineAction['type']> = Extract<EngineAction, { type: T }>['params'];
