/** Constants shared by the Security Server route modules. */
import type { Resp } from '../http.js';

export const SS_ROLES = {
  SO: 'XROAD_SECURITY_OFFICER',
  RO: 'XROAD_REGISTRATION_OFFICER',
  SA: 'XROAD_SERVICE_ADMINISTRATOR',
  SYS: 'XROAD_SYSTEM_ADMINISTRATOR',
  OBS: 'XROAD_SECURITYSERVER_OBSERVER',
} as const;
export const { SO, RO, SA, SYS, OBS } = SS_ROLES;
export const USAGES = ['AUTHENTICATION', 'SIGNING'] as const;
export const FORMATS = ['PEM', 'DER'] as const;
export const CONN = ['HTTP', 'HTTPS', 'HTTPS_NO_AUTH'] as const;
export const STYPES = ['WSDL', 'REST', 'OPENAPI3'] as const;
export const METHODS = ['*', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'] as const;
export const SC_TYPES = ['GLOBALGROUP', 'LOCALGROUP', 'SUBSYSTEM'] as const;
export const RESERVED = [
  'listClients',
  'listMethods',
  'allowedMethods',
  'getWsdl',
  'getOpenAPI',
  'getSecurityServerMetrics',
  'getSecurityServerOperationalData',
  'getSecurityServerHealthData',
];
export const DEFAULT_DISABLED_NOTICE = 'Out of order';

export const ok = (body?: unknown, status = 200): Resp => ({ status, body });
export const noContent = (): Resp => ({ status: 204 });
