/** The common admin API (common-admin-api.yaml), served by both the SS and the CS listeners. */
import type { Route } from './http.js';

/**
 * GET /user (getUser): the key's principal, its roles and its permissions. The real servers name their
 * permissions (VIEW_KEYS, …) through a role → permission table the sandbox does not carry: here a key's
 * permissions are the operationIds its roles may call (docs/sandbox.md).
 */
export function withCommonRoutes(routes: Route[]): Route[] {
  const user: Route = {
    method: 'GET',
    path: '/user',
    op: 'getUser',
    roles: 'any',
    h: (c) => {
      const permissions = [...routes, user].filter((r) => r.roles === 'any' || r.roles.some((x) => c.roles.has(x))).map((r) => r.op);
      return { status: 200, body: { username: c.principal, roles: [...c.roles].sort(), permissions: [...new Set(permissions)].sort() } };
    },
  };
  return [...routes, user];
}
