import type { CentralServerApi } from '../api/central-server.js';
import type { SecurityServerApi } from '../api/security-server.js';
import type { Context } from '../config/contexts.js';
import { listTokens, type TokenRow } from '../certs/tokens.js';

export type TokenSummary = Omit<TokenRow, 'possibleActions'>;

export interface ServerInfoResult {
  context: string;
  kind: 'central' | 'security';
  url: string;
  version: string;
  initialization: Record<string, string | boolean>;
  tokens?: TokenSummary[];
}

/** Version, initialization status and (for a security server) tokens: three reads, in parallel. */
export async function securityServerInfo(ctx: Context, api: SecurityServerApi): Promise<ServerInfoResult> {
  const [version, init, tokens] = await Promise.all([api.getVersion(), api.getInitializationStatus(), listTokens(api)]);
  return {
    context: ctx.name,
    kind: 'security',
    url: ctx.url,
    version: version.info,
    initialization: {
      anchorImported: init.is_anchor_imported,
      serverCodeInitialized: init.is_server_code_initialized,
      ownerInitialized: init.is_server_owner_initialized,
      softwareToken: init.software_token_init_status,
    },
    tokens: tokens.map(({ possibleActions: _p, ...t }) => t),
  };
}

export async function centralServerInfo(ctx: Context, api: CentralServerApi): Promise<ServerInfoResult> {
  const [version, status] = await Promise.all([api.getVersion(), api.getSystemStatus()]);
  const init = status.initialization_status;
  return {
    context: ctx.name,
    kind: 'central',
    url: ctx.url,
    version: version.info,
    initialization: {
      instance: init?.instance_identifier ?? '',
      address: init?.central_server_address ?? '',
      softwareToken: init?.software_token_init_status ?? 'UNKNOWN',
      highAvailability: !!status.high_availability_status?.is_ha_configured,
    },
  };
}
