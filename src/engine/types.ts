import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type * as SS from '../api/types/ss.js';
import type { SecretRef } from '../config/secrets.js';
import type { DesiredCert, DesiredServer, Pos } from '../model/desired.js';

export type Op = 'create' | 'update' | 'delete' | 'unsafe' | 'keep';

/** The kinds of resource a change can be about (one engine module may own several). */
export type ChangeKind =
  | 'server-init'
  | 'timestamping'
  | 'token'
  | 'auth-cert'
  | 'sign-cert'
  | 'client'
  | 'client-registration'
  | 'service-description'
  | 'service'
  | 'endpoint'
  | 'local-group'
  | 'local-group-member'
  | 'access-right'
  | 'cs-member'
  | 'cs-subsystem'
  | 'config-signing';

/** One step of a kind: a typed name and its typed parameters (serialisable; a saved plan holds it). */
export interface ActionOf<T extends string, P> {
  type: T;
  params: P;
}

/**
 * One pending change. Serialisable: a saved plan holds these, and apply executes them.
 * `dependsOn` names the changes (by id) that must be applied first; the executor walks that graph.
 */
export interface Change<A extends ActionOf<string, unknown> = ActionOf<string, unknown>> {
  /** unique within a plan: server/kind/key */
  id: string;
  server: string;
  kind: ChangeKind;
  key: string;
  op: Op;
  summary: string;
  diff?: Record<string, { from: unknown; to: unknown }>;
  /** ids of the changes this one needs first (within the plan; one not in the plan is already in place) */
  dependsOn: string[];
  /** what apply runs; absent for changes apply does not make (unsafe, reported) */
  action?: A;
  /** a write that the manifest's prune setting asked for */
  prune?: boolean;
  /** a step apply takes on the way (token login, waiting for global configuration), not a change of configuration: not counted in the summary */
  step?: boolean;
  pos?: Pos;
}

/** What one security server reports, read once per run. */
export interface ActualServer {
  /** read only when the manifest asks to initialise the server */
  init?: SS.InitializationStatus;
  /** read only when the manifest lists timestamping services */
  timestamping?: { configured: SS.TimestampingService[] };
  tokens: SS.Token[];
  clients: SS.Client[];
  /** per client id: its service descriptions (with services and endpoints) */
  serviceDescriptions: Map<string, SS.ServiceDescription[]>;
  /** per client id: service client (subject) id → service codes it may call */
  accessRights: Map<string, Map<string, { type: string; codes: string[]; localGroupCode?: string }>>;
  localGroups: Map<string, SS.LocalGroup[]>;
}

export interface ActualCentral {
  members: Set<string>;
  memberNames: Map<string, string>;
  subsystems: Set<string>;
  /** read only when the manifest declares centralServer.configurationSigning */
  signingKeys?: { source: 'INTERNAL' | 'EXTERNAL'; id: string; token: string; active: boolean; createdAt: string }[];
}

export interface KindContext {
  server: DesiredServer;
  actual: ActualServer;
  instance: string;
  now: Date;
}

/** What an action of a security-server kind runs with. */
export interface ExecContext {
  api: SecurityServerApi;
  /** the central server, when a context or manifest names one */
  cs?: CentralServerApi;
  /** approve at the central server the management requests this change causes */
  approve: boolean;
  serverId: string;
  /** resolve a secret reference (token PIN) */
  secret: (ref: SecretRef | null | undefined, what: string) => Promise<string>;
  progress: (msg: string) => void;
  /** fresh reads of what an action needs, cached until the next write on that client */
  cache: ExecCache;
  timeoutMs: number;
  /** run a certificate rotation through the rotation runbook (injected by the apply service) */
  rotate?: (req: RotateCertRequest, progress: (m: string) => void) => Promise<void>;
}

/** What a declarative rotation asks of the runbook: the manifest's certificate entry on one server. */
export interface RotateCertRequest {
  server: string;
  usage: 'auth' | 'sign';
  member: string | null;
  ca: string;
  issuer: DesiredCert['issuer'] | null;
  /** the certificate to replace */
  certHash: string;
  keepReplacedMs: number | null;
}

/** What an action of a central-server kind runs with. */
export interface CentralExecContext {
  cs: CentralServerApi;
  progress: (msg: string) => void;
}

export interface ExecCache {
  serviceDescriptions(clientId: string): Promise<SS.ServiceDescription[]>;
  /** keep a loaded list current after a write whose answer tells the new state (saves a re-read) */
  update(clientId: string, fn: (sds: SS.ServiceDescription[]) => SS.ServiceDescription[]): void;
  invalidate(clientId?: string): void;
}

/** A table of typed actions: each name maps to the function that performs it. */
export type ActionTable<Ctx> = { [type: string]: (ctx: Ctx, params: any) => Promise<void> };

/** The action union of a table: { type: name, params: that function's parameters }. */
export type ActionsOf<T extends ActionTable<any>> = { [K in keyof T & string]: ActionOf<K, Parameters<T[K]>[1]> }[keyof T & string];

/** Looks up changes of a plan while a kind names its dependencies. */
export interface DependencyIndex {
  /** ids of the changes whose action has this type and whose params pass the test, on one server or any */
  find<P = any>(type: string, test?: (params: P, change: Change) => boolean, server?: string): string[];
  /** ids of the changes whose action has this type and whose params.id is this id (an indexed find), on one server or any */
  withId(type: string, id: string, server?: string): string[];
  /** ids of one server's changes of this type for one client (params.clientId; an indexed find) that pass the test */
  forClient<P = any>(type: string, server: string, clientId: string, test?: (params: P, change: Change) => boolean): string[];
}

/**
 * One kind of resource: how its desired state differs from what the server reports (pure), which
 * changes each of its changes needs first, and the typed actions that make a change (one function
 * per action; each re-reads what it needs and writes only when the server differs).
 */
export interface Kind<T extends ActionTable<any>> {
  name: string;
  scope: 'security' | 'central';
  actions: T;
  /** the changes (ids) this kind's change needs applied first */
  dependsOn(change: Change<ActionsOf<T>>, index: DependencyIndex): string[];
}

export function defineKind<T extends ActionTable<any>>(k: Kind<T>): Kind<T> {
  return k;
}

/** Build a typed action of a table (the compiler checks the name and the parameters). */
export function act<T extends ActionTable<any>, K extends keyof T & string>(_table: T, type: K, params: Parameters<T[K]>[1]): ActionOf<K, Parameters<T[K]>[1]> {
  return { type, params };
}
