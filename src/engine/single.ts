import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import { UsageError } from '../errors/index.js';
import { execCache } from './actual.js';
import { accessExecutors } from './kinds/access.js';
import { centralExecutors } from './kinds/central.js';
import { clientExecutors } from './kinds/client.js';
import { serviceExecutors } from './kinds/services.js';
import { tokenExecutors } from './kinds/token.js';
import type { Executor } from './types.js';

const executors: Record<string, Executor> = { ...tokenExecutors, ...clientExecutors, ...serviceExecutors, ...accessExecutors };

/**
 * Run one action of the kind modules for an imperative command (`xrdctl client add`, `service set`, …):
 * the same code apply runs, so there is one implementation per action.
 */
export async function runAction(
  api: SecurityServerApi,
  type: string,
  params: Record<string, unknown>,
  o: { cs?: CentralServerApi; approve?: boolean; timeoutMs?: number; progress?: (m: string) => void; serverId?: string } = {},
): Promise<void> {
  const ex = executors[type];
  if (!ex) throw new UsageError(`no action ${type}`);
  await ex(
    {
      api,
      cs: o.cs,
      central: o.approve ? { name: o.cs?.server ?? 'cs', conn: { url: '', apiKey: 'env:UNUSED' }, approveRequests: true, members: [], subsystems: [] } : undefined,
      serverId: o.serverId ?? '',
      secret: () => Promise.reject(new UsageError('no secret reference for this action')),
      progress: o.progress ?? (() => {}),
      cache: execCache(api),
      timeoutMs: o.timeoutMs ?? 300_000,
    },
    params,
  );
}

export async function runCentralAction(cs: CentralServerApi, type: string, params: Record<string, unknown>): Promise<void> {
  const ex = centralExecutors[type];
  if (!ex) throw new UsageError(`no action ${type}`);
  await ex(cs, params);
}
