/** Security Server routes: token certificates: import, statuses, possible actions, register/unregister, activate/disable, delete (xroad-flows §3). */
import { ApiError, bad, conflict } from '../http.js';
import { str } from '../validate.js';
import { ok, noContent, SO, RO, SYS, OBS } from './common.js';
import type { Route } from '../http.js';
import type { SsCtx } from './context.js';

export function certsRoutes(x: SsCtx): Route[] {
  const { e, ss, cert, owner, submit, serverIdOrFail, importCert } = x;
  return [
    // ---------- token certificates ----------
    { method: 'POST', path: '/token-certificates', op: 'importCertificate', roles: [SO, RO], write: true, upload: true, h: importCert },
    {
      method: 'GET',
      path: '/token-certificates/{hash}',
      op: 'getCertificate',
      roles: [SO, RO, SYS, OBS],
      h: (c) => {
        const { k, c: x } = cert(c.params.hash!);
        return ok(e.certView(ss, k, x));
      },
    },
    {
      method: 'GET',
      path: '/token-certificates/{hash}/possible-actions',
      op: 'getPossibleActionsForCertificate',
      roles: [SO, RO, SYS, OBS],
      h: (c) => {
        const { k, c: x } = cert(c.params.hash!);
        return ok(e.certPossibleActions(ss, k, x));
      },
    },
    {
      method: 'POST',
      path: '/token-certificates/{hash}/import',
      op: 'importCertificateFromToken',
      roles: [SO, RO],
      write: true,
      h: (c) => {
        const { k } = cert(c.params.hash!);
        if (k.usage === 'AUTHENTICATION') throw bad('auth_cert_not_supported');
        throw conflict('certificate_already_exists', c.params.hash!);
      },
    },
    {
      method: 'DELETE',
      path: '/token-certificates/{hash}',
      op: 'deleteCertificate',
      roles: [SO, RO],
      write: true,
      h: (c) => {
        const { k, c: x } = cert(c.params.hash!);
        c.requireRole(...(k.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
        if (!e.certPossibleActions(ss, k, x).includes('DELETE')) throw conflict('action_not_possible', 'DELETE');
        k.certs = k.certs.filter((y) => y !== x);
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/token-certificates/{hash}/activate',
      op: 'activateCertificate',
      roles: [SO, RO],
      write: true,
      h: async (c) => {
        const { k, c: x } = cert(c.params.hash!);
        c.requireRole(...(k.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
        if (!e.certPossibleActions(ss, k, x).includes('ACTIVATE')) throw conflict('action_not_possible', 'ACTIVATE');
        const o = await e.ocspFresh(x); // external CAs: a real query to the registered responder (cached briefly)
        if (o !== 'GOOD' || e.certExpired(x)) {
          x.ocspVerifyBeforeActivationError = `Failed to verify OCSP responses: ${e.certExpired(x) ? 'certificate expired' : 'status ' + o}`;
          throw new ApiError(500, 'internal_error', [x.ocspVerifyBeforeActivationError]);
        }
        x.active = true;
        x.ocspVerifyBeforeActivationError = undefined;
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/token-certificates/{hash}/disable',
      op: 'disableCertificate',
      roles: [SO, RO],
      write: true,
      h: (c) => {
        const { k, c: x } = cert(c.params.hash!);
        c.requireRole(...(k.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
        if (!e.certPossibleActions(ss, k, x).includes('DISABLE')) throw conflict('action_not_possible', 'DISABLE');
        x.active = false;
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/token-certificates/{hash}/register',
      op: 'registerCertificate',
      roles: [SO],
      write: true,
      h: (c) => {
        const { k, c: x } = cert(c.params.hash!);
        const address = str(c.json(), 'address', 'securityServerAddress');
        if (k.usage === 'SIGNING') throw bad('sign_cert_not_supported');
        if (!e.certPossibleActions(ss, k, x).includes('REGISTER')) throw conflict('action_not_possible', 'REGISTER');
        e.requireGcFresh(ss);
        e.requireSigner(ss, [owner()], false);
        submit({ type: 'AUTH_CERT_REGISTRATION_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), address, authCertB64: x.derB64 });
        x.status = 'REGISTRATION_IN_PROGRESS';
        return ok(undefined, 200);
      },
    },
    {
      method: 'PUT',
      path: '/token-certificates/{hash}/unregister',
      op: 'unregisterAuthCertificate',
      roles: [SO],
      write: true,
      h: (c) => {
        const { k, c: x } = cert(c.params.hash!);
        if (k.usage === 'SIGNING') throw bad('sign_cert_not_supported');
        if (!e.certPossibleActions(ss, k, x).includes('UNREGISTER')) throw conflict('action_not_possible', 'UNREGISTER');
        e.requireSigner(ss, [owner()], true);
        submit({ type: 'AUTH_CERT_DELETION_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), authCertB64: x.derB64 });
        x.status = 'DELETION_IN_PROGRESS';
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/token-certificates/{hash}/mark-for-deletion',
      op: 'markAuthCertForDeletion',
      roles: [SO],
      write: true,
      h: (c) => {
        const { k, c: x } = cert(c.params.hash!);
        if (k.usage === 'SIGNING') throw bad('sign_cert_not_supported');
        if (!e.certPossibleActions(ss, k, x).includes('UNREGISTER')) throw conflict('action_not_possible', 'UNREGISTER');
        x.status = 'DELETION_IN_PROGRESS';
        return noContent();
      },
    },
  ];
}
