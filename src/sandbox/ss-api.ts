/** Security Server admin API routes (security-server-admin-api.yaml) over the sandbox model, grouped by API area in ./ss/. */
import type { Route } from './http.js';
import type { Engine } from './engine.js';
import type { SsState } from './model.js';
import { ssContext } from './ss/context.js';
import { initRoutes } from './ss/init.js';
import { keysRoutes } from './ss/keys.js';
import { certsRoutes } from './ss/certs.js';
import { clientsRoutes } from './ss/clients.js';
import { servicesRoutes } from './ss/services.js';
import { systemRoutes } from './ss/system.js';
import { backupRoutes } from './ss/backup.js';

export { SS_ROLES } from './ss/common.js';

export function ssRoutes(e: Engine, ss: SsState): Route[] {
  const x = ssContext(e, ss);
  return [...initRoutes(x), ...keysRoutes(x), ...certsRoutes(x), ...clientsRoutes(x), ...servicesRoutes(x), ...systemRoutes(x), ...backupRoutes(x)];
}
