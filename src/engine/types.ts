import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type * as SS from '../api/types/ss.js';
import type { DesiredCentral, DesiredServer, Pos } from '../model/desired.js';

export type Op = 'create' | 'update' | 'delete' | 'unsafe' | 'keep';

/** One pending change. Serializable: a saved plan holds these, and apply executes them. */
export interface Change {
  /** unique within a plan: server/kind/key */
  id: string;
  server: string;
  kind: string;
  key: string;
  op: Op;
  summary: string;
  diff?: Record<string, { from: unknown; to: unknown }>;
  /** ordering within a server: lower first */
  phase: number;
  /** what apply runs; absent for changes apply does not make (unsafe, reported) */
  action?: { type: string; params: Record<string, unknown> };
  /** a write that the manifest's prune setting asked for */
  prune?: boolean;
  pos?: Pos;
}

/** What one security server reports, read once per run. */
export interface ActualServer {
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
}

export interface KindContext {
  server: DesiredServer;
  actual: ActualServer;
}

export interface ExecContext {
  api: SecurityServerApi;
  cs?: CentralServerApi;
  central?: DesiredCentral;
  serverId: string;
  /** resolve a secret reference (token PIN) */
  secret: (ref: unknown, what: string) => Promise<string>;
  progress: (msg: string) => void;
  /** fresh reads of what an action needs, cached until the next write on that client */
  cache: ExecCache;
  timeoutMs: number;
}

export interface ExecCache {
  serviceDescriptions(clientId: string): Promise<SS.ServiceDescription[]>;
  /** keep a loaded list current after a write whose answer tells the new state (saves a re-read) */
  update(clientId: string, fn: (sds: SS.ServiceDescription[]) => SS.ServiceDescription[]): void;
  invalidate(clientId?: string): void;
}

export type Executor = (ctx: ExecContext, params: Record<string, any>) => Promise<void>;
