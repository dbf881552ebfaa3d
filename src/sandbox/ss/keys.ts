/** Security Server routes: token, keys, CSRs and certificate authorities (xroad-flows §1, §2). */
import { ApiError, bad, conflict, notFound, warningsDetected } from '../http.js';
import { issueCertificate } from '../../pki/ca.js';
import { createCsr } from '../../pki/csr.js';
import { newTokenKeyPair } from '../key-pool.js';
import { certInfo, certInfoB64, pkiUsage } from '../certs.js';
import { pinHash, profileClass } from '../engine.js';
import { profileOf } from '../profiles.js';
import { memberIdOf, nextId, parseClientId, type KeyState } from '../model.js';
import { enumOf, obj, optStr, qBool, qEnum, str } from '../validate.js';
import { USAGES, FORMATS, ok, noContent, SO, RO, SYS, OBS } from './common.js';
import type { Route } from '../http.js';
import type { SsCtx } from './context.js';

export function keysRoutes(x: SsCtx): Route[] {
  const { e, ss, st, now, inst, requireInit, token, key, owner, gc, serverIdOrFail, csrGenerate, csrResp, importInto } = x;
  return [
    // ---------- tokens ----------
    { method: 'GET', path: '/tokens', op: 'getTokens', roles: [SO, RO, SYS, OBS], h: () => ok([e.tokenView(ss)]) },
    {
      method: 'GET',
      path: '/tokens/{id}',
      op: 'getToken',
      roles: [SO, RO, SYS, OBS],
      h: (c) => {
        token(c);
        return ok(e.tokenView(ss));
      },
    },
    {
      method: 'PATCH',
      path: '/tokens/{id}',
      op: 'updateToken',
      roles: [SO, RO, SYS],
      write: true,
      h: (c) => {
        token(c);
        const n = str(c.json(), 'name', 'tokenName');
        ss.tokenName = n;
        return ok(e.tokenView(ss));
      },
    },
    {
      method: 'PUT',
      path: '/tokens/{id}/login',
      op: 'loginToken',
      roles: [SO, SYS],
      write: true,
      h: (c) => {
        token(c);
        const b = c.json();
        const pw = optStr(b, 'password', 'tokenPassword', 10_000);
        if (!ss.tokenInitialized || ss.loggedIn) throw conflict('action_not_possible', 'LOGIN');
        if (!pw) throw bad('missing_token_password');
        if (pinHash(pw) !== ss.pinSha256) throw bad('pin_incorrect');
        ss.loggedIn = true;
        return ok(e.tokenView(ss));
      },
    },
    {
      method: 'PUT',
      path: '/tokens/{id}/logout',
      op: 'logoutToken',
      roles: [SO, SYS],
      write: true,
      h: (c) => {
        token(c);
        if (!ss.loggedIn) throw conflict('action_not_possible', 'LOGOUT');
        ss.loggedIn = false;
        return ok(e.tokenView(ss));
      },
    },
    {
      method: 'PUT',
      path: '/tokens/{id}/pin',
      op: 'updateTokenPin',
      roles: [SYS],
      write: true,
      h: (c) => {
        token(c);
        const b = c.json();
        const o = str(b, 'old_pin', 'tokenPinUpdate'),
          n = str(b, 'new_pin', 'tokenPinUpdate');
        if (!ss.tokenInitialized) throw conflict('action_not_possible', 'TOKEN_CHANGE_PIN');
        if (pinHash(o) !== ss.pinSha256) throw bad('pin_incorrect');
        if (/[^\x20-\x7e]/.test(n)) throw bad('invalid_characters_pin');
        ss.pinSha256 = pinHash(n);
        return noContent();
      },
    },
    {
      method: 'POST',
      path: '/tokens/{id}/keys',
      op: 'addKey',
      roles: [SO, RO],
      write: true,
      h: async (c) => {
        token(c);
        const label = optStr(c.json(), 'label', 'keyLabel') ?? '';
        if (!ss.loggedIn) throw conflict('action_not_possible', 'GENERATE_KEY');
        const kp = await newTokenKeyPair(e);
        if (!ss.loggedIn) throw conflict('action_not_possible', 'GENERATE_KEY'); // logged out while the key was made
        const k: KeyState = { id: nextId(st), label, name: label, privateKeyPem: kp.privateKeyPem, publicKeyPem: kp.publicKeyPem, csrs: [], certs: [] };
        ss.keys.push(k);
        return ok(e.keyView(ss, k), 201);
      },
    },
    {
      method: 'POST',
      path: '/tokens/{id}/keys-with-csrs',
      op: 'addKeyAndCsr',
      roles: [SO, RO],
      write: true,
      h: async (c) => {
        token(c);
        const b = c.json();
        const label = str(b, 'key_label', 'keyLabelWithCsrGenerate', { allowEmpty: true });
        const req = obj(b, 'csr_generate_request', 'keyLabelWithCsrGenerate');
        if (req.key_usage_type === 'AUTHENTICATION') c.requireRole(SO);
        if (!ss.loggedIn) throw conflict('action_not_possible', 'GENERATE_KEY');
        const kp = await newTokenKeyPair(e);
        if (!ss.loggedIn) throw conflict('action_not_possible', 'GENERATE_KEY');
        const k: KeyState = { id: nextId(st), label, name: label, privateKeyPem: kp.privateKeyPem, publicKeyPem: kp.publicKeyPem, csrs: [], certs: [] };
        const r = csrGenerate(k, req, 'keyLabelWithCsrGenerate.csrGenerateRequest', c); // rollback: the key is only added on success
        ss.keys.push(k);
        return ok({ key: e.keyView(ss, k), csr_id: r.csr.id }, 201);
      },
    },

    // ---------- keys / CSRs ----------
    { method: 'GET', path: '/keys/{id}', op: 'getKey', roles: [SO, RO, SYS, OBS], h: (c) => ok(e.keyView(ss, key(c.params.id!))) },
    {
      method: 'PATCH',
      path: '/keys/{id}',
      op: 'updateKey',
      roles: [SO, RO, SYS],
      write: true,
      h: (c) => {
        const k = key(c.params.id!);
        k.name = str(c.json(), 'name', 'keyName');
        return ok(e.keyView(ss, k));
      },
    },
    {
      method: 'GET',
      path: '/keys/{id}/possible-actions',
      op: 'getPossibleActionsForKey',
      roles: [SO, RO, SYS, OBS],
      h: (c) => ok(e.keyPossibleActions(ss, key(c.params.id!))),
    },
    {
      method: 'DELETE',
      path: '/keys/{id}',
      op: 'deleteKey',
      roles: [SO, RO],
      write: true,
      h: (c) => {
        const k = key(c.params.id!);
        const ignore = qBool(c.query, 'ignore_warnings', false);
        c.requireRole(...(k.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
        const registered = k.usage === 'AUTHENTICATION' ? k.certs.filter((x) => x.status === 'REGISTERED' || x.status === 'REGISTRATION_IN_PROGRESS') : [];
        if (registered.length && !ignore) throw warningsDetected([{ code: 'auth_key_with_registered_cert_warning', metadata: [k.id] }]);
        for (const x of registered) {
          try {
            e.csAddRequest({ type: 'AUTH_CERT_DELETION_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), authCertB64: x.derB64 });
          } catch {
            /* silently: the key is deleted anyway */
          }
        }
        ss.keys = ss.keys.filter((x) => x !== k);
        return noContent();
      },
    },
    {
      method: 'POST',
      path: '/keys/{id}/csrs',
      op: 'generateCsr',
      roles: [SO, RO],
      write: true,
      h: (c) => {
        const k = key(c.params.id!);
        const r = csrGenerate(k, c.json(), 'csrGenerate', c);
        if (r.acme) return noContent();
        return csrResp(r.csr, r.built, r.csr.format, 201);
      },
    },
    {
      method: 'GET',
      path: '/keys/{id}/csrs/{csr_id}',
      op: 'downloadCsr',
      roles: [SO, RO],
      h: (c) => {
        const k = key(c.params.id!);
        const fmt = qEnum(c.query, 'csr_format', FORMATS);
        const csr = k.csrs.find((x) => x.id === c.params.csr_id);
        if (!csr) throw notFound('csr_not_found', c.params.csr_id!);
        c.requireRole(...(csr.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
        if (!ss.loggedIn) throw conflict('action_not_possible', 'token not logged in');
        // the same possible action as generating (allow-csr-for-key-with-certificate=false)
        if (k.certs.length) throw conflict('action_not_possible', csr.usage === 'AUTHENTICATION' ? 'GENERATE_AUTH_CSR' : 'GENERATE_SIGN_CSR');
        const built = createCsr(k.privateKeyPem, { subject: csr.subject, usage: pkiUsage(csr.usage), san: csr.san });
        return csrResp(csr, built, fmt ?? csr.format, 201);
      },
    },
    {
      method: 'DELETE',
      path: '/keys/{id}/csrs/{csr_id}',
      op: 'deleteCsr',
      roles: [SO, RO],
      write: true,
      h: (c) => {
        const k = key(c.params.id!);
        const csr = k.csrs.find((x) => x.id === c.params.csr_id);
        if (!csr) throw notFound('csr_not_found', c.params.csr_id!);
        c.requireRole(...(csr.usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
        k.csrs = k.csrs.filter((x) => x !== csr);
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/keys/{id}/csrs/{csr_id}/possible-actions',
      op: 'getPossibleActionsForCsr',
      roles: [SO, RO, SYS, OBS],
      h: (c) => {
        const k = key(c.params.id!);
        if (!k.csrs.some((x) => x.id === c.params.csr_id)) throw notFound('csr_not_found', c.params.csr_id!);
        return ok(['DELETE']);
      },
    },

    // ---------- certificate authorities ----------
    {
      method: 'GET',
      path: '/certificate-authorities',
      op: 'getApprovedCertificateAuthorities',
      roles: [SO, RO, SYS, OBS],
      h: (c) => {
        const usage = qEnum(c.query, 'key_usage_type', USAGES);
        qBool(c.query, 'include_intermediate_cas', false);
        const names = gc()?.caNames ?? [];
        return ok(
          names
            .map((n) => e.caByName(n)!)
            .filter((ca) => ca && !(usage === 'SIGNING' && ca.authenticationOnly))
            .map((ca) => {
              const info = certInfoB64(ca.certPem.replace(/-----[^-]+-----|\s/g, ''));
              const dn = info.subject.map((a) => `${a.name}=${a.value}`).join(', ');
              return {
                name: ca.name,
                subject_distinguished_name: dn,
                issuer_distinguished_name: dn,
                ocsp_response: 'OCSP_RESPONSE_GOOD',
                not_after: info.notAfter.toISOString(),
                top_ca: true,
                path: dn,
                authentication_only: ca.authenticationOnly,
                certificate_profile_info: profileClass(ca.profile),
                ...(ca.defaultCsrFormat ? { default_csr_format: ca.defaultCsrFormat } : {}),
                acme_capable: ca.acme,
                acme_server_ip_addresses: ca.external ? (ca.acmeIpAddress ? [ca.acmeIpAddress] : []) : ca.acme ? ['127.0.0.1'] : [],
                ocsp_responders: ca.external
                  ? (ca.ocspResponders ?? []).map((r) => ({ url: r.url, cost_type: r.costType }))
                  : [{ url: ca.ocspUrl, cost_type: 'FREE' }],
              };
            }),
        );
      },
    },
    {
      method: 'GET',
      path: '/certificate-authorities/{ca_name}/csr-subject-fields',
      op: 'getSubjectFieldDescriptions',
      roles: [SO, RO, SYS, OBS],
      h: (c) => {
        const usage = qEnum(c.query, 'key_usage_type', USAGES, true)!;
        const memberId = c.query.get('member_id') ?? undefined;
        const keyId = c.query.get('key_id') ?? undefined;
        const isNew = qBool(c.query, 'is_new_member', false);
        const ca = gc()?.caNames.includes(c.params.ca_name!) ? e.caByName(c.params.ca_name!) : undefined;
        if (!ca) throw notFound('certificate_authority_not_found', c.params.ca_name!);
        if (usage === 'SIGNING' && !memberId) throw bad('memberId_required_for_sign_csr');
        if (keyId) {
          const k = key(keyId);
          if (k.usage && k.usage !== usage) throw bad('wrong_key_usage');
        }
        requireInit();
        const mid = usage === 'SIGNING' ? memberId! : owner();
        const mp = parseClientId(mid);
        if (!mp || mp.subsystemCode) throw bad('invalid_identifier', mid);
        if (usage === 'SIGNING' && !isNew && !ss.clients.some((x) => memberIdOf(x) === mid)) throw bad('client_not_found', mid);
        return ok(
          profileOf(ca.profile).fields(usage, {
            instance: inst,
            serverCode: ss.serverCode!,
            ownerCode: ss.ownerCode!,
            ownerClass: ss.ownerClass,
            ownerName: e.memberName(ss, owner()) ?? ss.ownerCode!,
            memberClass: mp.memberClass,
            memberCode: mp.memberCode,
            memberName: e.memberName(ss, mid) ?? mp.memberCode,
            address: ss.address,
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/certificate-authorities/{ca_name}/has-acme-eab-credentials',
      op: 'hasAcmeExternalAccountBindingCredentials',
      roles: [SO, RO],
      h: (c) => {
        qEnum(c.query, 'key_usage_type', USAGES, true);
        if (!e.caByName(c.params.ca_name!)) throw notFound('certificate_authority_not_found', c.params.ca_name!);
        return ok({ acme_eab_required: false, has_acme_external_account_credentials: false });
      },
    },
    {
      method: 'POST',
      path: '/certificate-authorities/{ca_name}/acme-order',
      op: 'orderAcmeCertificate',
      roles: [SO, RO],
      write: true,
      h: (c) => {
        const b = c.json();
        const csrId = str(b, 'csr_id', 'acmeOrder', { max: 40 });
        const usage = enumOf(b, 'key_usage_type', 'acmeOrder', USAGES);
        c.requireRole(...(usage === 'AUTHENTICATION' ? [SO] : [SO, RO]));
        const ca = e.caByName(c.params.ca_name!);
        if (!ca) throw notFound('certificate_authority_not_found', c.params.ca_name!);
        if (!ca.acme) throw new ApiError(500, 'acme.account_creation_failure', ['CA has no ACME server']);
        if (ca.external) throw new ApiError(500, 'acme.account_creation_failure', ['ACME orders to external CAs are not simulated by the sandbox']);
        if (!ss.loggedIn) throw conflict('action_not_possible', 'token not logged in');
        e.requireGcFresh(ss);
        const k = ss.keys.find((x) => x.csrs.some((r) => r.id === csrId));
        const csr = k?.csrs.find((r) => r.id === csrId);
        if (!k || !csr) throw notFound('csr_not_found', csrId);
        if (csr.usage !== usage) throw bad('wrong_key_usage');
        const built = createCsr(k.privateKeyPem, { subject: csr.subject, usage: pkiUsage(usage), san: csr.san });
        const signed = issueCertificate(ca, built.pem, {
          usage: pkiUsage(usage),
          now: now(),
          validityDays: st.certValidityDays,
          ocspUrl: ca.ocspUrl,
          defaultSan: true,
        });
        e.recordIssued(ca, signed.der, signed.serial);
        if (e.findCert(ss, certInfo(signed.der).hash)) throw conflict('certificate_already_exists');
        importInto(k, signed.der, usage, ca.name, csr.ownerId, true);
        k.csrs = k.csrs.filter((r) => r.id !== csrId);
        return ok(undefined, 200);
      },
    },
  ];
}
